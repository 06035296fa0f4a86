import type { Clock } from '../clock.js';
import type { DispatcherConfig } from '../config.js';
import type { ReceiptVerifier } from './delivery-receipt.js';
import { TwilioReceiptVerifier } from './twilio.receipts-verifier.js';
import { WebhookReceiptVerifier } from './webhook.receipts.js';

/** Receipts are taken from the providers in use that send them, each authenticated its own way. */
export function receiptVerifiers(config: DispatcherConfig, clock: Clock): ReceiptVerifier[] {
  const verifiers: ReceiptVerifier[] = [];
  if (config.WEBHOOK_RECEIPT_SECRET)
    verifiers.push(
      new WebhookReceiptVerifier(config.WEBHOOK_RECEIPT_SECRET, {
        toleranceSeconds: config.RECEIPT_TOLERANCE_SECONDS,
        clock,
      }),
    );
  const twilio = config.providerSettings.get('twilio') as { TWILIO_AUTH_TOKEN: string } | undefined;
  if (twilio) verifiers.push(new TwilioReceiptVerifier(twilio.TWILIO_AUTH_TOKEN));
  return verifiers;
}
