import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accuauthProvider } from '../../../src/providers/accuauth/accuauth.provider.js';
import { AccuAuthFake, accuauthAnswer } from '../../fakes/accuauth.fake.js';
import { providerContract, sampleMessage, type ContractSubject } from '../../providers/provider-contract.js';
import { providerFromEnv, vendorSubject } from '../../providers/vendor-subject.js';

const API_ID = 'df-api-id-0001';
const API_SECRET = 'df-api-secret-0001-abcdef';
const TEMPLATE = 'tpl_otp_en_01';

describe('accuauth provider', () => {
  let fake: AccuAuthFake;
  let subject: ContractSubject;
  const send = (overrides: Parameters<typeof sampleMessage>[0] = {}) =>
    subject.provider.send(sampleMessage(overrides), AbortSignal.timeout(5_000));

  beforeEach(async () => {
    fake = await new AccuAuthFake(API_ID, API_SECRET).start();
    const provider = providerFromEnv(accuauthProvider, {
      ACCUAUTH_API_ID: API_ID,
      ACCUAUTH_API_SECRET: API_SECRET,
      ACCUAUTH_TEMPLATE_ID: TEMPLATE,
      ACCUAUTH_BASE_URL: fake.http.url,
    });
    subject = vendorSubject(fake, provider, (message) => {
      const request = fake.requests.at(-1);
      expect(request?.method).toBe('POST');
      expect(request?.path).toBe('/data/send_sms_otp');
      expect(request?.headers['x-df-api-id']).toBe(API_ID);
      expect(request?.headers['x-df-api-secret']).toBe(API_SECRET);
      expect(request?.headers['content-type']).toBe('application/json');
      expect(fake.lastJsonBody()).toEqual({
        phone_number: message.to,
        template_id: message.templateId ?? TEMPLATE,
        // The sample message expires in five minutes.
        content: `code:${message.code},expire_at:5`,
      });
    });
  });
  afterEach(async () => {
    await subject.close();
  });

  providerContract(() => subject);

  it('returns the request id and the charge', async () => {
    fake.http.respondWith(() =>
      accuauthAnswer(200, 'OK', { charge_info: { charge: 2 }, request_id: 'TIDabc' }),
    );
    expect(await send()).toEqual({ providerMessageId: 'TIDabc', billedParts: 2 });
  });

  it('fills the template with the code, the minutes left and the variables', async () => {
    const expiresAt = new Date(Date.now() + 61_000);
    await send({ templateId: 'tpl_2', expiresAt, variables: { app: 'CoolApp', name: 'Budi' } });
    expect(fake.lastJsonBody()).toEqual({
      phone_number: '+34612345678',
      template_id: 'tpl_2',
      content: 'code:482913,expire_at:2,app:CoolApp,name:Budi',
    });
  });

  it.each<Record<string, string>>([{ app: 'Cool,App' }, { app: 'a:b' }, { 'a,b': 'x' }])(
    'refuses variables the content format cannot carry (%o) without calling AccuAuth',
    async (variables) => {
      const error = await send({ variables }).catch((e: unknown) => e);
      expect(error).toMatchObject({ failure: 'permanent', reason: 'vendor_unencodable_variable' });
      expect(fake.requests).toHaveLength(0);
    },
  );

  it.each([
    [400, 'FAILED', 'permanent'],
    [400, 'INVALID_ARGUMENT', 'permanent'],
    [401, 'UNAUTHORIZED', 'permanent'],
    [401, 'KEY_EXPIRED', 'permanent'],
    [403, 'NO_PERMISSION', 'permanent'],
    [403, 'OUT_OF_QUOTA', 'permanent'],
    [403, 'RATE_LIMIT_EXCEEDED', 'retryable'],
    [404, 'NOT_FOUND', 'permanent'],
    [500, 'INTERNAL_ERROR', 'retryable'],
  ] as const)('maps HTTP %i %s to %s', async (httpStatus, status, failure) => {
    fake.http.respondWith(() => accuauthAnswer(httpStatus, status, { reason: 'see docs' }));
    expect(await send().catch((e: unknown) => e)).toMatchObject({ failure, reason: `vendor_${status}` });
  });

  it('does not take an undocumented status as a label, and retries it on a 2xx', async () => {
    fake.http.respondWith(() => accuauthAnswer(200, 'SOMETHING_NEW'));
    expect(await send().catch((e: unknown) => e)).toMatchObject({ failure: 'retryable', reason: 'http_200' });
    fake.http.respondWith(() => accuauthAnswer(400, 'SOMETHING_NEW'));
    expect(await send().catch((e: unknown) => e)).toMatchObject({ failure: 'permanent', reason: 'http_400' });
  });

  it('validates its settings at start-up', () => {
    const parse = (env: Record<string, string>) => accuauthProvider.envSchema.safeParse(env).success;
    const env = { ACCUAUTH_API_ID: API_ID, ACCUAUTH_API_SECRET: API_SECRET, ACCUAUTH_TEMPLATE_ID: TEMPLATE };
    expect(parse(env)).toBe(true);
    expect(parse({ ...env, ACCUAUTH_TEMPLATE_ID: '' })).toBe(false);
    expect(parse({ ...env, ACCUAUTH_API_SECRET: 'x' })).toBe(false);
    expect(parse({ ...env, ACCUAUTH_BASE_URL: 'ftp://example.com' })).toBe(false);
  });
});
