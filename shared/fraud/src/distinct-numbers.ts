/**
 * The numbers this replica has counted in each block of a hundred during the window, so a number that
 * gets several codes counts once towards its block's density. (Two replicas may each count a number
 * once: density is then overcounted by the replicas a number's requests were spread over.)
 */
export class DistinctNumbers {
  private readonly blocks = new Map<string, Map<string, number>>();

  seen(block: string, e164: string, windowStart: number): boolean {
    const at = this.blocks.get(block)?.get(e164);
    return at !== undefined && at >= windowStart;
  }

  add(block: string, e164: string, now: number): void {
    const numbers = this.blocks.get(block) ?? new Map<string, number>();
    numbers.set(e164, now);
    this.blocks.set(block, numbers);
  }

  prune(windowStart: number): void {
    for (const [block, numbers] of this.blocks) {
      for (const [e164, at] of numbers) if (at < windowStart) numbers.delete(e164);
      if (numbers.size === 0) this.blocks.delete(block);
    }
  }
}
