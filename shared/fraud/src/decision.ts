import type { FraudReason, Finding } from './signals.js';

/** An active temporary block of a range or an address, as every replica sees it. */
export interface ActiveBlock {
  target: string;
  reason: FraudReason;
  expiresAt: number;
  /** Blocks of this target within the strike memory, this one included: what its length grew from. */
  strikes: number;
}

/** The guard's verdict on one send. */
export type Decision =
  | { action: 'allow' }
  | {
      action: 'block' | 'throttle';
      reason: FraudReason;
      /** The range or address refused (never shown to the client). */
      target: string;
      retryAfterSeconds: number;
      /** A block this send's counts decided, to be written for every replica. */
      newBlock: boolean;
    };

export interface DecisionInput {
  /** Allow-listed number or prefix, or a test number: never refused. */
  exempt: boolean;
  /** The active blocks the number's ranges and the send's addresses fall under. */
  blocks: readonly ActiveBlock[];
  findings: readonly Finding[];
  now: number;
  /** When the current bucket ends: how long a throttle lasts. */
  bucketEndsAt: number;
  /** How long a new block of a target would last, given its history. */
  blockSecondsFor: (target: string) => number;
}

const secondsUntil = (at: number, now: number) => Math.max(1, Math.ceil((at - now) / 1000));

/**
 * Decide, then apply: an exempt send is allowed; one under an active block is refused until it ends;
 * otherwise the first finding wins (signals are ordered most specific first). A throttle lasts until
 * the current bucket ends; a block as long as the target's history says.
 */
export function decide(input: DecisionInput): Decision {
  if (input.exempt) return { action: 'allow' };
  const block = [...input.blocks].sort((a, b) => b.expiresAt - a.expiresAt)[0];
  if (block && block.expiresAt > input.now) {
    return {
      action: 'block',
      reason: block.reason,
      target: block.target,
      retryAfterSeconds: secondsUntil(block.expiresAt, input.now),
      newBlock: false,
    };
  }
  const finding = input.findings[0];
  if (!finding) return { action: 'allow' };
  if (finding.kind === 'throttle') {
    return {
      action: 'throttle',
      reason: finding.reason,
      target: finding.target,
      retryAfterSeconds: secondsUntil(input.bucketEndsAt, input.now),
      newBlock: false,
    };
  }
  return {
    action: 'block',
    reason: finding.reason,
    target: finding.target,
    retryAfterSeconds: input.blockSecondsFor(finding.target),
    newBlock: true,
  };
}

/** How long the next block of a target lasts: ×4 per earlier strike still remembered, capped. */
export function blockSeconds(previousStrikes: number, base: number, max: number): number {
  return Math.min(max, base * 4 ** Math.max(0, previousStrikes));
}
