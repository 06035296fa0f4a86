import { phoneNumberSchema } from '@otpflow/contracts';
import { z } from 'zod';

/**
 * The request bodies of CAMARA OTPValidation 1.1.1, rule for rule. Unknown properties are ignored, as
 * the spec does not forbid them (additionalProperties is not set to false).
 */
export function sendCodeBodySchema(messageMaxLength: number) {
  return z.object({
    phoneNumber: phoneNumberSchema,
    message: z
      .string()
      .max(Math.min(160, messageMaxLength), `must be at most ${Math.min(160, messageMaxLength)} characters`)
      .regex(/\{\{code\}\}/, 'must contain {{code}}'),
  });
}

export const validateCodeBodySchema = z.object({
  authenticationId: z.string().max(36, 'must be at most 36 characters'),
  code: z.string().max(10, 'must be at most 10 characters'),
});
