import type { CodeContent, CodeEntry } from '@otpflow/mongo';
import type { ClientPolicy } from '../policies/client-policy.js';
import type { Reissue, StoredCode } from './session-store.js';
import type { SendRequest } from './send-request.js';

/** What is known of a first code once it is generated and its text rendered. */
export interface NewCodeFacts {
  hash: string;
  test: boolean;
  jobId: string;
  now: Date;
  countryCallingCode: string;
  charge: CodeEntry['charge'];
  tombstoneSeconds: number;
  /** The network of the end user's address (the fraud guard's), when the request had one. */
  network: string | undefined;
}

/** A first code's entry, as send-code and a native create store it. */
export function newCodeEntry(
  request: SendRequest,
  policy: ClientPolicy,
  content: CodeContent,
  facts: NewCodeFacts,
): CodeEntry {
  const { now } = facts;
  const expiresAt = new Date(now.getTime() + request.validitySeconds * 1000);
  return {
    hash: facts.hash,
    status: 'pending',
    maxAttempts: request.maxAttempts,
    attemptsLeft: request.maxAttempts,
    createdAt: now,
    requestedAt: now,
    expiresAt,
    validitySeconds: request.validitySeconds,
    purgeAt: new Date(expiresAt.getTime() + facts.tombstoneSeconds * 1000),
    channel: request.channel,
    countryCallingCode: facts.countryCallingCode,
    jobId: facts.jobId,
    sends: 1,
    test: facts.test,
    codeLength: request.codeLength,
    alphabet: request.alphabet,
    content,
    resendIntervalSeconds: policy.resendIntervalSeconds,
    ...(facts.charge ? { charge: facts.charge } : {}),
    ...(request.senderId ? { senderId: request.senderId } : {}),
    ...(request.voice ? { voice: request.voice } : {}),
    ...(request.recipientIp ? { recipientIp: request.recipientIp } : {}),
    ...(facts.network ? { network: facts.network } : {}),
  };
}

/** The fields of an entry a resend replaces: what undoing the resend puts back. */
export function reissueOf(entry: CodeEntry): Reissue {
  return {
    hash: entry.hash,
    jobId: entry.jobId,
    channel: entry.channel,
    requestedAt: entry.requestedAt,
    expiresAt: entry.expiresAt,
    purgeAt: entry.purgeAt,
    ...(entry.charge ? { charge: entry.charge } : {}),
  };
}

/** When the next code of a verification may go: its last code's time plus its resend interval. */
export function resendAllowedAt(code: Pick<StoredCode, 'entry' | 'nextCodeAt'>): Date {
  const own = code.entry.requestedAt.getTime() + code.entry.resendIntervalSeconds * 1000;
  return new Date(Math.max(own, code.nextCodeAt?.getTime() ?? 0));
}
