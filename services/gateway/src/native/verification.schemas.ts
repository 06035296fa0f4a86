import {
  channelSchema,
  phoneNumberSchema,
  priceSchema,
  senderIdSchema,
  smsEncodingSchema,
  voiceGenderSchema,
  voiceLanguageSchema,
  MAX_WORKFLOW_STEPS,
  workflowStepSchema,
} from '@otpflow/contracts';
import { z } from 'zod';
import { alphabetNamesSchema, localeSchema } from '../policies/client-policy.js';
import { RESERVED_NAMES } from '../templates/message-text.js';

/** The native API's request and response bodies. The OpenAPI document is generated from these. */

const variableName = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/, 'must be a variable name')
  .refine((name) => !RESERVED_NAMES.has(name), 'is a reserved name');

export const createVerificationSchema = z
  .strictObject({
    to: phoneNumberSchema,
    channel: channelSchema.optional(),
    /**
     * Ordered channel steps: the next runs when the code is not verified within the step's timeout,
     * or at once when the step fails for good. Every step sends the same code.
     */
    workflow: z.array(z.strictObject(workflowStepSchema.shape)).min(1).max(MAX_WORKFLOW_STEPS).optional(),
    code: z
      .strictObject({
        length: z.number().int().min(4).max(32).optional(),
        alphabet: alphabetNamesSchema.optional(),
      })
      .optional(),
    validitySeconds: z.number().int().min(30).max(86_400).optional(),
    maxAttempts: z.number().int().min(1).max(20).optional(),
    senderId: senderIdSchema.optional(),
    voice: z
      .strictObject({ language: voiceLanguageSchema.optional(), gender: voiceGenderSchema.optional() })
      .optional(),
    message: z
      .string()
      .min(1)
      .max(1224)
      .regex(/\{\{code\}\}/, 'must contain {{code}}')
      .optional(),
    template: z
      .strictObject({
        id: z.string().min(1).max(100),
        locale: localeSchema.optional(),
        variables: z
          .record(
            variableName,
            z
              .string()
              .max(100)
              .regex(/^[^{}]*$/, 'must not contain braces'),
          )
          .default({}),
      })
      .optional(),
    recipientIp: z.union([z.ipv4(), z.ipv6()]).optional(),
  })
  .refine((body) => !(body.message && body.template), {
    message: 'give either message or template, not both',
    path: ['template'],
  })
  .refine((body) => !(body.channel && body.workflow && body.workflow[0]?.channel !== body.channel), {
    message: 'the workflow starts on another channel: give either channel or workflow',
    path: ['workflow'],
  });
export type CreateVerificationBody = z.infer<typeof createVerificationSchema>;

export const checkVerificationSchema = z.strictObject({ code: z.string().min(1).max(32) });

export const resendVerificationSchema = z.strictObject({ channel: channelSchema.optional() });

export const verificationStatusSchema = z.enum([
  'queued',
  'sent',
  'delivered',
  'verified',
  'expired',
  'failed',
  'canceled',
]);

export const deliveryAttemptSchema = z.object({
  provider: z.string(),
  at: z.iso.datetime(),
  outcome: z.enum(['accepted', 'retryable_error', 'permanent_error', 'timeout']),
  error: z.string().optional(),
});

export const verificationSchema = z.object({
  id: z.string(),
  status: verificationStatusSchema,
  channel: channelSchema,
  /** The number, masked. */
  to: z.string(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  maxAttempts: z.number().int(),
  attemptsRemaining: z.number().int(),
  resendAllowedAt: z.iso.datetime(),
  chargeInfo: z.object({ encoding: smsEncodingSchema, parts: z.number().int() }).nullable(),
  delivery: z.object({
    status: z.string(),
    provider: z.string().nullable(),
    attempts: z.number().int(),
    history: z.array(deliveryAttemptSchema),
    lastError: z.string().nullable(),
    sentAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    /** SMS parts the vendor says it billed, where it says (null otherwise: see chargeInfo). */
    billedParts: z.number().int().nullable(),
    /**
     * What the vendor says the message cost, in the currency it charged in, where it says: a decimal
     * string, never rounded or converted.
     */
    price: priceSchema.nullable(),
  }),
  verifiedAt: z.iso.datetime().nullable(),
});
export type VerificationView = z.infer<typeof verificationSchema>;

export const checkResultSchema = z.object({
  id: z.string(),
  valid: z.boolean(),
  status: verificationStatusSchema,
  attemptsRemaining: z.number().int(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

export const templateBodySchema = z.strictObject({
  text: z
    .string()
    .min(1)
    .max(1224)
    .regex(/\{\{code\}\}/, 'must contain {{code}}'),
});

export const templateSchema = z.object({
  id: z.string(),
  locale: z.string(),
  text: z.string(),
  variables: z.array(z.string()),
  chargeInfo: z.object({ encoding: smsEncodingSchema, parts: z.number().int() }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const templateIdSchema = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, dots, dashes or underscores');
