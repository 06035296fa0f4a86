import { ApiError } from '@otpflow/errors';
import type { Decision } from '@otpflow/fraud';

/** CAMARA has no code of its own for it: the spec's "can't receive an SMS due to business reasons". */
const CAMARA_MESSAGE =
  'The phone number cannot receive a code now: the request was refused by a risk decision.';

/**
 * How a refusal is answered, per API. Neither names the signal, the range or the threshold: an
 * attacker learns that a risk decision refused the send, and when to try again, nothing to tune to.
 * CAMARA: 403 PHONE_NUMBER_NOT_ALLOWED for a block, 429 TOO_MANY_REQUESTS for a throttle; native:
 * FRAUD_BLOCKED and FRAUD_THROTTLED. Every refusal is temporary, so both carry Retry-After.
 */
export function fraudAnswer(
  decision: Exclude<Decision, { action: 'allow' }>,
  api: 'camara' | 'native',
): ApiError {
  const retryAfterSeconds = decision.retryAfterSeconds;
  if (api === 'native')
    return new ApiError(decision.action === 'block' ? 'FRAUD_BLOCKED' : 'FRAUD_THROTTLED', {
      retryAfterSeconds,
    });
  return decision.action === 'block'
    ? new ApiError('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED', {
        message: CAMARA_MESSAGE,
        retryAfterSeconds,
      })
    : new ApiError('TOO_MANY_REQUESTS', { retryAfterSeconds });
}
