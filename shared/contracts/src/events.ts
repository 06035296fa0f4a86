import { z } from 'zod';
import { tenantIdFieldSchema } from './tenant-id.js';
import { channelSchema } from './channel.js';
import { priceSchema } from './price.js';

/**
 * Events on the `otp.events` topic exchange, one per transition of a code's life. The routing key is
 * the event type, but for `code.requested`: that is the send job itself, routed from `otp.jobs` by its
 * BCC key (event-message.ts), which arrives with the job's routing key and the job's AMQP type. Events carry bounded dimensions only (channel, provider, country calling code,
 * client) plus ids for deduplication: never the code, never the phone number (code.requested carries
 * it masked, as logs show it, for the verifications listing).
 */
export const EVENT_SCHEMA = 'otpflow.event.v1';

export const EVENT_TYPES = [
  'code.requested',
  'code.sent',
  'code.delivered',
  'code.undelivered',
  'code.failed',
  'code.retried',
  'code.dead_lettered',
  'code.expired_before_delivery',
  'code.verified',
  'code.rejected',
  'code.canceled',
  /** The fraud guard refused a send (reason: the signal); no code exists, authenticationId is the decision's. */
  'fraud.blocked',
  'fraud.throttled',
] as const;
export const eventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof eventTypeSchema>;

export const rejectionReasonSchema = z.enum([
  'invalid_otp',
  'max_attempts_exceeded',
  'expired',
  'superseded',
  'already_verified',
  'canceled',
]);
export type RejectionReason = z.infer<typeof rejectionReasonSchema>;

export const smsEncodingSchema = z.enum(['GSM-7', 'UCS-2']);
export type SmsEncoding = z.infer<typeof smsEncodingSchema>;

/** A phone number as logs show it (`+346********34`): never whole. */
export const maskedNumberSchema = z
  .string()
  .regex(/^\+[0-9*]{1,15}$/)
  .refine((value) => value.includes('*'), 'must be masked');

export const otpEventSchema = z.object({
  schema: z.literal(EVENT_SCHEMA),
  /** Unique per event: consumers deduplicate on it. */
  eventId: z.uuid(),
  type: eventTypeSchema,
  occurredAt: z.iso.datetime(),
  authenticationId: z.string().min(1).max(36),
  clientId: tenantIdFieldSchema,
  channel: channelSchema,
  countryCallingCode: z.string().regex(/^[1-9][0-9]{0,2}$/),
  /** When the code was requested: lets consumers compute latencies without keeping state. */
  requestedAt: z.iso.datetime(),
  provider: z.string().min(1).max(64).optional(),
  attempt: z.number().int().min(1).optional(),
  sms: z.object({ encoding: smsEncodingSchema, parts: z.number().int().min(1) }).optional(),
  /**
   * What the vendor says it billed, when it says (code.sent from the provider's answer; code.delivered
   * or code.undelivered when the receipt brought the first price). Each figure is told once per code,
   * so consumers add them up.
   */
  billed: z
    .object({ parts: z.number().int().min(1).max(255).optional(), price: priceSchema.optional() })
    .optional(),
  /** Machine-readable reason for failed/rejected/dead-lettered/undelivered. */
  reason: z.string().min(1).max(64).optional(),
  /**
   * For fraud.*: whether the guard refused the send (mode `enforce`) or only reported what it would
   * have refused (mode `monitor`: the send went through).
   */
  enforced: z.boolean().optional(),
  /** For code.verified: when the code was sent (provider acceptance), if known. */
  sentAt: z.iso.datetime().optional(),
  /** For code.requested: the number as logs show it (`+346********34`), never whole. */
  maskedTo: maskedNumberSchema.optional(),
  /** For code.requested: when the code stops being valid. */
  expiresAt: z.iso.datetime().optional(),
});
export type OtpEvent = z.infer<typeof otpEventSchema>;
export type OtpEventInput = Omit<z.input<typeof otpEventSchema>, 'schema' | 'eventId' | 'occurredAt'>;
