import type { JobAttempt, Price, SendJob, SmsEncoding } from '@otpflow/contracts';
import type { DeliveryAttemptRecord, DeliveryDocument, DeliveryStatus } from '@otpflow/mongo';
import type { FinalOutcome } from '../receipts/receipt-order.js';

/** Whether this worker may run an attempt of a job. */
export type AttemptLease = 'taken' | 'done' | 'busy';

export interface SentRecord {
  provider: string;
  providerMessageId?: string;
  attempt: number;
  channel: DeliveryDocument['channel'];
  sms?: { encoding: SmsEncoding; parts: number };
  /** What the vendor's answer says it billed, when it says. */
  billedParts?: number;
  price?: Price;
  history: DeliveryAttemptRecord[];
  /** The workflow step that follows, when one does (see DeliveryDocument.nextStep). */
  nextStep?: NonNullable<DeliveryDocument['nextStep']>;
}

/** Where a failure leaves a delivery: retried, dead-lettered, or refused by the fraud guard (a workflow step). */
export type FailureStatus = Extract<DeliveryStatus, 'retrying' | 'dead_lettered' | 'refused'>;

export interface FailureRecord {
  attempt: number;
  /** The channel of the attempt that failed. */
  channel: DeliveryDocument['channel'];
  lastError: string;
  provider?: string;
  history: DeliveryAttemptRecord[];
}

/** A provider's final word on a message, authenticated and bounded. */
export interface ReceiptRecord {
  provider: string;
  providerMessageId: string;
  outcome: FinalOutcome;
  /** Bounded (see receipt-reason.ts); only for `undelivered`. */
  errorCode?: string;
  /** When the provider says it happened (signed receipts), or when it arrived. */
  at: Date;
  /** What the receipt says the message cost: kept only when the send's answer told no price. */
  price?: Price;
}

/**
 * What a receipt did: changed the delivery (and, when it brought the delivery its first price, that
 * price), changed nothing (repeated, stale), or matched no message.
 */
export type ReceiptResult =
  | { applied: true; delivery: DeliveryDocument; priceRecorded?: Price }
  | { applied: false; why: 'ignored' | 'unknown_message' };

/**
 * Delivery state, as a port: the leases that keep two workers from running the same attempt of a job,
 * and each job's delivery record (`deliveries`, keyed by job id) for the API and operators. The
 * MongoDB implementation is mongo-delivery.store.ts, the in-memory one memory-delivery.store.ts. The
 * dispatcher never writes the session itself: only the gateway does.
 */
export interface DeliveryStore {
  /**
   * Takes the lease on one attempt of a job. A redelivered message finds it done, or busy while
   * another worker holds it; a lease past its time belonged to a worker that died, and is taken over.
   */
  takeAttempt(job: SendJob, attempt: JobAttempt): Promise<AttemptLease>;
  finishAttempt(job: SendJob, attempt: JobAttempt): Promise<void>;
  /**
   * Gives up this worker's lease on an attempt that did not happen for good (no provider took the job,
   * and it could not be moved on): the job goes back to the queue, and its next delivery may run the
   * attempt at once instead of waiting out the lease. A finished attempt is never released.
   */
  releaseAttempt(job: SendJob, attempt: JobAttempt): Promise<void>;
  recordSent(job: SendJob, record: SentRecord): Promise<void>;
  recordFailure(job: SendJob, status: FailureStatus, failure: FailureRecord): Promise<void>;
  /** A job that ends without any provider being called. */
  recordSkipped(
    job: SendJob,
    status: Extract<DeliveryStatus, 'expired_before_delivery' | 'not_sent'>,
  ): Promise<void>;
  /** Applies a delivery receipt once, in order (see receipt-order.ts). */
  recordReceipt(receipt: ReceiptRecord): Promise<ReceiptResult>;
}

/** When a job's records go: its code's expiry plus the tombstone time (deliveries, leases, receipt keys). */
export function purgeAt(job: SendJob, tombstoneSeconds: number): Date {
  return new Date(Date.parse(job.expiresAt) + tombstoneSeconds * 1000);
}

/** The fields a delivery record is created with, on the job's first write (both stores write the same). */
export function creationFields(
  job: SendJob,
  tombstoneSeconds: number,
): Pick<
  DeliveryDocument,
  'authenticationId' | 'clientId' | 'countryCallingCode' | 'requestedAt' | 'purgeAt'
> {
  return {
    authenticationId: job.authenticationId,
    clientId: job.clientId,
    countryCallingCode: job.countryCallingCode,
    requestedAt: new Date(job.createdAt),
    purgeAt: purgeAt(job, tombstoneSeconds),
  };
}

/** The fields a send sets on the delivery record (both stores write the same). */
export function sentFields(record: SentRecord, now: Date): Partial<DeliveryDocument> {
  return {
    status: 'sent',
    channel: record.channel,
    provider: record.provider,
    attempts: record.attempt,
    sentAt: now,
    ...(record.providerMessageId ? { providerMessageId: record.providerMessageId } : {}),
    ...(record.sms ? { encoding: record.sms.encoding, parts: record.sms.parts } : {}),
    ...(record.billedParts !== undefined ? { billedParts: record.billedParts } : {}),
    ...(record.price ? { price: record.price } : {}),
    ...(record.nextStep ? { nextStep: record.nextStep } : {}),
  };
}

export function failureFields(status: FailureStatus, failure: FailureRecord): Partial<DeliveryDocument> {
  return {
    status,
    channel: failure.channel,
    attempts: failure.attempt,
    lastError: failure.lastError,
    ...(failure.provider ? { provider: failure.provider } : {}),
  };
}

/** The fields an applied receipt sets; a delivered message loses the error of an earlier receipt. */
export function receiptFields(receipt: ReceiptRecord, now: Date): Partial<DeliveryDocument> {
  return {
    status: receipt.outcome,
    receiptAt: receipt.at,
    updatedAt: now,
    ...(receipt.outcome === 'delivered'
      ? { deliveredAt: now }
      : { lastError: `receipt_${receipt.errorCode ?? 'undelivered'}` }),
  };
}

/** Each workflow step's attempts have leases of their own (step 0 keeps the key it had before steps). */
export function attemptKey(job: SendJob, attempt: JobAttempt): string {
  const step = attempt.step ? `#step-${attempt.step}` : '';
  return `job#${job.jobId}#${attempt.run}${step}#${attempt.attempt}`;
}
