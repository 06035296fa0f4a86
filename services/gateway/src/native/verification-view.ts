import type { DeliveryDocument, SessionDocument } from '@otpflow/mongo';
import { maskPhoneNumber } from '@otpflow/telemetry';
import { resendAllowedAt } from '../otp/issuing-steps.js';
import type { VerificationView } from './verification.schemas.js';

const FAILED_DELIVERY = new Set(['dead_lettered', 'expired_before_delivery', 'undelivered']);

/** One status for the whole verification, from the session's state and its delivery record's. */
export function statusOf(
  session: SessionDocument,
  delivery: DeliveryDocument | null,
  now = new Date(),
): VerificationView['status'] {
  if (session.status === 'verified') return 'verified';
  if (session.status === 'canceled') return 'canceled';
  if (session.status === 'superseded' || session.expiresAt <= now) return 'expired';
  const deliveryStatus = delivery?.status ?? 'queued';
  if (session.attemptsLeft <= 0 || FAILED_DELIVERY.has(deliveryStatus)) return 'failed';
  if (deliveryStatus === 'delivered') return 'delivered';
  if (deliveryStatus === 'sent' || deliveryStatus === 'not_sent') return 'sent';
  return 'queued';
}

const iso = (date: Date | undefined) => (date ? new Date(date).toISOString() : null);

export function verificationView(
  session: SessionDocument,
  delivery: DeliveryDocument | null,
  now = new Date(),
): VerificationView {
  return {
    id: session._id,
    status: statusOf(session, delivery, now),
    channel: delivery?.channel ?? session.channel,
    to: maskPhoneNumber(session.phoneNumber),
    createdAt: session.createdAt.toISOString(),
    expiresAt: session.expiresAt.toISOString(),
    maxAttempts: session.maxAttempts,
    attemptsRemaining: Math.max(0, session.attemptsLeft),
    resendAllowedAt: resendAllowedAt(session).toISOString(),
    chargeInfo: session.charge ? { encoding: session.charge.encoding, parts: session.charge.parts } : null,
    delivery: {
      status: delivery?.status ?? 'queued',
      provider: delivery?.provider ?? null,
      attempts: delivery?.attempts ?? 0,
      history: (delivery?.history ?? []).map((entry) => ({
        provider: entry.provider,
        at: new Date(entry.at).toISOString(),
        outcome: entry.outcome,
        ...(entry.error ? { error: entry.error } : {}),
      })),
      lastError: delivery?.lastError ?? null,
      sentAt: iso(delivery?.sentAt),
      deliveredAt: iso(delivery?.deliveredAt),
      // The vendor's figures, as the dispatcher keeps them on the delivery record.
      billedParts: delivery?.billedParts ?? null,
      price: delivery?.price ? { amount: delivery.price.amount, currency: delivery.price.currency } : null,
    },
    verifiedAt: session.status === 'verified' ? iso(session.endedAt) : null,
  };
}
