import { randomUUID } from 'node:crypto';
import type { JobAttempt, SendJob } from '@otpflow/contracts';
import type { AttemptResult } from '../../src/consume/delivery-attempt.js';
import type { OpenedJob } from '../../src/consume/outcome.js';

/** A send job envelope as the gateway would publish it (unsealed: for code that never opens it). */
export function sendJob(overrides: Partial<SendJob> & { now?: Date; expiresInMs?: number } = {}): SendJob {
  const { now = new Date(), expiresInMs = 300_000, ...fields } = overrides;
  return {
    schema: 'otpflow.send-job.v2',
    jobId: randomUUID(),
    authenticationId: randomUUID(),
    clientId: 'acme',
    channel: 'sms',
    countryCallingCode: '34',
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + expiresInMs).toISOString(),
    options: {},
    allowedChannels: ['sms', 'voice'],
    test: false,
    sealed: 'unused',
    ...fields,
  };
}

export function openedJob(
  options: {
    now?: Date;
    expiresInMs?: number;
    test?: boolean;
    attempt?: JobAttempt;
    workflow?: SendJob['workflow'];
  } = {},
): OpenedJob {
  const { attempt = { attempt: 1, run: 'first' }, ...job } = options;
  return {
    job: sendJob(job),
    payload: { to: '+34612345678', text: '482913 is your code', code: '482913', variables: {} },
    attempt,
  };
}

export function acceptedResult(): Extract<AttemptResult, { accepted: true }> {
  return {
    accepted: true,
    provider: 'alpha',
    receipt: { providerMessageId: 'alpha-1' },
    message: {
      idempotencyKey: 'job:first',
      jobId: 'job',
      authenticationId: 'auth',
      channel: 'sms',
      to: '+34612345678',
      text: '482913 is your code',
      code: '482913',
      expiresAt: new Date(),
      variables: {},
      sms: { encoding: 'GSM-7', parts: 1 },
    },
    history: [{ provider: 'alpha', at: new Date(), outcome: 'accepted' }],
  };
}

export function failedResult(options: { retryable: boolean }): Extract<AttemptResult, { accepted: false }> {
  return {
    accepted: false,
    channel: 'sms',
    retryable: options.retryable,
    reason: options.retryable ? 'http_503' : 'vendor_21211',
    lastError: options.retryable ? 'alpha: alpha answered 503' : 'alpha: refused the number',
    provider: 'alpha',
    history: [
      {
        provider: 'alpha',
        at: new Date(),
        outcome: options.retryable ? 'retryable_error' : 'permanent_error',
        error: options.retryable ? 'http_503' : 'vendor_21211',
      },
    ],
  };
}
