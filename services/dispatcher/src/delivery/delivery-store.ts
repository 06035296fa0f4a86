import type { SendJob, SmsEncoding } from '@otpflow/contracts';
import {
  tryClaim,
  typedCollection,
  type ClaimModel,
  type DeliveryAttemptRecord,
  type DeliveryStatus,
  type SessionDocument,
  type SessionModel,
} from '@otpflow/mongo';

/** Whether this worker may run an attempt of a job. */
export type AttemptLease = 'taken' | 'done' | 'busy';

export interface SentRecord {
  provider: string;
  providerMessageId?: string;
  attempt: number;
  channel: SessionDocument['channel'];
  sms?: { encoding: SmsEncoding; parts: number };
  history: DeliveryAttemptRecord[];
}

/**
 * Delivery state in MongoDB: leases that keep two workers from running the same attempt of a job, and
 * the delivery status written on the session for the API and operators. Status writes are keyed on the
 * job id, so an older job can never overwrite the status of a newer code's delivery.
 */
export class DeliveryStore {
  constructor(
    private readonly sessions: SessionModel,
    private readonly claims: ClaimModel,
    private readonly settings: { leaseMs: number; tombstoneSeconds: number },
  ) {}

  private purgeAt(job: SendJob): Date {
    return new Date(Date.parse(job.expiresAt) + this.settings.tombstoneSeconds * 1000);
  }

  /**
   * Takes the lease on one attempt of a job: by inserting its claim (atomic on every store). A
   * redelivered message finds the claim: done, or busy while another worker holds the lease; a lease
   * past its time belonged to a worker that died, and is taken over.
   */
  async takeAttempt(job: SendJob, run: string, attempt: number): Promise<AttemptLease> {
    const key = attemptKey(job, run, attempt);
    const lease = () => ({ leaseUntil: new Date(Date.now() + this.settings.leaseMs) });
    if (await tryClaim(this.claims, key, this.purgeAt(job), lease())) return 'taken';
    const claims = typedCollection(this.claims);
    const existing = await claims.findOne({ _id: key });
    if (existing?.done) return 'done';
    if (existing?.leaseUntil && existing.leaseUntil > new Date()) return 'busy';
    const { deletedCount } = await claims.deleteOne({
      _id: key,
      done: { $ne: true },
      leaseUntil: { $lte: new Date() },
    });
    if (deletedCount !== 1) return 'busy';
    return (await tryClaim(this.claims, key, this.purgeAt(job), lease())) ? 'taken' : 'busy';
  }

  async finishAttempt(job: SendJob, run: string, attempt: number): Promise<void> {
    await typedCollection(this.claims).updateOne(
      { _id: attemptKey(job, run, attempt) },
      { $set: { done: true } },
    );
  }

  async recordSent(job: SendJob, record: SentRecord): Promise<void> {
    const now = new Date();
    await this.update(job, {
      $set: {
        'delivery.status': 'sent',
        'delivery.provider': record.provider,
        'delivery.attempts': record.attempt,
        'delivery.sentAt': now,
        'delivery.updatedAt': now,
        ...(record.providerMessageId ? { 'delivery.providerMessageId': record.providerMessageId } : {}),
        ...(record.sms
          ? { 'delivery.encoding': record.sms.encoding, 'delivery.parts': record.sms.parts }
          : {}),
        ...(record.channel !== job.channel ? { channel: record.channel } : {}),
      },
      $push: { 'delivery.history': { $each: record.history } },
    });
  }

  async recordFailure(
    job: SendJob,
    status: Extract<DeliveryStatus, 'retrying' | 'dead_lettered'>,
    failure: { attempt: number; lastError: string; provider?: string; history: DeliveryAttemptRecord[] },
  ): Promise<void> {
    await this.update(job, {
      $set: {
        'delivery.status': status,
        'delivery.attempts': failure.attempt,
        'delivery.lastError': failure.lastError,
        'delivery.updatedAt': new Date(),
        ...(failure.provider ? { 'delivery.provider': failure.provider } : {}),
      },
      $push: { 'delivery.history': { $each: failure.history } },
    });
  }

  /** A job that ends without any provider being called. */
  async recordSkipped(
    job: SendJob,
    status: Extract<DeliveryStatus, 'expired_before_delivery' | 'not_sent'>,
  ): Promise<void> {
    await this.update(job, { $set: { 'delivery.status': status, 'delivery.updatedAt': new Date() } });
  }

  /** Applies a delivery receipt; returns the session it belongs to, or null for an unknown message. */
  async recordReceipt(
    provider: string,
    providerMessageId: string,
    outcome: 'delivered' | 'undelivered',
    errorCode: string | undefined,
  ): Promise<SessionDocument | null> {
    const now = new Date();
    return typedCollection(this.sessions).findOneAndUpdate(
      { 'delivery.providerMessageId': providerMessageId, 'delivery.provider': provider },
      {
        $set: {
          'delivery.status': outcome,
          'delivery.updatedAt': now,
          ...(outcome === 'delivered'
            ? { 'delivery.deliveredAt': now }
            : { 'delivery.lastError': `receipt_${errorCode ?? 'undelivered'}` }),
        },
      },
      { returnDocument: 'after' },
    );
  }

  private async update(job: SendJob, update: Record<string, unknown>): Promise<void> {
    await typedCollection(this.sessions).updateOne(
      { _id: job.authenticationId, 'delivery.jobId': job.jobId },
      update,
    );
  }
}

function attemptKey(job: SendJob, run: string, attempt: number): string {
  return `job#${job.jobId}#${run}#${attempt}`;
}
