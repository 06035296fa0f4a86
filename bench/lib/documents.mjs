import { randomUUID } from 'node:crypto';

export const BENCH_CLIENT_ID = 'bench-client';
export const BENCH_API_KEY = 'bench-api-key-0123456789abcdef';
/** Every prefilled session's code, and every test number's: validate-code always presents the right code. */
export const BENCH_CODE = '123456';

/**
 * A pending session as the gateway's CodeIssuer writes one for a CAMARA send-code with the standard
 * message (same fields, same types), so a prefilled session costs the store what a real one does.
 * `codeHash` is the gateway's own hasher's output, passed in.
 */
export function pendingSession({ id = randomUUID(), phoneNumber, codeHash, now = new Date() }) {
  const expiresAt = new Date(now.getTime() + 300_000);
  return {
    _id: id,
    clientId: BENCH_CLIENT_ID,
    phoneNumber,
    countryCallingCode: '34',
    channel: 'sms',
    codeHash,
    status: 'pending',
    maxAttempts: 3,
    attemptsLeft: 3,
    createdAt: now,
    expiresAt,
    purgeAt: new Date(expiresAt.getTime() + 86_400_000),
    test: true,
    jobId: randomUUID(),
    codeLength: 6,
    alphabet: { digits: true, upper: false, lower: false, special: false },
    content: {},
    sends: 1,
    lastSentAt: now,
    resendIntervalSeconds: 0,
  };
}

/**
 * A number's document with one pending code for the bench client, as the gateway's send-code writes one
 * for a CAMARA send-code with the standard message (docs/data-model.md); `ref` and `codeHash` come from
 * the gateway's own CodeAddresses and CodeHasher.
 */
export function pendingNumber({ ref, codeHash, now = new Date() }) {
  const expiresAt = new Date(now.getTime() + 300_000);
  const purgeAt = new Date(expiresAt.getTime() + 86_400_000);
  return {
    _id: ref.numberKey,
    purgeAt,
    tenants: {
      [ref.tenantKey]: {
        live: ref.codeId,
        nextCodeAt: now,
        codes: {
          [ref.codeId]: {
            hash: codeHash,
            status: 'pending',
            maxAttempts: 3,
            attemptsLeft: 3,
            createdAt: now,
            requestedAt: now,
            expiresAt,
            validitySeconds: 300,
            purgeAt,
            channel: 'sms',
            countryCallingCode: '34',
            jobId: randomUUID(),
            sends: 1,
            test: true,
            codeLength: 6,
            alphabet: { digits: true, upper: false, lower: false, special: false },
            content: {},
            resendIntervalSeconds: 0,
          },
        },
      },
    },
  };
}

/** The `n`-th of a series of distinct numbers: Spanish mobiles (+34 6xx), valid under strict checks. */
export function mobileNumber(n) {
  return `+346${String(10_000_000 + (n % 80_000_000)).padStart(8, '0')}`;
}

/** The `n`-th test number (+3460000xxxx), within the first `count`. */
export function testNumber(n, count) {
  return `+3460000${String(n % count).padStart(4, '0')}`;
}

/** TEST_NUMBERS for the gateway: `count` numbers, each with BENCH_CODE. */
export function testNumbersEnv(count) {
  return Array.from({ length: count }, (_, n) => `${testNumber(n, count)}:${BENCH_CODE}`).join(',');
}

export const CODE_HASH_SECRET = 'bench-code-hash-secret-0123456789abcdef';

/**
 * Limits high enough never to answer 403/429: the bench measures the work, not the refusals (they are
 * still counted in the store on every request). A run's results state them, and its report reads them there.
 */
export const GATEWAY_LIMITS = {
  MAX_SENDS: 1000,
  SEND_WINDOW_SECONDS: 60,
  NUMBER_MAX_SENDS: 100_000,
  NUMBER_SEND_WINDOW_SECONDS: 60,
  CLIENT_RATE_LIMIT: 1_000_000_000,
  CLIENT_QUOTA: 1_000_000_000,
};

/** The gateway's environment in every bench: one API key, test numbers, limits that never refuse. */
export function gatewayEnv({ port, mongoUrl, rabbitUrl, prefix, logLevel, testNumbers }) {
  return {
    NODE_ENV: 'development',
    LOG_LEVEL: logLevel,
    HOST: '127.0.0.1',
    PORT: String(port),
    MONGODB_URL: mongoUrl,
    RABBITMQ_URL: rabbitUrl,
    AMQP_PREFIX: prefix,
    API_KEYS: `${BENCH_API_KEY}:${BENCH_CLIENT_ID}`,
    CODE_HASH_SECRET,
    TEST_NUMBERS: testNumbersEnv(testNumbers),
    ...Object.fromEntries(Object.entries(GATEWAY_LIMITS).map(([name, value]) => [name, String(value)])),
  };
}
