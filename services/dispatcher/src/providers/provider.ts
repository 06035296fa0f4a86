import type { Channel, Price, SmsEncoding, VoiceGender, VoiceLanguage } from '@otpflow/contracts';
import type { ReceiptSink } from '../receipts/delivery-receipt.js';

/** One message to hand to a provider: everything a vendor API may ask for, already rendered. */
export interface OutboundMessage {
  /**
   * Unique per job and run, the same for every attempt of a run: a vendor that takes an idempotency
   * key drops a retry of a message it already took. A replay from the dead-letter queue is a new run.
   */
  idempotencyKey: string;
  jobId: string;
  authenticationId: string;
  channel: Channel;
  /** E.164. */
  to: string;
  /** The SMS text, or the text-to-speech script of a voice call. */
  text: string;
  /** The code alone, for template providers that insert it themselves. */
  code: string;
  expiresAt: Date;
  senderId?: string;
  voice?: { language: VoiceLanguage; gender: VoiceGender };
  templateId?: string;
  locale?: string;
  variables: Record<string, string>;
  /** The end user's IP address, for vendors whose API takes it; never part of the text. */
  recipientIp?: string;
  /** How carriers will bill the SMS text (computed before sending). */
  sms?: { encoding: SmsEncoding; parts: number };
}

/** What a provider answered when it accepted a message. */
export interface ProviderReceipt {
  /** The vendor's id for the message: delivery receipts refer to it. */
  providerMessageId?: string;
  /** Parts the vendor says it billed, when it says. */
  billedParts?: number;
  /** What the vendor says the message cost, when its answer says it (in the vendor's currency). */
  price?: Price;
}

/**
 * The one interface every SMS/voice vendor implements. `send` resolves when the vendor accepted the
 * message and rejects with a ProviderError (retryable or permanent) otherwise; it must honour the
 * abort signal (the dispatcher's timeout).
 */
export interface Provider {
  readonly name: string;
  readonly channels: readonly Channel[];
  send(message: OutboundMessage, signal: AbortSignal): Promise<ProviderReceipt>;
  /**
   * For a provider that hears its delivery receipts itself rather than by HTTP callback (SMPP: on
   * its own bound session): where to hand them. Called once, before the first send.
   */
  listenForReceipts?(sink: ReceiptSink): void;
  close?(): Promise<void>;
}
