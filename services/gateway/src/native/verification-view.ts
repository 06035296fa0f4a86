import type { DeliveryDocument } from '@otpflow/mongo';
import { maskPhoneNumber } from '@otpflow/telemetry';
import { resendAllowedAt } from '../otp/code-entries.js';
import type { StoredCode } from '../otp/session-store.js';
import type { VerificationView } from './verification.schemas.js';

const FAILED_DELIVERY = new Set(['dead_lettered', 'expired_before_delivery', 'undelivered', 'refused']);

/** One status for the whole verification, from its code's state and its delivery record's. */
export function statusOf(
  code: StoredCode,
  delivery: Pick<DeliveryDocument, 'status'> | null,
  now = new Date(),
): VerificationView['status'] {
  if (code.status === 'verified') return 'verified';
  if (code.status === 'canceled') return 'canceled';
  if (!code.live || code.entry.expiresAt <= now) return 'expired';
  const deliveryStatus = delivery?.status ?? 'queued';
  if (code.attemptsLeft <= 0 || FAILED_DELIVERY.has(deliveryStatus)) return 'failed';
  if (deliveryStatus === 'delivered') return 'delivered';
  if (deliveryStatus === 'sent' || deliveryStatus === 'not_sent') return 'sent';
  return 'queued';
}

const iso = (date: Date | undefined) => (date ? new Date(date).toISOString() : null);

export function verificationView(
  code: StoredCode,
  delivery: DeliveryDocument | null,
  now = new Date(),
): VerificationView {
  const { entry } = code;
  return {
    id: code.ref.authenticationId,
    status: statusOf(code, delivery, now),
    channel: delivery?.channel ?? entry.channel,
    to: maskPhoneNumber(code.ref.e164),
    createdAt: entry.createdAt.toISOString(),
    expiresAt: entry.expiresAt.toISOString(),
    maxAttempts: entry.maxAttempts,
    attemptsRemaining: Math.max(0, code.attemptsLeft),
    resendAllowedAt: resendAllowedAt(code).toISOString(),
    chargeInfo: entry.charge ? { encoding: entry.charge.encoding, parts: entry.charge.parts } : null,
    delivery: {
      status: delivery?.status ?? 'queued',
      provider: delivery?.provider ?? null,
      attempts: delivery?.attempts ?? 0,
      history: (delivery?.history ?? []).map((attempt) => ({
        provider: attempt.provider,
        at: new Date(attempt.at).toISOString(),
        outcome: attempt.outcome,
        ...(attempt.error ? { error: attempt.error } : {}),
      })),
      lastError: delivery?.lastError ?? null,
      sentAt: iso(delivery?.sentAt),
      deliveredAt: iso(delivery?.deliveredAt),
      // The vendor's figures, as the dispatcher keeps them on the delivery record.
      billedParts: delivery?.billedParts ?? null,
      price: delivery?.price ? { amount: delivery.price.amount, currency: delivery.price.currency } : null,
    },
    verifiedAt: code.status === 'verified' ? iso(entry.endedAt) : null,
  };
}
