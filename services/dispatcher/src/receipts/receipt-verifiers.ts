import type { Clock } from '../clock.js';
import type { DispatcherConfig } from '../config.js';
import { providerFactory } from '../providers/registry.js';
import type { ReceiptVerifier } from './delivery-receipt.js';
import { WebhookReceiptVerifier } from './webhook.receipts.js';

/**
 * Receipts are taken from the providers in use whose receipts can be authenticated, each its own way
 * (each provider module says how: providers/<vendor>/<vendor>.receipts.ts); the in-house webhook's
 * with the deployment's WEBHOOK_RECEIPT_SECRET.
 */
export function receiptVerifiers(config: DispatcherConfig, clock: Clock): ReceiptVerifier[] {
  const window = { toleranceSeconds: config.RECEIPT_TOLERANCE_SECONDS, clock };
  const verifiers: ReceiptVerifier[] = [];
  if (config.WEBHOOK_RECEIPT_SECRET)
    verifiers.push(new WebhookReceiptVerifier(config.WEBHOOK_RECEIPT_SECRET, window));
  for (const [name, settings] of config.providerSettings) {
    const verifier = providerFactory(name)?.receiptVerifier?.(settings, window);
    if (verifier) verifiers.push(verifier);
  }
  return verifiers;
}
