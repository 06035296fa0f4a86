import { channelSchema, secondsBeforeLastStep, senderIdSchema, workflowSchema } from '@otpflow/contracts';
import { z } from 'zod';
import { INTERNATIONAL_NETWORKS, NUMBER_TYPES, type NumberType } from '../otp/phone-policy.js';

const range = (min: number, max: number) =>
  z
    .object({ min: z.number().int().min(min).max(max), max: z.number().int().min(min).max(max) })
    .refine((bounds) => bounds.min <= bounds.max, { message: 'min must not exceed max' });

export const ALPHABET_NAMES = ['digits', 'uppercase', 'lowercase', 'special'] as const;
export const alphabetNamesSchema = z.array(z.enum(ALPHABET_NAMES)).min(1).max(4);
export type AlphabetNames = z.infer<typeof alphabetNamesSchema>;

const numberTypesSchema = z.array(z.enum(NUMBER_TYPES)).min(1);
/** A prefix within one of the international networks refused by default: `+881`, or `+8816` alone. */
const internationalNetworkSchema = z
  .string()
  .regex(
    new RegExp(`^\\+(${INTERNATIONAL_NETWORKS.map((prefix) => prefix.slice(1)).join('|')})[0-9]{0,12}$`),
    `must be one of the international networks refused by default (${INTERNATIONAL_NETWORKS.join(', ')}), or a prefix within one`,
  );

const fraudPolicySchema = z.strictObject({
  thresholdScale: z.number().min(0.1).max(100).optional(),
  minConversion: z.number().min(0).max(1).optional(),
});

/** BCP 47-ish: `es`, `es-ES`, `es-LA`, `es-419`. */
export const localeSchema = z
  .string()
  .regex(/^[a-z]{2,3}(-([A-Z]{2}|[0-9]{3}))?$/, 'must be a locale like es or es-ES');

/**
 * A client's policy: the defaults a verification gets when the request says nothing (the CAMARA API
 * never says anything), and the bounds a native request must stay within. Stored per client in
 * MongoDB; every field falls back to the deployment's settings.
 */
export const clientPolicySchema = z
  .object({
    code: z.object({ length: z.number().int().min(4).max(32), alphabet: alphabetNamesSchema }),
    codeLength: range(4, 32),
    validitySeconds: z.object({ default: z.number().int().min(30).max(86_400) }).and(range(30, 86_400)),
    maxAttempts: z.object({ default: z.number().int().min(1).max(20) }).and(range(1, 20)),
    /** Codes per phone number per window, this client's own count. */
    sends: z.object({
      max: z.number().int().min(1).max(1000),
      windowSeconds: z
        .number()
        .int()
        .min(1)
        .max(86_400 * 7),
    }),
    resendIntervalSeconds: z.number().int().min(0).max(3600),
    /**
     * CAMARA send-code waits out `resendIntervalSeconds` between two codes for one number too (native
     * creates and resends always do). Off by default: CAMARA lets a new code supersede the last at once.
     */
    sendCodeCooldown: z.boolean(),
    channels: z.array(channelSchema).min(1),
    /** Country calling codes this client may send to ("34", "1"); empty: wherever the deployment serves. */
    countries: z.array(z.string().regex(/^[1-9][0-9]{0,2}$/)),
    /**
     * Line types this client may reach by each channel (the deployment's SMS_NUMBER_TYPES and
     * VOICE_NUMBER_TYPES by default). Only here may premium-rate, shared-cost, UAN and pager lines,
     * and VoIP and personal numbers by voice, be allowed.
     */
    smsNumberTypes: numberTypesSchema,
    voiceNumberTypes: numberTypesSchema,
    /** International networks (+870, +881, +882, +883) this client may reach: none by default. */
    internationalNetworks: z.array(internationalNetworkSchema).max(20),
    senderId: senderIdSchema.optional(),
    /** Sender ids a request may ask for; the default sender id is always allowed. */
    senderIds: z.array(senderIdSchema),
    defaultTemplate: z.object({ id: z.string().min(1).max(100), locale: localeSchema }).optional(),
    defaultLocale: localeSchema,
    /**
     * The channel workflow of a verification that names none (CAMARA send-code always; a native create
     * without `channel` or `workflow`): each step on one of `channels`.
     */
    workflow: workflowSchema.optional(),
    /**
     * The fraud guard's thresholds for this client (docs/FRAUD.md): `thresholdScale` multiplies every
     * count threshold (above 1 for traffic that is legitimately dense), `minConversion` replaces the
     * deployment's conversion floor. Its allowed countries are `countries`.
     */
    fraud: fraudPolicySchema.optional(),
  })
  .superRefine((policy, ctx) => {
    const check = (path: string, value: number, bounds: { min: number; max: number }) => {
      if (value < bounds.min || value > bounds.max) {
        ctx.addIssue({
          code: 'custom',
          path: [path],
          message: `must be within ${bounds.min}..${bounds.max}`,
        });
      }
    };
    check('code.length', policy.code.length, policy.codeLength);
    check('validitySeconds.default', policy.validitySeconds.default, policy.validitySeconds);
    check('maxAttempts.default', policy.maxAttempts.default, policy.maxAttempts);
    for (const [index, step] of (policy.workflow ?? []).entries()) {
      if (!policy.channels.includes(step.channel))
        ctx.addIssue({
          code: 'custom',
          path: ['workflow', index, 'channel'],
          message: 'is not one of channels',
        });
    }
    if (policy.workflow && secondsBeforeLastStep(policy.workflow) >= policy.validitySeconds.default)
      ctx.addIssue({
        code: 'custom',
        path: ['workflow'],
        message: 'its timeouts must be shorter than validitySeconds.default',
      });
    if (
      policy.code.alphabet.length === 1 &&
      policy.code.alphabet[0] === 'digits' &&
      policy.code.length > 10
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['code', 'length'],
        message: 'digit-only codes are 4 to 10 long',
      });
    }
  });
