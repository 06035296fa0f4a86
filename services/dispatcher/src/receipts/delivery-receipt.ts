import { timingSafeEqual } from 'node:crypto';
import type { Price } from '@otpflow/contracts';
import type { Clock } from '../clock.js';

/** A provider's word on what happened to a message after it accepted it. */
export interface DeliveryReceipt {
  providerMessageId: string;
  outcome: 'delivered' | 'undelivered' | 'pending';
  /** The vendor's own status word, bounded. */
  vendorStatus: string;
  /** Bounded (see boundedReceiptCode). */
  errorCode?: string;
  /** When the provider says it happened, for receipts that carry a trustworthy time. */
  at?: Date;
  /** What the vendor says the message cost, when its receipt says it. */
  price?: Price;
}

/** The raw callback, as the receipt endpoint got it. */
export interface ReceiptRequest {
  /** The full public URL the provider called (signatures may cover it). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One per provider that sends receipts over HTTP: authenticates the callback, then reads it. */
export interface ReceiptVerifier {
  readonly provider: string;
  /** `undefined` when the callback is not authentic (or too old); throws on a malformed body. */
  verify(request: ReceiptRequest): DeliveryReceipt | undefined;
}

/** What a verifier may need besides its provider's settings: the replay window of signed receipts. */
export interface ReceiptWindow {
  /** How far a signed time may be from now, either way. */
  toleranceSeconds: number;
  clock: Clock;
}

/**
 * Where a provider that hears its receipts itself (SMPP `deliver_sm` on its own session) hands them.
 * Resolves once the receipt is recorded (or found to change nothing); rejects when it could not be,
 * so the provider can ask its vendor to send it again.
 */
export type ReceiptSink = (receipt: DeliveryReceipt) => Promise<void>;

/**
 * A vendor's error code as it may be stored and become part of a metric label: short letters, digits
 * and `_.-`, anything else `other`. Vendors' codes are numbers or short words; free text is not a code.
 */
export function boundedReceiptCode(value: string | number): string {
  const text = String(value);
  return /^[A-Za-z0-9_.-]{1,32}$/.test(text) ? text : 'other';
}

/** A whole-seconds Unix timestamp (a signed receipt time) within the window of now, as a Date. */
export function withinWindow(seconds: string | undefined, window: ReceiptWindow): Date | undefined {
  if (seconds === undefined || !/^\d{1,12}$/.test(seconds)) return undefined;
  const at = new Date(Number(seconds) * 1000);
  const skewMs = Math.abs(window.clock.now().getTime() - at.getTime());
  return skewMs <= window.toleranceSeconds * 1000 ? at : undefined;
}

/**
 * Whether a presented signature is the expected one, in constant time. A signature's length (its
 * digest's) is no secret, so a presented one of another length is refused before the comparison
 * (timingSafeEqual throws on different lengths).
 */
export function sameSignature(presented: Buffer | undefined, expected: Buffer): boolean {
  return (
    presented !== undefined && presented.length === expected.length && timingSafeEqual(presented, expected)
  );
}

/** A receipt's JSON body, which must be an object (`vendor` names the callback in the error). */
export function jsonObjectBody(body: string, vendor: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`${vendor} is a JSON object`);
  return parsed as Record<string, unknown>;
}
