import type { Channel, SmsEncoding, VoiceGender, VoiceLanguage } from '@otpflow/contracts';
import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Where a session is in its life. A code validates only while its session is `pending`, unexpired and
 * has attempts left; "failed" (no attempts left) and "expired" are derived, never stored, so no write
 * can race a correct validation into a wrong state.
 */
export const SESSION_STATUSES = ['pending', 'verified', 'superseded', 'canceled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Which characters the code uses: decides case-insensitive comparison, and what a resend generates. */
export interface CodeAlphabet {
  digits: boolean;
  upper: boolean;
  lower: boolean;
  special: boolean;
}

/** What the message said, kept so a resend can say it again with the new code. */
export interface SessionContent {
  /** Free text with `{{code}}`. */
  message?: string;
  templateId?: string;
  locale?: string;
  variables?: Record<string, string>;
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
  /** The send job of the current code; its delivery record (deliveries) has the same id. */
  jobId: string;
  /** Native API options (CAMARA sessions use the client's policy defaults). */
  codeLength?: number;
  alphabet?: CodeAlphabet;
  content?: SessionContent;
  senderId?: string;
  voice?: { language: VoiceLanguage; gender: VoiceGender };
  /** The end user's IP as the client saw it (seed 003): kept for fraud analysis. */
  recipientIp?: string;
  /** SMS charge info of the current code's message, computed before sending. */
  charge?: { encoding: SmsEncoding; parts: number };
  /** Codes sent for this session (1 + resends), the last time, and the pause required between them. */
  sends?: number;
  lastSentAt?: Date;
  resendIntervalSeconds?: number;
}

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
    jobId: { type: String, required: true },
    codeLength: Number,
    alphabet: { _id: false, digits: Boolean, upper: Boolean, lower: Boolean, special: Boolean },
    content: {
      _id: false,
      message: String,
      templateId: String,
      locale: String,
      variables: { type: Map, of: String },
    },
    senderId: String,
    voice: { _id: false, language: String, gender: String },
    recipientIp: String,
    charge: { _id: false, encoding: String, parts: Number },
    sends: Number,
    lastSentAt: Date,
    resendIntervalSeconds: Number,
  },
  { collection: 'sessions', versionKey: false },
);

// Supersede: the pending sessions of one client and phone.
sessionSchema.index({ clientId: 1, phoneNumber: 1, status: 1 });

export type SessionModel = Model<SessionDocument>;

export function sessionModel(connection: Connection): SessionModel {
  return (
    (connection.models.Session as SessionModel | undefined) ??
    connection.model<SessionDocument>('Session', sessionSchema)
  );
}
