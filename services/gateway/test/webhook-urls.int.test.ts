import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TEMPLATES_KEY, type GatewayHarness } from './gateway-harness.js';

const events = ['verification.sent'];

/**
 * Where a tenant may aim its callbacks, as the native API answers at registration: internal IP
 * literals are refused with a 400 in the API's format, unless the deployment is a development one
 * (CALLBACK_ALLOW_PRIVATE_ADDRESSES). Names are judged by the dispatcher when it connects.
 */
describe('webhook URLs at registration', () => {
  let production: GatewayHarness;
  let local: GatewayHarness;

  beforeAll(async () => {
    production = await startHarness('hookurls');
    local = await startHarness('hookurlslocal', {
      WEBHOOK_ALLOW_HTTP: 'true',
      CALLBACK_ALLOW_PRIVATE_ADDRESSES: 'true',
    });
  });
  afterAll(async () => {
    await production.stop();
    await local.stop();
  });

  it.each([
    ['https://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://10.0.0.8/hook', 'private'],
    ['https://100.64.0.1/hook', 'cgnat'],
    ['https://[fd12::1]/hook', 'unique-local'],
    ['https://[::ffff:127.0.0.1]/hook', 'loopback'],
    ['https://0.0.0.0/hook', 'unspecified'],
  ])('refuses %s (%s) with a 400 naming the field', async (url, range) => {
    const answer = await production.post('/v1/webhooks', { url, events }, { key: TEMPLATES_KEY });
    expect(answer).toMatchObject({
      status: 400,
      body: {
        code: 'INVALID_ARGUMENT',
        message: `url: must not point at an internal address (${range}).`,
        details: { field: 'url' },
      },
    });
  });

  it('refuses an internal address on update too, and keeps the endpoint as it was', async () => {
    const created = await production.post(
      '/v1/webhooks',
      { url: 'https://hooks.acme.example/otp', events },
      { key: TEMPLATES_KEY },
    );
    expect(created.status).toBe(201);
    const { id } = created.body as { id: string };
    const changed = await production.call(
      'PATCH',
      `/v1/webhooks/${id}`,
      { url: 'https://192.168.0.4/hook' },
      { key: TEMPLATES_KEY },
    );
    expect(changed).toMatchObject({ status: 400, body: { code: 'INVALID_ARGUMENT' } });
    const kept = await production.call('GET', `/v1/webhooks/${id}`, undefined, { key: TEMPLATES_KEY });
    expect(kept.body).toMatchObject({ url: 'https://hooks.acme.example/otp' });
  });

  it('takes a local endpoint where the deployment allows it (development and tests)', async () => {
    const answer = await local.post(
      '/v1/webhooks',
      { url: 'http://127.0.0.1:8080/hook', events },
      { key: TEMPLATES_KEY },
    );
    expect(answer.status).toBe(201);
  });
});
