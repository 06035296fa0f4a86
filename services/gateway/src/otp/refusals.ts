import { ApiError } from '@otpflow/errors';
import type { Refusal } from './session-store.js';

/**
 * How each refusal of a new code is answered, in one table. The caps and the lockout after
 * VERIFICATION_FAILED are CAMARA's MAX_OTP_CODES_EXCEEDED ("Too many OTPs have been requested for this
 * MSISDN. Try later."): the spec's error for a number that may not get another code for now; the
 * cooldown between two codes is a pause, TOO_MANY_REQUESTS, as a resend too soon always was. Both
 * say when to try again (Retry-After).
 */
const ANSWERS: Record<
  Refusal['reason'],
  { code: 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED' | 'TOO_MANY_REQUESTS'; message?: string }
> = {
  msisdn_cap: { code: 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED' },
  tenant_cap: { code: 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED' },
  locked: { code: 'ONE_TIME_PASSWORD_SMS.MAX_OTP_CODES_EXCEEDED' },
  cooldown: { code: 'TOO_MANY_REQUESTS', message: 'A new code cannot be sent yet.' },
};

export function refusalAnswer(refusal: Refusal, now: Date): ApiError {
  const { code, message } = ANSWERS[refusal.reason];
  return new ApiError(code, {
    ...(message ? { message } : {}),
    retryAfterSeconds: Math.max(1, Math.ceil((refusal.retryAt.getTime() - now.getTime()) / 1000)),
  });
}
