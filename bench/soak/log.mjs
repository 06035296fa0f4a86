/** The soak's progress lines, on stderr: stdout carries its summary. */
export function log(message) {
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
