import { ATTEMPT_HEADERS } from '@otpflow/contracts';

/**
 * The headers a send job carries between hops, all set by the dispatcher (the gateway sets none). The
 * attempt and run are signed (see @otpflow/contracts job-attempt.ts); the others only inform the
 * dead-letter CLI and operators, and nothing acts on them.
 */
export const JOB_HEADERS = {
  ...ATTEMPT_HEADERS,
  reason: 'x-otp-reason',
  lastError: 'x-otp-last-error',
  provider: 'x-otp-provider',
  attempts: 'x-otp-attempts',
  deadLetteredAt: 'x-otp-dead-lettered-at',
  jobId: 'x-otp-job-id',
  expiresAt: 'x-otp-expires-at',
} as const;
