import type { Channel, SmsEncoding } from '@otpflow/contracts';
import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Where a session is in its life. A code validates only while its session is `pending`, unexpired and
 * has attempts left; "failed" (no attempts left) and "expired" are derived, never stored, so no write
 * can race a correct validation into a wrong state.
 */
export const SESSION_STATUSES = ['pending', 'verified', 'superseded', 'canceled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Where the delivery of a session's current code is; written by the gateway and the dispatcher. */
export const DELIVERY_STATUSES = [
  'queued',
  'sending',
  'retrying',
  'sent',
  'delivered',
  'undelivered',
  'failed',
  'expired_before_delivery',
  'dead_lettered',
  'not_sent',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryAttemptRecord {
  provider: string;
  at: Date;
  outcome: 'accepted' | 'retryable_error' | 'permanent_error' | 'timeout';
  error?: string;
}

export interface SessionDelivery {
  status: DeliveryStatus;
  jobId: string;
  provider?: string;
  providerMessageId?: string;
  attempts: number;
  history: DeliveryAttemptRecord[];
  encoding?: SmsEncoding;
  parts?: number;
  lastError?: string;
  sentAt?: Date;
  deliveredAt?: Date;
  updatedAt: Date;
}

export interface SessionDocument {
  /** The authenticationId. */
  _id: string;
  clientId: string;
  /** E.164. Stored so a code can be resent; never logged, never in a metric or span. */
  phoneNumber: string;
  countryCallingCode: string;
  channel: Channel;
  /** HMAC of the code bound to this session id; the code itself is never stored. */
  codeHash: string;
  status: SessionStatus;
  maxAttempts: number;
  /** Wrong or pending comparisons still allowed. */
  attemptsLeft: number;
  createdAt: Date;
  expiresAt: Date;
  /** When the tombstone goes: until then an ended session answers EXPIRED rather than NOT_FOUND. */
  purgeAt: Date;
  endedAt?: Date;
  test: boolean;
  delivery: SessionDelivery;
}

const deliverySchema = new Schema<SessionDelivery>(
  {
    status: { type: String, enum: DELIVERY_STATUSES, required: true },
    jobId: { type: String, required: true },
    provider: String,
    providerMessageId: String,
    attempts: { type: Number, required: true, default: 0 },
    history: {
      type: [
        {
          _id: false,
          provider: { type: String, required: true },
          at: { type: Date, required: true },
          outcome: { type: String, required: true },
          error: String,
        },
      ],
      default: [],
    },
    encoding: String,
    parts: Number,
    lastError: String,
    sentAt: Date,
    deliveredAt: Date,
    updatedAt: { type: Date, required: true },
  },
  { _id: false },
);

const sessionSchema = new Schema<SessionDocument>(
  {
    _id: { type: String, required: true },
    clientId: { type: String, required: true },
    phoneNumber: { type: String, required: true },
    countryCallingCode: { type: String, required: true },
    channel: { type: String, enum: ['sms', 'voice'], required: true },
    codeHash: { type: String, required: true },
    status: { type: String, enum: SESSION_STATUSES, required: true },
    maxAttempts: { type: Number, required: true },
    attemptsLeft: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    purgeAt: { type: Date, required: true },
    endedAt: Date,
    test: { type: Boolean, required: true, default: false },
    delivery: { type: deliverySchema, required: true },
  },
  { collection: 'sessions', versionKey: false },
);

// Supersede: the pending sessions of one client and phone.
sessionSchema.index({ clientId: 1, phoneNumber: 1, status: 1 });
// Delivery receipts find a session by the provider's message id.
sessionSchema.index({ 'delivery.providerMessageId': 1 }, { sparse: true });

export type SessionModel = Model<SessionDocument>;

export function sessionModel(connection: Connection): SessionModel {
  return (
    (connection.models.Session as SessionModel | undefined) ??
    connection.model<SessionDocument>('Session', sessionSchema)
  );
}
