import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { tenantIdFieldSchema } from './tenant-id.js';
import { channelSchema } from './channel.js';
import { openJson, sealJson, type JobKey } from './job-crypto.js';

/**
 * Status callbacks: what a tenant can subscribe to, the body otpflow POSTs (Standard Webhooks form:
 * `{type, timestamp, data}`), and the job that carries one delivery to one endpoint through RabbitMQ.
 */
export const CALLBACK_EVENT_TYPES = [
  'verification.sent',
  'verification.delivered',
  'verification.undelivered',
  'verification.approved',
  'verification.expired',
  'verification.failed',
  'verification.canceled',
  'verification.fraud_blocked',
] as const;
export const callbackEventTypeSchema = z.enum(CALLBACK_EVENT_TYPES);
export type CallbackEventType = z.infer<typeof callbackEventTypeSchema>;

/** The body a tenant's endpoint receives. No code, no phone number: the same rule as events. */
export const callbackPayloadSchema = z.object({
  type: callbackEventTypeSchema,
  timestamp: z.iso.datetime(),
  data: z.object({
    /** The id the send answered with (CAMARA `authenticationId`, native `id`). */
    verificationId: z.string().min(1).max(36),
    channel: channelSchema,
    countryCallingCode: z.string(),
    requestedAt: z.iso.datetime(),
    provider: z.string().optional(),
    attempt: z.number().int().optional(),
    reason: z.string().optional(),
  }),
});
export type CallbackPayload = z.infer<typeof callbackPayloadSchema>;

export const CALLBACK_JOB_SCHEMA = 'otpflow.callback.v1';

export const callbackJobSchema = z.object({
  schema: z.literal(CALLBACK_JOB_SCHEMA),
  /** `webhook-id`: the event id, the same on every retry, so the receiver can drop repeats. */
  webhookId: z.string().min(1).max(64),
  endpointId: z.string().min(1).max(64),
  clientId: tenantIdFieldSchema,
  url: z.url(),
  /** The endpoint's signing secret, sealed (never in plaintext in RabbitMQ). */
  sealedSecret: z.string().min(1),
  /** The exact bytes signed and sent. */
  body: z.string().min(2).max(16_384),
  type: callbackEventTypeSchema,
  /** When the event happened: the delay to the callback is measured from it. */
  occurredAt: z.iso.datetime(),
});
export type CallbackJob = z.infer<typeof callbackJobSchema>;

const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret in the Standard Webhooks form: `whsec_` and 24 random bytes in base64. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

/** Binds a sealed secret to its endpoint: a secret copied onto another endpoint does not open. */
function secretAad(clientId: string, endpointId: string): string {
  return `webhook-secret:${clientId}:${endpointId}`;
}

export function sealWebhookSecret(
  secret: string,
  keys: readonly JobKey[],
  endpoint: { clientId: string; endpointId: string },
): string {
  return sealJson(secret, keys, secretAad(endpoint.clientId, endpoint.endpointId));
}

/** Opens a sealed secret; a JobRejectedError when it does not authenticate (wrong key or endpoint). */
export function openWebhookSecret(
  sealed: string,
  keys: readonly JobKey[],
  endpoint: { clientId: string; endpointId: string },
): string {
  return z.string().parse(openJson(sealed, keys, secretAad(endpoint.clientId, endpoint.endpointId)));
}
