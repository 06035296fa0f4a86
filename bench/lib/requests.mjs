import { BENCH_API_KEY, BENCH_CLIENT_ID, BENCH_CODE, testNumber } from './documents.mjs';

// The request bodies every bench script loads the gateway (or a reference server) with, in the form
// bench/lib/load.mjs takes (`path`, `headers`, `nextBody`, `onResponse`).

export const SEND_PATH = '/one-time-password-sms/v1/send-code';
export const VALIDATE_PATH = '/one-time-password-sms/v1/validate-code';
export const MESSAGE = '{{code}} is your Cool App code';
export const BENCH_HEADERS = {
  authorization: `Bearer ${BENCH_API_KEY}`,
  'content-type': 'application/json',
  accept: 'application/json',
};

/** CAMARA send-code bodies, `nextNumber()` giving each one's phone number. */
export function sendCodeSource(nextNumber, { path = SEND_PATH, message = MESSAGE, onResponse } = {}) {
  return {
    path,
    headers: BENCH_HEADERS,
    nextBody: () => JSON.stringify({ phoneNumber: nextNumber(), message }),
    onResponse,
  };
}

/**
 * Validate-code bodies with the right code (BENCH_CODE), `nextId()` giving each one's session. With
 * `withClientId`, the body names the bench client too: the ceiling has no authentication to take it
 * from (the gateway ignores it).
 */
export function validateCodeSource(nextId, { path = VALIDATE_PATH, withClientId = false } = {}) {
  const client = withClientId ? { clientId: BENCH_CLIENT_ID } : {};
  return {
    path,
    headers: BENCH_HEADERS,
    nextBody: () => JSON.stringify({ authenticationId: nextId(), code: BENCH_CODE, ...client }),
  };
}

/**
 * One bench script's load for `operation` ("send" or "validate") on the gateway or on the ceiling
 * (bench/ceiling-server.mjs: its own paths, and the client in the body): send-code cycles through the
 * first `testNumbers` test numbers, validate-code through `ids` (prefilled sessions).
 */
export function operationSource(
  operation,
  { ceiling = false, ids = [], testNumbers = 5000, withClientId = ceiling } = {},
) {
  let n = 0;
  return operation === 'send'
    ? sendCodeSource(() => testNumber(n++, testNumbers), { path: ceiling ? '/send' : SEND_PATH })
    : validateCodeSource(() => ids[n++ % ids.length], {
        path: ceiling ? '/validate' : VALIDATE_PATH,
        withClientId,
      });
}
