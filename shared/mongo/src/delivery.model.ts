import type { Channel, Price, SmsEncoding } from '@otpflow/contracts';
import { Schema, type Connection, type Model } from 'mongoose';

/** Where the delivery of one code (one send job) is. */
export const DELIVERY_STATUSES = [
  'queued',
  'retrying',
  'sent',
  'delivered',
  'undelivered',
  'expired_before_delivery',
  'dead_lettered',
  'not_sent',
  /** A later workflow step the fraud guard refused: not sent, and the workflow ends there. */
  'refused',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryAttemptRecord {
  provider: string;
  at: Date;
  outcome: 'accepted' | 'retryable_error' | 'permanent_error' | 'timeout';
  error?: string;
}

/**
 * The delivery record of one send job, keyed by the job id, written only by the dispatcher (and its
 * receipts endpoint). Kept apart from the session, which only the gateway writes, so that the two
 * services never update the same document: on a store without isolated updates (FerretDB) a write
 * from one could otherwise undo a field the other just set. No record yet means the job is queued.
 */
export interface DeliveryDocument {
  /** The job id. */
  _id: string;
  authenticationId: string;
  clientId: string;
  /** The channel actually used (an SMS may fall back to a call). */
  channel: Channel;
  countryCallingCode: string;
  requestedAt: Date;
  status: DeliveryStatus;
  provider?: string;
  providerMessageId?: string;
  attempts?: number;
  history?: DeliveryAttemptRecord[];
  encoding?: SmsEncoding;
  /** The SMS parts of the text, as otpflow counted them before sending. */
  parts?: number;
  /** The parts the vendor says it billed, when it says (its answer to the send). */
  billedParts?: number;
  /** What the vendor says the message cost, when it says (its answer, or else its receipt). */
  price?: Price;
  lastError?: string;
  sentAt?: Date;
  deliveredAt?: Date;
  /** When the last applied receipt says it happened: an older receipt arriving later is stale. */
  receiptAt?: Date;
  /**
   * The workflow step that follows the one sent, for an undelivered receipt to start at once: the job
   * as it travels (its secrets sealed, as in RabbitMQ), the run and the step's index. A later send
   * overwrites it; one left behind only starts a step whose lease is already done (a duplicate).
   */
  nextStep?: { job: string; run: string; step: number };
  updatedAt: Date;
  purgeAt: Date;
}

const deliverySchema = new Schema<DeliveryDocument>(
  {
    _id: { type: String, required: true },
    authenticationId: { type: String, required: true },
    clientId: { type: String, required: true },
    channel: { type: String, required: true },
    countryCallingCode: { type: String, required: true },
    requestedAt: { type: Date, required: true },
    status: { type: String, enum: DELIVERY_STATUSES, required: true },
    provider: String,
    providerMessageId: String,
    attempts: Number,
    history: [{ _id: false, provider: String, at: Date, outcome: String, error: String }],
    encoding: String,
    parts: Number,
    billedParts: Number,
    price: { type: new Schema({ amount: String, currency: String }, { _id: false }), default: undefined },
    lastError: String,
    sentAt: Date,
    deliveredAt: Date,
    receiptAt: Date,
    nextStep: {
      type: new Schema({ job: String, run: String, step: Number }, { _id: false }),
      default: undefined,
    },
    updatedAt: { type: Date, required: true },
    purgeAt: { type: Date, required: true },
  },
  { collection: 'deliveries', versionKey: false },
);
export type DeliveryModel = Model<DeliveryDocument>;

export function deliveryModel(connection: Connection): DeliveryModel {
  return (
    (connection.models.Delivery as DeliveryModel | undefined) ??
    connection.model<DeliveryDocument>('Delivery', deliverySchema)
  );
}

/**
 * Where a delivery receipt finds its delivery: keyed by the provider and the provider's message id
 * (`<provider>#<id>`), the job id of the delivery. A receipt names only the vendor's id; looking it up
 * by `_id` is one document read on every store (FerretDB serves `_id` lookups without a scan, and a
 * sharded MongoDB routes it to one shard), where a query on the deliveries' fields would scan, or
 * scatter to every shard. Written by the dispatcher with the sent record, gone with the delivery.
 */
export interface DeliveryReceiptKeyDocument {
  /** `<provider>#<provider message id>`. */
  _id: string;
  jobId: string;
  purgeAt: Date;
}

const receiptKeySchema = new Schema<DeliveryReceiptKeyDocument>(
  {
    _id: { type: String, required: true },
    jobId: { type: String, required: true },
    purgeAt: { type: Date, required: true },
  },
  { collection: 'delivery_receipt_keys', versionKey: false },
);

export type DeliveryReceiptKeyModel = Model<DeliveryReceiptKeyDocument>;

export function deliveryReceiptKeyModel(connection: Connection): DeliveryReceiptKeyModel {
  return (
    (connection.models.DeliveryReceiptKey as DeliveryReceiptKeyModel | undefined) ??
    connection.model<DeliveryReceiptKeyDocument>('DeliveryReceiptKey', receiptKeySchema)
  );
}

/** The `_id` of a receipt key. */
export function receiptKeyOf(provider: string, providerMessageId: string): string {
  return `${provider}#${providerMessageId}`;
}
