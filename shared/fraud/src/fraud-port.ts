import type { Channel } from '@otpflow/contracts';
import type { Decision } from './decision.js';
import type { TenantFraudPolicy } from './fraud-settings.js';

/** libphonenumber's line type of a number (MOBILE, VOIP, ...): the guard only tells plain mobiles apart. */
export type LineType = string;

/** What the guard is told about a send: the number as read at the edge, and who asks. */
export interface SendFacts {
  clientId: string;
  e164: string;
  countryCallingCode: string;
  /** libphonenumber's line type, when it knows the number. */
  lineType: LineType | undefined;
  /** The end user's address (recipientIp, or the client address through trusted proxies). */
  address: string | undefined;
  /** A test number: never refused, never counted. */
  testNumber: boolean;
  tenant: TenantFraudPolicy | undefined;
  /** What the report names, when the caller knows it: the channel (else sms) and, for a later workflow
   * step, the verification it belongs to (else the decision gets an id of its own: no code exists). */
  channel?: Channel;
  authenticationId?: string;
}

export type Refusal = Exclude<Decision, { action: 'allow' }>;

/** A decision as taken and as applied (in monitor mode a refusal is only reported). */
export interface FraudOutcome {
  decision: Refusal;
  enforced: boolean;
  send: SendFacts;
}

/** The port every send passes: a decision from memory, no store command on the request's path. */
export interface FraudGuard {
  assess(send: SendFacts): Decision;
  /**
   * An allowed send did not go out after all (a per-number cap, the quota, a conflict or a failure
   * stopped it after the guard): it is taken back out of its counts. Never sent, it would inflate its
   * ranges' velocity and deflate their conversion. Its number stays among the distinct numbers of its
   * block of a hundred: it was asked for.
   */
  withdrawn(send: SendFacts): void;
  /**
   * A code was verified: the conversion of its ranges (and of the network it was asked from) counts
   * it, in the bucket it was sent in.
   */
  verified(facts: VerifiedFacts): void;
}

/**
 * A verified code: whose, to which number, and when it was sent (its request); and, when it was asked
 * from an end-user address, that address's network (its /24 or /48, stored with the code) and when the
 * verification was asked from it (its first send: a resend is not counted against an address).
 */
export type VerifiedFacts = Pick<SendFacts, 'clientId' | 'e164' | 'countryCallingCode'> & {
  sentAt: Date;
  network?: { subnet: string; sentAt: Date } | undefined;
};
