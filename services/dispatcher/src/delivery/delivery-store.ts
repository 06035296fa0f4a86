import type { SendJob, SmsEncoding } from '@otpflow/contracts';
import {
  tryClaim,
  typedCollection,
  type ClaimModel,
  type DeliveryAttemptRecord,
  type DeliveryDocument,
  type DeliveryModel,
  type DeliveryStatus,
} from '@otpflow/mongo';

/** Whether this worker may run an attempt of a job. */
export type AttemptLease = 'taken' | 'done' | 'busy';

export interface SentRecord {
  provider: string;
  providerMessageId?: string;
  attempt: number;
  channel: DeliveryDocument['channel'];
  sms?: { encoding: SmsEncoding; parts: number };
  history: DeliveryAttemptRecord[];
}

/**
 * Delivery state in MongoDB: leases that keep two workers from running the same attempt of a job, and
 * each job's delivery record (`deliveries`, keyed by job id) for the API and operators. The dispatcher
 * never writes the session itself: only the gateway does.
 */
export class DeliveryStore {
  constructor(
    private readonly deliveries: DeliveryModel,
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

  /**
   * Gives up this worker's lease on an attempt that did not happen for good (no provider took the
   * job, and it could not be moved on): the job goes back to the queue, and its next delivery may run
   * the attempt at once instead of waiting out the lease.
   */
  async releaseAttempt(job: SendJob, run: string, attempt: number): Promise<void> {
    await typedCollection(this.claims).deleteOne({ _id: attemptKey(job, run, attempt), done: { $ne: true } });
  }

  async finishAttempt(job: SendJob, run: string, attempt: number): Promise<void> {
    await typedCollection(this.claims).updateOne(
      { _id: attemptKey(job, run, attempt) },
      { $set: { done: true } },
    );
  }

  async recordSent(job: SendJob, record: SentRecord): Promise<void> {
    const now = new Date();
    await this.update(
      job,
      {
        status: 'sent',
        channel: record.channel,
        provider: record.provider,
        attempts: record.attempt,
        sentAt: now,
        ...(record.providerMessageId ? { providerMessageId: record.providerMessageId } : {}),
        ...(record.sms ? { encoding: record.sms.encoding, parts: record.sms.parts } : {}),
      },
      record.history,
    );
  }

  async recordFailure(
    job: SendJob,
    status: Extract<DeliveryStatus, 'retrying' | 'dead_lettered'>,
    failure: { attempt: number; lastError: string; provider?: string; history: DeliveryAttemptRecord[] },
  ): Promise<void> {
    await this.update(
      job,
      {
        status,
        attempts: failure.attempt,
        lastError: failure.lastError,
        ...(failure.provider ? { provider: failure.provider } : {}),
      },
      failure.history,
    );
  }

  /** A job that ends without any provider being called. */
  async recordSkipped(
    job: SendJob,
    status: Extract<DeliveryStatus, 'expired_before_delivery' | 'not_sent'>,
  ): Promise<void> {
    await this.update(job, { status }, []);
  }

  /** Applies a delivery receipt; returns the delivery it belongs to, or null for an unknown message. */
  async recordReceipt(
    provider: string,
    providerMessageId: string,
    outcome: 'delivered' | 'undelivered',
    errorCode: string | undefined,
  ): Promise<DeliveryDocument | null> {
    const now = new Date();
    return typedCollection(this.deliveries).findOneAndUpdate(
      { provider, providerMessageId },
      {
        $set: {
          status: outcome,
          updatedAt: now,
          ...(outcome === 'delivered'
            ? { deliveredAt: now }
            : { lastError: `receipt_${errorCode ?? 'undelivered'}` }),
        },
      },
      { returnDocument: 'after' },
    );
  }

  /** Creates the job's delivery record on its first write, and updates it after. */
  private async update(
    job: SendJob,
    fields: Partial<DeliveryDocument>,
    history: readonly DeliveryAttemptRecord[],
  ): Promise<void> {
    await typedCollection(this.deliveries).updateOne(
      { _id: job.jobId },
      {
        $set: { channel: job.channel, ...fields, updatedAt: new Date() },
        $setOnInsert: {
          authenticationId: job.authenticationId,
          clientId: job.clientId,
          countryCallingCode: job.countryCallingCode,
          requestedAt: new Date(job.createdAt),
          purgeAt: this.purgeAt(job),
        },
        ...(history.length > 0 ? { $push: { history: { $each: [...history] } } } : {}),
      },
      { upsert: true },
    );
  }
}

function attemptKey(job: SendJob, run: string, attempt: number): string {
  return `job#${job.jobId}#${run}#${attempt}`;
}
