import { CALLBACK_EVENT_TYPES, callbackEventTypeSchema } from '@otpflow/contracts';
import { z } from 'zod';

const events = z
  .array(callbackEventTypeSchema)
  .min(1)
  .max(CALLBACK_EVENT_TYPES.length)
  .refine((list) => new Set(list).size === list.length, { message: 'each event type at most once' })
  .describe('The event types this endpoint receives.');

/**
 * The endpoint URL: absolute, no credentials in it (the signature authenticates otpflow, and a
 * password in a URL ends up in logs), no fragment. Whether plain http is allowed is the router's
 * decision (WEBHOOK_ALLOW_HTTP), since it depends on the deployment.
 */
const url = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .refine(
    (value) => {
      // zod runs this check after a failed url check too: what is no URL has been refused already.
      const parsed = URL.parse(value);
      return parsed === null || (parsed.username === '' && parsed.password === '' && parsed.hash === '');
    },
    { message: 'must not carry credentials or a fragment' },
  );

export const createWebhookSchema = z.strictObject({
  url,
  events,
  description: z.string().max(200).optional(),
  enabled: z.boolean().default(true),
});

export const updateWebhookSchema = z
  .strictObject({
    url: url.optional(),
    events: events.optional(),
    description: z.string().max(200).optional(),
    enabled: z.boolean().optional(),
  })
  .refine((change) => Object.keys(change).length > 0, { message: 'change at least one field' });

export const webhookIdSchema = z.string().regex(/^ep_[A-Za-z0-9_-]{16}$/, 'must be an endpoint id (ep_...)');

export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(callbackEventTypeSchema),
  enabled: z.boolean(),
  description: z.string().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

/** The answer to a create or a secret rotation: the only time the secret is shown. */
export const webhookWithSecretSchema = webhookSchema.extend({
  secret: z.string().describe('The signing secret (whsec_...): shown once, keep it.'),
});