export type ClientPolicy = z.infer<typeof clientPolicySchema>;

/** What an operator stores: any subset of a policy (objects replaced whole). */
export const storedPolicySchema = z
  .object({
    code: z.object({ length: z.number().int(), alphabet: alphabetNamesSchema }),
    codeLength: z.object({ min: z.number().int(), max: z.number().int() }),
    validitySeconds: z.object({ default: z.number().int(), min: z.number().int(), max: z.number().int() }),
    maxAttempts: z.object({ default: z.number().int(), min: z.number().int(), max: z.number().int() }),
    sends: z.object({ max: z.number().int(), windowSeconds: z.number().int() }),
    resendIntervalSeconds: z.number().int(),
    sendCodeCooldown: z.boolean(),
    channels: z.array(channelSchema),
    countries: z.array(z.string()),
    smsNumberTypes: z.array(z.string()),
    voiceNumberTypes: z.array(z.string()),
    internationalNetworks: z.array(z.string()),
    senderId: senderIdSchema,
    senderIds: z.array(senderIdSchema),
    defaultTemplate: z.object({ id: z.string().min(1).max(100), locale: localeSchema }),
    defaultLocale: localeSchema,
    workflow: workflowSchema,
    fraud: fraudPolicySchema,
  })
  .partial()
  .strict();
export type StoredPolicy = z.infer<typeof storedPolicySchema>;

/** The deployment's defaults, from its settings. */
export interface PolicyDefaults {
  codeLength: number;
  validitySeconds: number;
  maxAttempts: number;
  maxSends: number;
  sendWindowSeconds: number;
  smsNumberTypes: readonly NumberType[];
  voiceNumberTypes: readonly NumberType[];
}

export function defaultPolicy(defaults: PolicyDefaults): ClientPolicy {
  return {
    code: { length: defaults.codeLength, alphabet: ['digits'] },
    codeLength: { min: 4, max: 32 },
    validitySeconds: {
      default: defaults.validitySeconds,
      min: 30,
      max: Math.max(3600, defaults.validitySeconds),
    },
    maxAttempts: { default: defaults.maxAttempts, min: 1, max: Math.max(10, defaults.maxAttempts) },
    sends: { max: defaults.maxSends, windowSeconds: defaults.sendWindowSeconds },
    resendIntervalSeconds: 30,
    sendCodeCooldown: false,
    channels: ['sms', 'voice'],
    countries: [],
    smsNumberTypes: [...defaults.smsNumberTypes],
    voiceNumberTypes: [...defaults.voiceNumberTypes],
    internationalNetworks: [],
    senderIds: [],
    defaultLocale: 'en',
  };
}

/** The effective policy: the stored fields over the defaults, checked as a whole. */
export function effectivePolicy(
  defaults: ClientPolicy,
  stored: StoredPolicy | undefined,
): z.ZodSafeParseResult<ClientPolicy> {
  return clientPolicySchema.safeParse({ ...defaults, ...stored });
}

/** The flags the code generator and comparison use, from the names in policies and requests. */
export function alphabetFromNames(names: readonly (typeof ALPHABET_NAMES)[number][]): {
  digits: boolean;
  upper: boolean;
  lower: boolean;
  special: boolean;
} {
  return {
    digits: names.includes('digits'),
    upper: names.includes('uppercase'),
    lower: names.includes('lowercase'),
    special: names.includes('special'),
  };
}
