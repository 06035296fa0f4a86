import type { OtpEventInput } from '@otpflow/contracts';
import type { DeliveryDocument } from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import type { Clock } from '../clock.js';
import type { DeliveryStore, ReceiptResult } from '../delivery/delivery-store.js';
import type { DispatcherMetrics } from '../dispatcher-metrics.js';
import type { EventSink } from '../events/event-sink.js';
import { boundedReceiptCode, type DeliveryReceipt } from './delivery-receipt.js';

/** Starts a workflow's next step at once (workflow/step-starter.ts). */
export interface NextStepStarter {
  start(next: NonNullable<DeliveryDocument['nextStep']>): Promise<void>;
}

export interface ReceiptRecorderDeps {
  store: DeliveryStore;
  steps?: NextStepStarter;
  events: EventSink;
  metrics: DispatcherMetrics;
  logger: Logger;
  clock: Clock;
}

/** What a receipt did: the `outcome` label of otpflow_delivery_receipts_total. */
export type RecordedOutcome = 'delivered' | 'undelivered' | 'pending' | 'ignored' | 'unknown_message';

/**
 * Records an authenticated receipt, whichever way it came (HTTP callback, SMPP deliver_sm): a final
 * one moves the delivery to delivered or undelivered once and in order (receipt-order.ts), and only a
 * receipt that changed the delivery emits an event. An undelivered message whose workflow has a
 * next step starts that step at once. Throws when the store cannot take it, so the provider sends it
 * again.
 */
export class ReceiptRecorder {
  constructor(private readonly deps: ReceiptRecorderDeps) {}

  async record(provider: string, receipt: DeliveryReceipt): Promise<RecordedOutcome> {
    const { deps } = this;
    if (receipt.outcome === 'pending') {
      deps.metrics.receipts.inc({ provider, outcome: 'pending' });
      return 'pending';
    }
    const result = await deps.store.recordReceipt({
      provider,
      providerMessageId: receipt.providerMessageId,
      outcome: receipt.outcome,
      ...(receipt.errorCode !== undefined ? { errorCode: receipt.errorCode } : {}),
      ...(receipt.price ? { price: receipt.price } : {}),
      at: receipt.at ?? deps.clock.now(),
    });
    if (!result.applied) {
      deps.metrics.receipts.inc({ provider, outcome: result.why });
      deps.logger.info({ provider, why: result.why }, 'receipt changed nothing: ignored');
      return result.why;
    }
    deps.metrics.receipts.inc({ provider, outcome: receipt.outcome });
    deps.events.emit(receiptEvent(provider, receipt, result));
    if (receipt.outcome === 'undelivered' && result.delivery.nextStep) await this.nextStep(result.delivery);
    return receipt.outcome;
  }

  /**
   * The receipt is recorded already, so a failure here is not the provider's to retry: logged, and the
   * step's timer (if it has one) still runs it. A step run twice is one send: its lease dedupes it.
   */
  private async nextStep(delivery: DeliveryDocument): Promise<void> {
    const next = delivery.nextStep;
    if (!next || !this.deps.steps) return;
    try {
      await this.deps.steps.start(next);
    } catch (error) {
      this.deps.logger.warn({ err: error, step: next.step }, 'could not start the next workflow step');
    }
  }
}

/** code.delivered or code.undelivered for a receipt that changed the delivery. */
function receiptEvent(
  provider: string,
  receipt: DeliveryReceipt,
  { delivery, priceRecorded }: Extract<ReceiptResult, { applied: true }>,
): OtpEventInput {
  return {
    type: receipt.outcome === 'delivered' ? 'code.delivered' : 'code.undelivered',
    authenticationId: delivery.authenticationId,
    clientId: delivery.clientId,
    channel: delivery.channel,
    countryCallingCode: delivery.countryCallingCode,
    requestedAt: new Date(delivery.requestedAt).toISOString(),
    provider,
    ...(delivery.sentAt ? { sentAt: new Date(delivery.sentAt).toISOString() } : {}),
    ...(receipt.outcome === 'undelivered'
      ? { reason: `receipt_${boundedReceiptCode(receipt.errorCode ?? receipt.vendorStatus)}` }
      : {}),
    // The price is told once: here only when this receipt brought the delivery its first one.
    ...(priceRecorded ? { billed: { price: priceRecorded } } : {}),
  };
}
