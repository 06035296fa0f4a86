import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** The child exits with this when the test never told it that a line had reached stdout. */
const NOT_SEEN = 3;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/**
 * Runs `script` in a process that logs through the service logger's own stdout (buffered, see
 * logger.ts), from the build output as the services do. When `line` reaches stdout the test creates
 * the file at `SEEN` (the script waits for it, and exits with NOT_SEEN if it never comes); resolves
 * with the exit code and everything written to stdout.
 */
function runLogging(script: string, line: string) {
  dir = mkdtempSync(join(tmpdir(), 'otpflow-logger-'));
  const seen = join(dir, 'seen');
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { existsSync } from 'node:fs';
       import { createLogger } from '@otpflow/telemetry';
       const SEEN = ${JSON.stringify(seen)};
       const logger = createLogger({ service: 'test', level: 'info' });
       ${script}`,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.includes(`"msg":"${line}"`)) writeFileSync(seen, '');
  });
  return new Promise<{ code: number | null; lines: string[] }>((resolve) => {
    child.once('close', (code) => {
      const lines = output
        .split('\n')
        .filter(Boolean)
        .map((text) => (JSON.parse(text) as { msg: string }).msg);
      resolve({ code, lines });
    });
  });
}

describe('the service logger on stdout', () => {
  it('writes a warning at once, with the lines buffered before it', async () => {
    // The event loop stays busy after the warning, so no timer can flush: only a write that the
    // warning itself started can reach stdout.
    const result = await runLogging(
      `logger.info('first');
       logger.warn('second');
       const until = Date.now() + 5000;
       while (!existsSync(SEEN) && Date.now() < until) {}
       process.exit(existsSync(SEEN) ? 0 : ${NOT_SEEN});`,
      'second',
    );
    expect(result).toEqual({ code: 0, lines: ['first', 'second'] });
  });

  it('writes buffered lines within the flush interval, and what is left when the process exits', async () => {
    const result = await runLogging(
      `logger.info('early');
       const until = Date.now() + 5000;
       const wait = setInterval(() => {
         if (!existsSync(SEEN) && Date.now() < until) return;
         clearInterval(wait);
         logger.info('late');
         process.exit(existsSync(SEEN) ? 0 : ${NOT_SEEN});
       }, 20);`,
      'early',
    );
    expect(result).toEqual({ code: 0, lines: ['early', 'late'] });
  });
});
