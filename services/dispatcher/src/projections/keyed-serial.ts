/**
 * Runs tasks one at a time per key, tasks of different keys side by side. A failed task does not
 * stop the ones queued after it on its key.
 */
export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    this.tails.set(key, run);
    const release = () => {
      if (this.tails.get(key) === run) this.tails.delete(key);
    };
    run.then(release, release);
    return run;
  }

  /** Keys with work queued or running (for tests: none once all is settled). */
  get size(): number {
    return this.tails.size;
  }
}
