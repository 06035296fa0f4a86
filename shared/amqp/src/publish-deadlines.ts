/** Fails one pending publish. */
export type RejectPublish = (error: Error) => void;

/**
 * The deadlines of a client's unconfirmed publishes, kept by one timer instead of one per publish: a
 * timer per publish costs a Timeout, a timer-list insert and, when publishes go one at a time (the
 * list empties between them), a new libuv timer start each time, on the gateway's hot path (two
 * publishes per send-code). Every publish gets the same timeout, so insertion order (a Map's) is
 * deadline order: the timer is armed for the oldest pending deadline only, a settled publish just
 * leaves the map, and when the timer fires it fails what has expired and re-arms for the oldest
 * left. The timer is not unref'd: a pending publish keeps the process alive until it settles or
 * expires, as its own timer did.
 */
export class PublishDeadlines {
  /** When each pending publish expires (performance.now() time), by its reject. */
  private readonly pending = new Map<RejectPublish, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly expired: () => Error,
  ) {}

  /** A publish starts: `reject` gets `expired()` unless settle(reject) comes within the timeout. */
  start(reject: RejectPublish): void {
    this.pending.set(reject, performance.now() + this.timeoutMs);
    this.timer ??= setTimeout(this.fire, this.timeoutMs);
  }

  /** The publish was confirmed or failed otherwise: its deadline no longer applies. */
  settle(reject: RejectPublish): void {
    this.pending.delete(reject);
  }

  /**
   * The client closed: the timer goes if no publish waits any more (closing the connection settles
   * every pending publish through its channel). One still waiting keeps its deadline.
   */
  disarmIfIdle(): void {
    if (this.pending.size > 0) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    for (const [reject, expiresAt] of this.pending) {
      if (expiresAt > now) {
        // Rounded up: never early, and a whole-millisecond timer list.
        this.timer = setTimeout(this.fire, Math.ceil(expiresAt - now));
        return;
      }
      this.pending.delete(reject);
      reject(this.expired());
    }
  };
}
