/** A run's time stamp, as in its results' names: 20261201_185425 (UTC). */
export function runStamp(at = new Date()) {
  return at.toISOString().replaceAll(/[-:]/g, '').replace(/\..*/, '').replace('T', '_');
}
