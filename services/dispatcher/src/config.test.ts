import { ConfigError } from '@otpflow/config';
import { DEV_JOB_ENCRYPTION_KEYS } from '@otpflow/contracts';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const PRODUCTION_KEY = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
/** The public development key material under an innocent-looking id. */
const DEV_KEY_RENAMED = DEV_JOB_ENCRYPTION_KEYS.replace(/^dev:/, 'prod2026:');

const production = {
  NODE_ENV: 'production',
  JOB_ENCRYPTION_KEYS: PRODUCTION_KEY,
  SMS_PROVIDERS: 'webhook',
  VOICE_PROVIDERS: 'webhook',
  WEBHOOK_URL: 'https://sms-gateway.internal.example/sms',
  WEBHOOK_SECRET: 'webhook-secret-0123456789',
};

const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.problems];
  }
};

describe('dispatcher config', () => {
  it('works out of the box in development with the console provider', () => {
    expect(loadConfig({})).toMatchObject({ SMS_PROVIDERS: ['console'], VOICE_PROVIDERS: ['console'] });
  });

  it('accepts a production environment with its own key and a signed https webhook', () => {
    expect(problemsOf(production)).toEqual([]);
  });

  it('refuses the development job key in production, whatever its key id', () => {
    expect(problemsOf({ ...production, JOB_ENCRYPTION_KEYS: DEV_JOB_ENCRYPTION_KEYS })).toEqual([
      expect.stringMatching(/^JOB_ENCRYPTION_KEYS: .*development key/),
    ]);
    expect(
      problemsOf({ ...production, JOB_ENCRYPTION_KEYS: `${PRODUCTION_KEY},${DEV_KEY_RENAMED}` }),
    ).toEqual([expect.stringMatching(/^JOB_ENCRYPTION_KEYS: .*development key/)]);
  });

  it('refuses a plain-http or unsigned webhook provider in production', () => {
    const problems = problemsOf({
      ...production,
      WEBHOOK_URL: 'http://sms-gateway.internal.example/sms',
      WEBHOOK_SECRET: '',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^WEBHOOK_URL: .*https/),
        expect.stringMatching(/^WEBHOOK_SECRET: .*required in production/),
      ]),
    );
  });

  it('names TWILIO_AUTH_TOKEN when status callbacks are asked for with an API key alone', () => {
    expect(
      problemsOf({
        SMS_PROVIDERS: 'twilio',
        TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
        TWILIO_API_KEY_SID: `SK${'b'.repeat(32)}`,
        TWILIO_API_KEY_SECRET: 'c'.repeat(32),
        TWILIO_FROM: '+14155550100',
        TWILIO_STATUS_CALLBACK_URL: 'https://otp.example.com/v1/receipts/twilio',
      }),
    ).toEqual([expect.stringMatching(/^TWILIO_AUTH_TOKEN: .*signs status callbacks.*\(provider twilio\)$/)]);
  });

  it('refuses receipts over plain http in production', () => {
    expect(problemsOf({ ...production, PUBLIC_BASE_URL: 'http://otp.example.com' })).toEqual([
      expect.stringMatching(/^PUBLIC_BASE_URL: .*https/),
    ]);
  });

  it('refuses callbacks to internal addresses in production, and takes them elsewhere only when asked', () => {
    expect(problemsOf({ ...production, CALLBACK_ALLOW_PRIVATE_ADDRESSES: 'true' })).toEqual([
      expect.stringMatching(/^CALLBACK_ALLOW_PRIVATE_ADDRESSES: /),
    ]);
    expect(loadConfig({}).CALLBACK_ALLOW_PRIVATE_ADDRESSES).toBe(false);
    expect(loadConfig({ CALLBACK_ALLOW_PRIVATE_ADDRESSES: 'true' }).CALLBACK_ALLOW_PRIVATE_ADDRESSES).toBe(
      true,
    );
  });
});
