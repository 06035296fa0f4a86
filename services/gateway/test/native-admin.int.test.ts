import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  startHarness,
  TEMPLATES_KEY,
  uniqueMobile,
  type GatewayHarness,
} from './gateway-harness.js';

/** Templates and client policies, managed through the admin API, applied to both APIs. */
describe('native API: templates and client policies', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('admin', { POLICY_CACHE_SECONDS: '1' });
  });
  afterAll(async () => {
    await harness.stop();
  });

  /** The platform operator: client policies. */
  const admin = (method: string, path: string, body?: unknown) =>
    harness.call(method, path, body, { key: ADMIN_KEY });
  /** Client A's own administration: its templates. */
  const tenant = (method: string, path: string, body?: unknown) =>
    harness.call(method, path, body, { key: TEMPLATES_KEY });
  const create = (body: Record<string, unknown>) =>
    harness.post('/v1/verifications', { to: uniqueMobile(), ...body });
  /** Policies are cached for a second in the gateway. */
  const afterPolicyCache = () => new Promise((resolve) => setTimeout(resolve, 1100));

  it('manages templates per locale, with variables and their charge info', async () => {
    const created = await tenant('PUT', '/v1/templates/login/es-ES', {
      text: 'Hola {{name}}, tu código de {{app}} es {{code}}',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'login',
      locale: 'es-ES',
      variables: ['name', 'app'],
      chargeInfo: { encoding: 'UCS-2', parts: 1 },
    });
    expect(
      (await tenant('PUT', '/v1/templates/login/en', { text: 'Hi {{name}}, your {{app}} code is {{code}}' }))
        .status,
    ).toBe(201);
    expect(
      (await tenant('PUT', '/v1/templates/login/en', { text: '{{name}}: {{code}} is your {{app}} code' }))
        .status,
    ).toBe(200);
    const listed = (await tenant('GET', '/v1/templates')).body as {
      templates: { id: string; locale: string }[];
    };
    expect(listed.templates.map((template) => `${template.id}/${template.locale}`)).toEqual([
      'login/en',
      'login/es-ES',
    ]);
  });

  it('refuses templates without {{code}} or longer than 8 SMS parts, naming the field', async () => {
    const missing = await tenant('PUT', '/v1/templates/bad/en', { text: 'no code here' });
    expect(missing).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ARGUMENT', details: { field: 'text' } },
    });
    const long = await tenant('PUT', '/v1/templates/long/ru', { text: `{{code}} ${'ж'.repeat(600)}` });
    expect(long).toMatchObject({ status: 400, body: { details: { field: 'text' } } });
    expect((await tenant('PUT', '/v1/templates/bad id/en', { text: '{{code}}' })).status).toBe(400);
  });

  it('refuses a template whose placeholders are not variables a request can fill', async () => {
    for (const text of [
      'Hi {{constructor}}: {{code}}',
      'Hi {{user.name}}: {{code}}',
      '{{code}} {{toString}}',
    ]) {
      expect(await tenant('PUT', '/v1/templates/proto/en', { text }), text).toMatchObject({
        status: 400,
        body: { code: 'INVALID_ARGUMENT', details: { field: 'text' } },
      });
    }
    // A template stored before the rule (written to the store directly) is refused at send, and
    // nothing is created: no text with an object's innards ever reaches a phone.
    await harness.gateway.templates.put('client-a', {
      templateId: 'legacy',
      locale: 'en',
      text: 'Hi {{constructor}}: {{code}}',
      variables: ['constructor'],
    });
    expect(await create({ template: { id: 'legacy', locale: 'en' } })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ARGUMENT', details: { field: 'template.variables.constructor' } },
    });
    expect(
      await create({ template: { id: 'legacy', locale: 'en', variables: { constructor: 'x' } } }),
    ).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ARGUMENT', details: { field: 'template.variables.constructor' } },
    });
  });

  it('renders a template with its variables in the closest locale', async () => {
    const spanish = await create({
      template: { id: 'login', locale: 'es-ES', variables: { name: 'Ana', app: 'Cool App' } },
    });
    expect(spanish.status, JSON.stringify(spanish.body)).toBe(201);
    const { payload, job } = await harness.takeJob((spanish.body as { id: string }).id);
    expect(payload.text).toBe(`Hola Ana, tu código de Cool App es ${payload.code}`);
    expect(job.options).toMatchObject({ templateId: 'login', locale: 'es-ES' });
    // en-GB has no template of its own: the English one is used.
    const british = await create({
      template: { id: 'login', locale: 'en-GB', variables: { name: 'Bo', app: 'X' } },
    });
    const { payload: englishPayload } = await harness.takeJob((british.body as { id: string }).id);
    expect(englishPayload.text).toBe(`Bo: ${englishPayload.code} is your X code`);
  });

  it('names a missing variable or template, and creates nothing', async () => {
    const missingVariable = await create({
      template: { id: 'login', locale: 'es-ES', variables: { name: 'Ana' } },
    });
    expect(missingVariable).toMatchObject({
      status: 400,
      body: { details: { field: 'template.variables.app' } },
    });
    const missingTemplate = await create({ template: { id: 'nope', locale: 'fr' } });
    expect(missingTemplate).toMatchObject({ status: 400, body: { details: { field: 'template.id' } } });
  });

  it('applies a client policy: defaults, bounds, channels and countries, to both APIs', async () => {
    const put = await admin('PUT', '/v1/admin/policies/client-a', {
      code: { length: 8, alphabet: ['digits', 'uppercase'] },
      maxAttempts: { default: 2, min: 1, max: 3 },
      channels: ['sms'],
      countries: ['34'],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await afterPolicyCache();

    const camara = await harness.post('/one-time-password-sms/v1/send-code', {
      phoneNumber: uniqueMobile(),
      message: '{{code}}',
    });
    const { payload } = await harness.takeJob((camara.body as { authenticationId: string }).authenticationId);
    expect(payload.code).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    expect(
      (
        await harness.post('/one-time-password-sms/v1/validate-code', {
          authenticationId: (camara.body as { authenticationId: string }).authenticationId,
          code: payload.code.toLowerCase(),
        })
      ).status,
    ).toBe(204);

    const native = await create({});
    expect(native.body).toMatchObject({ maxAttempts: 2 });
    expect(await create({ maxAttempts: 5 })).toMatchObject({
      status: 400,
      body: { code: 'OUT_OF_RANGE', details: { field: 'maxAttempts' } },
    });
    expect(await create({ channel: 'voice' })).toMatchObject({
      status: 403,
      body: { code: 'PERMISSION_DENIED', details: { field: 'channel' } },
    });
    const france = await harness.post('/v1/verifications', { to: '+33612345678' });
    expect(france).toMatchObject({
      status: 403,
      body: { code: 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED' },
    });
    const camaraFrance = await harness.post('/one-time-password-sms/v1/send-code', {
      phoneNumber: '+33612345678',
      message: '{{code}}',
    });
    expect(camaraFrance.body).toEqual({
      status: 403,
      code: 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED',
      message: 'This client may not send codes to this country.',
    });

    expect((await admin('GET', '/v1/admin/policies/client-a')).body).toMatchObject({
      stored: { channels: ['sms'] },
      policy: { maxAttempts: { default: 2 } },
    });
    expect((await admin('DELETE', '/v1/admin/policies/client-a')).status).toBe(204);
    await afterPolicyCache();
    expect((await create({ channel: 'voice' })).status).toBe(201);
  });

  it('refuses an incoherent policy, naming the field', async () => {
    const answer = await admin('PUT', '/v1/admin/policies/client-b', {
      maxAttempts: { default: 9, min: 1, max: 3 },
    });
    expect(answer).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ARGUMENT', details: { field: 'maxAttempts.default' } },
    });
    expect((await admin('PUT', '/v1/admin/policies/client-b', { unknown: 1 })).status).toBe(400);
  });
});
