import { z } from 'zod';
import { tenantIdFieldSchema } from './tenant-id.js';
import {
  channelSchema,
  senderIdSchema,
  type Channel,
  voiceGenderSchema,
  voiceLanguageSchema,
} from './channel.js';
import { maskedNumberSchema } from './events.js';
import { workflowSchema } from './workflow.js';

/**
 * The send job: one per code, published by the gateway to `otp.jobs`, consumed by the dispatcher.
 * Everything secret (the number, the rendered text, the code) travels only inside `sealed`
 * (see job-crypto.ts), so neither the broker nor a dead-letter queue ever holds them in plaintext.
 * The other fields stay readable (routing, metrics, the dead-letter CLI) but are bound to the sealed
 * part as its associated data: a job with any of them changed does not open.
 *
 * v2 (from v1): every envelope field is authenticated, not only the ids and the expiry, and the job
 * carries the channels the client's policy allows. A v1 job is refused as `unsupported_version`.
 */
export const SEND_JOB_SCHEMA = 'otpflow.send-job.v2';

/** The envelope without its sealed part: what the associated data covers. */
export const sendJobEnvelopeSchema = z.object({
  schema: z.literal(SEND_JOB_SCHEMA),
  /** Unique per send; a resend is a new job. The dispatcher deduplicates on it. */
  jobId: z.uuid(),
  authenticationId: z.string().min(1).max(36),
  clientId: tenantIdFieldSchema,
  channel: channelSchema,
  /** Country calling code without '+', e.g. "34": enough for routing and metrics, never the number. */
  countryCallingCode: z.string().regex(/^[1-9][0-9]{0,2}$/),
  createdAt: z.iso.datetime(),
  /** The code's expiry: a job past it is never delivered. */
  expiresAt: z.iso.datetime(),
  options: z
    .object({
      senderId: senderIdSchema.optional(),
      voiceLanguage: voiceLanguageSchema.optional(),
      voiceGender: voiceGenderSchema.optional(),
      templateId: z.string().min(1).max(100).optional(),
      locale: z.string().min(2).max(35).optional(),
    })
    .default({}),
  /**
   * The channels the client's policy allows for this code: the dispatcher never falls back to a
   * channel outside them (an SMS that every provider refused is not turned into a call the client
   * forbids).
   */
  allowedChannels: z.array(channelSchema).min(1).max(2),
  /** True for TEST_NUMBERS: the job exists for the flow, but no provider is called. */
  test: z.boolean().default(false),
  /**
   * The channel workflow (workflow.ts): its first step is `channel`, every step's channel is one of
   * `allowedChannels`. Absent: one step on `channel` (or the dispatcher's SMS_FALLBACK_TO_VOICE
   * default). Optional so jobs without one authenticate as before; a dispatcher older than this field
   * refuses a job that carries one (its associated data differs), so dispatchers are upgraded first.
   */
  workflow: workflowSchema.optional(),
  /**
   * The number as logs show it (`+346********34`), never whole: the job is also its code's
   * `code.requested` event (event-message.ts), which the verifications listing shows it from.
   * Optional so jobs of a gateway older than this field authenticate as before; a dispatcher older
   * than it refuses a job that carries it (its associated data differs), so dispatchers are upgraded
   * first.
   */
  maskedTo: maskedNumberSchema.optional(),
});

export type SendJobEnvelope = z.infer<typeof sendJobEnvelopeSchema>;

/**
 * How an envelope contradicts itself, if it does: a channel outside its own allowed channels, a
 * workflow that does not start on the channel or uses a channel not allowed. The schema refines on
 * these, and the gateway checks them on the envelope it builds (send-job-codec.ts), once.
 */
export function envelopeConflicts(
  job: Pick<SendJobEnvelope, 'channel' | 'allowedChannels' | 'workflow'>,
): { message: string; path: string }[] {
  const conflicts: { message: string; path: string }[] = [];
  const allowed = (channel: Channel) => job.allowedChannels.includes(channel);
  if (!allowed(job.channel)) {
    conflicts.push({ message: 'the channel must be one of allowedChannels', path: 'allowedChannels' });
  }
  const { workflow } = job;
  if (
    workflow &&
    (workflow[0]?.channel !== job.channel || !workflow.every((step) => allowed(step.channel)))
  ) {
    conflicts.push({
      message: 'the workflow must start on the channel and use allowed channels only',
      path: 'workflow',
    });
  }
  return conflicts;
}

export const sendJobSchema = sendJobEnvelopeSchema
  .extend({ sealed: z.string().min(1) })
  .superRefine((job, ctx) => {
    for (const { message, path } of envelopeConflicts(job))
      ctx.addIssue({ code: 'custom', message, path: [path] });
  });
export type SendJob = z.infer<typeof sendJobSchema>;
export type SendJobInput = z.input<typeof sendJobSchema>;

/** What `sealed` decrypts to. */
export const sealedSendPayloadSchema = z.object({
  to: z.string().regex(/^\+[1-9][0-9]{4,14}$/),
  /** The message with `{{code}}` filled in (SMS text). */
  text: z.string().min(1),
  /** The code alone, for voice scripts and template providers that take it as a variable. */
  code: z.string().min(1).max(32),
  /** Template variables other than the code (native API, template providers). */
  variables: z.record(z.string(), z.string()).default({}),
  /**
   * The end user's IP address, for the vendors whose API takes it (Octopush `recipient_ip`). Kept
   * apart from the template variables: it is not words of the message, and a template provider must
   * never put it in the text (an IPv6 address holds the `:` its variable syntax cannot carry).
   */
  recipientIp: z.union([z.ipv4(), z.ipv6()]).optional(),
  /**
   * For voice calls with the client's own words: the text with `{{code}}` still in it, for the
   * dispatcher to fill with the code spelled out. Without it a call reads the localized standard script.
   */
  voiceTemplate: z.string().min(1).max(1000).optional(),
  /**
   * Where the code lives in the gateway's `numbers` (docs/data-model.md), for readers of the job that
   * must know whether its code is still live (the dead-letter replay: `codeStateOf` in @otpflow/mongo).
   * Sealed: it links jobs of one number.
   */
  state: z
    .object({
      numberKey: z.string().min(1).max(64),
      tenantKey: z.string().min(1).max(64),
      codeId: z.string().min(1).max(64),
    })
    .optional(),
  /**
   * What the fraud guard knows of the number and the tenant at the gateway, for the dispatcher's guard
   * to judge a later workflow step as the gateway judged the first (docs/FRAUD.md): libphonenumber's
   * line type, and the tenant's own thresholds (its client policy's `fraud`). Sealed: the line type
   * says something of the number. Absent (a gateway older than this field): the step is judged as an
   * unknown line type, of the high cost tier.
   */
  fraud: z
    .object({
      lineType: z.string().min(1).max(32).optional(),
      thresholdScale: z.number().min(0.1).max(100).optional(),
      minConversion: z.number().min(0).max(1).optional(),
    })
    .optional(),
});
export type SealedSendPayload = z.infer<typeof sealedSendPayloadSchema>;
