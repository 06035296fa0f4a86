import type { Channel, SmsEncoding, VoiceGender, VoiceLanguage } from '@otpflow/contracts';
import type { Collection, Db } from 'mongodb';
import { z } from 'zod';
import type { ExpiringCollection } from './indexes.js';

/**
 * A phone number's state, for every tenant, in one document (docs/data-model.md): the send windows of
 * the number and of each tenant, each tenant's codes (the live one and the ended ones that still answer
 * VERIFICATION_EXPIRED), its lockout and cooldown. Every hot-path request reads or writes one such
 * document by its `_id`, which is the shard key (hashed) of a sharded MongoDB.
 */
export const NUMBERS_COLLECTION = 'numbers';

/** A code's own outcome; superseded (not its tenant's live code) and expired are derived, never stored. */
export const CODE_STATUSES = ['pending', 'verified', 'canceled'] as const;
export type CodeStatus = (typeof CODE_STATUSES)[number];

/** Which characters the code uses: decides case-insensitive comparison, and what a resend generates. */
export interface CodeAlphabet {
  digits: boolean;
  upper: boolean;
  lower: boolean;
  special: boolean;
}

/** What the message said, kept so a resend can say it again with the new code. */
export interface CodeContent {
  /** Free text with `{{code}}`. */
  message?: string;
  templateId?: string;
  locale?: string;
  variables?: Record<string, string>;
}

/** One code a tenant sent to the number (a native verification: a resend replaces its code in place). */
export interface CodeEntry {
  /** HMAC of the current code bound to the authenticationId; the code itself is never stored. */
  hash: string;
  status: CodeStatus;
  maxAttempts: number;
  /**
   * Comparisons still allowed. The truth on stores with atomic updates; on FerretDB the claims are
   * (docs/data-model.md) and this stays as issued.
   */
  attemptsLeft: number;
  /** When the verification was created (a resend keeps it). */
  createdAt: Date;
  /** When the current code was asked for: the first send, or the last resend. */
  requestedAt: Date;
  expiresAt: Date;
  validitySeconds: number;
  /** When the entry stops answering VERIFICATION_EXPIRED (then NOT_FOUND): expiry + tombstone. */
  purgeAt: Date;
  endedAt?: Date;
  channel: Channel;
  /** Without '+': "34". */
  countryCallingCode: string;
  /** The send job of the current code; its delivery record (deliveries) has the same id. */
  jobId: string;
  /** Codes sent for this verification (1 + resends). */
  sends: number;
  test: boolean;
  codeLength: number;
  alphabet: CodeAlphabet;
  content: CodeContent;
  senderId?: string;
  voice?: { language: VoiceLanguage; gender: VoiceGender };
  /** The end user's IP as the client saw it (seed 003): kept for fraud analysis. */
  recipientIp?: string;
  /**
   * The network (/24 or /48) of the end user's address the verification was asked from, when known:
   * the fraud guard credits its verification to that network's conversion.
   */
  network?: string;
  /** SMS charge info of the current code's message, as sent. */
  charge?: { encoding: SmsEncoding; parts: number };
  /** The pause required between two codes of this verification (the policy's, when it was created). */
  resendIntervalSeconds: number;
}

/** Codes counted per window: `w<window start, epoch seconds>` → count. */
export type SendWindows = Record<string, number>;

/** One tenant's part of a number's document. */
export interface TenantPart {
  /** The code id of the tenant's newest code: its other codes are superseded. */
  live?: string;
  /** No new native code (nor CAMARA code, if the policy says so) before this. */
  nextCodeAt?: Date;
  /** After VERIFICATION_FAILED: no new code before this. */
  lockedUntil?: Date;
  sends?: SendWindows;
  codes?: Record<string, CodeEntry>;
}

export interface NumberDocument {
  /** The number key: a keyed hash of the canonical E.164 number (the number itself is not stored). */
  _id: string;
  /** The latest moment anything in the document still matters: the TTL index removes it then. */
  purgeAt: Date;
  /** Codes sent to the number by every tenant together, per window (the cap per MSISDN). */
  sends?: SendWindows;
  /** By tenant key (a keyed hash of the client id). */
  tenants?: Record<string, TenantPart>;
}

/** How a claimed attempt slot ended (the claims strategy, for stores without isolated updates). */
export const CLAIM_OUTCOMES = ['wrong', 'verified', 'canceled'] as const;
export type ClaimOutcome = (typeof CLAIM_OUTCOMES)[number];

/**
 * An attempt slot of a code, claimed by inserting it: `_id` `<numberKey>~<codeId>~<slot>`. Stored in
 * `numbers` beside the number's document, so one `find` reads a document and its claims together.
 */
export interface CodeClaim {
  _id: string;
  outcome: ClaimOutcome;
  at: Date;
  purgeAt: Date;
}

/** A document of the collection: a number's state, or (claims strategy) one of its codes' claims. */
export type NumbersCollectionDocument = NumberDocument | CodeClaim;

export function numbersCollection(db: Db): Collection<NumbersCollectionDocument> {
  return db.collection<NumbersCollectionDocument>(NUMBERS_COLLECTION);
}

/**
 * Removed when `purgeAt` passes. On FerretDB the sweeper keeps a document a minute past it, so a send
 * that reuses a document at the moment it expires does not race its deletion.
 */
export function numbersExpiry(db: Db): ExpiringCollection {
  return { collection: db.collection(NUMBERS_COLLECTION), field: 'purgeAt', sweepGraceMs: 60_000 };
}

/** A code entry as the gateway writes one: what a test of "nothing half-written" checks stored entries against. */
export const codeEntrySchema = z.strictObject({
  hash: z.string().min(1),
  status: z.enum(CODE_STATUSES),
  maxAttempts: z.number().int().min(1),
  attemptsLeft: z.number().int().min(0),
  createdAt: z.date(),
  requestedAt: z.date(),
  expiresAt: z.date(),
  validitySeconds: z.number().int().min(1),
  purgeAt: z.date(),
  endedAt: z.date().optional(),
  channel: z.enum(['sms', 'voice']),
  countryCallingCode: z.string().regex(/^[1-9][0-9]{0,2}$/),
  jobId: z.uuid(),
  sends: z.number().int().min(1),
  test: z.boolean(),
  codeLength: z.number().int().min(4),
  alphabet: z.strictObject({
    digits: z.boolean(),
    upper: z.boolean(),
    lower: z.boolean(),
    special: z.boolean(),
  }),
  content: z.strictObject({
    message: z.string().optional(),
    templateId: z.string().optional(),
    locale: z.string().optional(),
    variables: z.record(z.string(), z.string()).optional(),
  }),
  senderId: z.string().optional(),
  voice: z.strictObject({ language: z.string(), gender: z.string() }).optional(),
  recipientIp: z.string().optional(),
  network: z.string().optional(),
  charge: z.strictObject({ encoding: z.enum(['GSM-7', 'UCS-2']), parts: z.number().int().min(1) }).optional(),
  resendIntervalSeconds: z.number().int().min(0),
});

export function isCodeClaim(document: NumbersCollectionDocument): document is CodeClaim {
  return 'outcome' in document;
}

/** A number's document, or null for a claim or nothing: what reads of `numbers` by a number key want. */
export function numberDocumentOf(document: NumbersCollectionDocument | null): NumberDocument | null {
  return document && !isCodeClaim(document) ? document : null;
}
