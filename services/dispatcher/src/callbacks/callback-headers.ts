/**
 * The headers a callback job carries, all set by the dispatcher: its attempt through the retry
 * tiers (the worker reads it), and on a dead letter why it was given up (for the dead-letter CLI and
 * operators; nothing acts on them).
 */
export const CALLBACK_HEADERS = {
  attempt: 'x-otpflow-callback-attempt',
  reason: 'x-otpflow-reason',
  lastError: 'x-otpflow-last-error',
  deadLetteredAt: 'x-otpflow-dead-lettered-at',
} as const;
