import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CLIENT_B_KEY,
  NO_SCOPE_KEY,
  startHarness,
  TEMPLATES_KEY,
  TEST_NUMBER,
  uniqueMobile,
  type GatewayHarness,
} from './gateway-harness.js';

interface Operation {
  responses: Record<string, { $ref?: string; content?: Record<string, unknown> }>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { responses: Record<string, { content?: Record<string, unknown> }> };
};

const pointer = (...parts: string[]) =>
  parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/**
 * The gateway's answers, checked against its own OpenAPI document: the document is valid OpenAPI 3.1,
 * every endpoint is exercised, and each answer's status is documented for its operation and its body
 * matches the documented schema.
 */
describe('OpenAPI conformance', () => {
  let harness: GatewayHarness;
  let document: Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const exercised = new Set<string>();

  beforeAll(async () => {
    harness = await startHarness('openapi', { CLIENT_QUOTA: '40' });
    document = (await (await fetch(`${harness.url}/openapi.json`)).json()) as Document;
    ajv.addSchema(document, 'openapi.json');
  });
  afterAll(async () => {
    await harness.stop();
  });

  /** Matches a concrete path to the document's path template. */
  function template(path: string): string {
    const bare = path.split('?')[0] ?? path;
    const found = Object.keys(document.paths).find((candidate) =>
      new RegExp(`^${candidate.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare),
    );
    if (!found) throw new Error(`no documented path for ${path}`);
    return found;
  }

  async function conforms(
    method: string,
    path: string,
    body?: unknown,
    options: { key?: string | null; headers?: Record<string, string> } = {},
  ) {
    const answer = await harness.call(method, path, body, options);
    const route = template(path);
    const operation = document.paths[route]?.[method.toLowerCase()];
    expect(operation, `${method} ${route} is documented`).toBeDefined();
    const documented = operation?.responses[String(answer.status)];
    expect(
      documented,
      `${method} ${route} documents ${answer.status} (${JSON.stringify(answer.body)})`,
    ).toBeDefined();
    exercised.add(`${method.toLowerCase()} ${route}`);
    expect(answer.headers.get('x-correlator')).toBeTruthy();
    if (answer.body !== undefined) {
      const schemaPointer = documented?.$ref
        ? `${documented.$ref.slice(1)}/content/application~1json/schema`
        : `/${pointer('paths', route, method.toLowerCase(), 'responses', String(answer.status), 'content', 'application/json', 'schema')}`;
      const validate = ajv.compile({ $ref: `openapi.json#${schemaPointer}` });
      expect(
        validate(answer.body),
        `${method} ${path} ${answer.status}: ${JSON.stringify(validate.errors)} for ${JSON.stringify(answer.body)}`,
      ).toBe(true);
    }
    return answer;
  }

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('answers the CAMARA operations as documented, at both mounts', async () => {
    for (const base of ['/one-time-password-sms/v1', '/otpvalidation']) {
      const sent = await conforms('POST', `${base}/send-code`, {
        phoneNumber: uniqueMobile(),
        message: '{{code}}',
      });
      const { authenticationId } = sent.body as { authenticationId: string };
      const { payload } = await harness.takeJob(authenticationId);
      await conforms('POST', `${base}/validate-code`, {
        authenticationId,
        code: payload.code === '000000' ? '111111' : '000000',
      });
      await conforms('POST', `${base}/validate-code`, { authenticationId, code: payload.code });
      await conforms('POST', `${base}/validate-code`, { authenticationId, code: payload.code });
      await conforms('POST', `${base}/validate-code`, { authenticationId: 'unknown', code: '1' });
      await conforms('POST', `${base}/send-code`, { phoneNumber: 'bad', message: '{{code}}' });
      await conforms(
        'POST',
        `${base}/send-code`,
        { phoneNumber: uniqueMobile(), message: '{{code}}' },
        { key: null },
      );
      await conforms(
        'POST',
        `${base}/send-code`,
        { phoneNumber: uniqueMobile(), message: '{{code}}' },
        { key: NO_SCOPE_KEY },
      );
      await conforms('POST', `${base}/send-code`, { phoneNumber: '+34912345678', message: '{{code}}' });
      await conforms('POST', `${base}/send-code`, 'x', { headers: { 'content-type': 'text/plain' } });
      await conforms(
        'POST',
        `${base}/send-code`,
        { phoneNumber: uniqueMobile(), message: '{{code}}' },
        { headers: { accept: 'text/html' } },
      );
      await conforms('GET', `${base}/send-code`).catch(() => undefined);
    }
    const phone = uniqueMobile();
    for (let index = 0; index < 6; index += 1)
      await conforms('POST', '/otpvalidation/send-code', { phoneNumber: phone, message: '{{code}}' });
  });

  it('answers the native operations as documented', async () => {
    const created = await conforms(
      'POST',
      '/v1/verifications',
      { to: uniqueMobile(), message: 'Código: {{code}}' },
      { headers: { 'idempotency-key': 'conformance-1' } },
    );
    const { id } = created.body as { id: string };
    await conforms(
      'POST',
      '/v1/verifications',
      { to: uniqueMobile() },
      { headers: { 'idempotency-key': 'conformance-1' } },
    );
    await conforms('POST', '/v1/verifications', { to: 'nope' });
    await conforms('POST', '/v1/verifications', { to: uniqueMobile(), maxAttempts: 99 });
    await conforms(
      'POST',
      '/v1/verifications',
      { to: uniqueMobile(), channel: 'voice' },
      { key: NO_SCOPE_KEY },
    );
    await conforms('GET', `/v1/verifications/${id}`);
    // The read models (empty here: no projector runs in this harness), and a bad query.
    await conforms('GET', '/v1/verifications?status=verified&pageSize=10');
    await conforms('GET', '/v1/verifications?pageSize=0');
    await conforms(
      'GET',
      '/v1/analytics/conversion?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&groupBy=country',
    );
    await conforms('GET', '/v1/analytics/conversion?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z');
    await conforms('GET', '/v1/verifications/2f1c8a9e-0000-4000-8000-000000000000');
    await conforms('POST', `/v1/verifications/${id}/check`, { code: '000000' });
    await conforms('POST', `/v1/verifications/${id}/resend`, {});
    await conforms('POST', `/v1/verifications/${id}/cancel`);
    await conforms('POST', `/v1/verifications/${id}/cancel`, undefined, { key: CLIENT_B_KEY });
    await conforms('POST', `/v1/verifications/${id}/resend`, { channel: 'voice' });
    const test = await conforms('POST', '/v1/verifications', { to: TEST_NUMBER });
    const testId = (test.body as { id: string }).id;
    await conforms('POST', `/v1/verifications/${testId}/check`, { code: '246810' });
    await conforms('POST', `/v1/verifications/${testId}/cancel`);

    await conforms(
      'PUT',
      '/v1/templates/welcome/en',
      { text: 'Welcome {{name}}: {{code}}' },
      { key: TEMPLATES_KEY },
    );
    await conforms(
      'PUT',
      '/v1/templates/welcome/en',
      { text: 'Hi {{name}}: {{code}}' },
      { key: TEMPLATES_KEY },
    );
    await conforms('PUT', '/v1/templates/welcome/en', { text: 'no code' }, { key: TEMPLATES_KEY });
    await conforms('GET', '/v1/templates', undefined, { key: TEMPLATES_KEY });
    await conforms('GET', '/v1/templates/welcome/en', undefined, { key: TEMPLATES_KEY });
    await conforms('DELETE', '/v1/templates/welcome/en', undefined, { key: TEMPLATES_KEY });
    await conforms('GET', '/v1/templates/welcome/en', undefined, { key: TEMPLATES_KEY });
    await conforms('GET', '/v1/templates');
    const hook = { url: 'https://hooks.example.com/conformance', events: ['verification.sent'] };
    const hookCreated = await conforms('POST', '/v1/webhooks', hook, { key: TEMPLATES_KEY });
    const hookId = (hookCreated.body as { id?: string } | undefined)?.id ?? 'ep_unknown00000000';
    await conforms(
      'POST',
      '/v1/webhooks',
      { ...hook, url: 'http://plain.example.com/' },
      { key: TEMPLATES_KEY },
    );
    await conforms(
      'POST',
      '/v1/webhooks',
      { ...hook, events: ['verification.nope'] },
      { key: TEMPLATES_KEY },
    );
    await conforms('GET', '/v1/webhooks', undefined, { key: TEMPLATES_KEY });
    await conforms('GET', `/v1/webhooks/${hookId}`, undefined, { key: TEMPLATES_KEY });
    await conforms('PATCH', `/v1/webhooks/${hookId}`, { enabled: false }, { key: TEMPLATES_KEY });
    await conforms('PATCH', `/v1/webhooks/${hookId}`, {}, { key: TEMPLATES_KEY });
    await conforms('POST', `/v1/webhooks/${hookId}/secret`, undefined, { key: TEMPLATES_KEY });
    await conforms('DELETE', `/v1/webhooks/${hookId}`, undefined, { key: TEMPLATES_KEY });
    await conforms('GET', `/v1/webhooks/${hookId}`, undefined, { key: TEMPLATES_KEY });
    await conforms('GET', '/v1/webhooks/not-an-id', undefined, { key: TEMPLATES_KEY });
    await conforms('GET', '/v1/policy', undefined, { key: TEMPLATES_KEY });
    await conforms('GET', '/v1/policy');

    await conforms('PUT', '/v1/admin/policies/client-b', { resendIntervalSeconds: 10 }, { key: ADMIN_KEY });
    await conforms('GET', '/v1/admin/policies/client-b', undefined, { key: ADMIN_KEY });
    await conforms(
      'PUT',
      '/v1/admin/policies/client-b',
      { maxAttempts: { default: 30, min: 1, max: 3 } },
      { key: ADMIN_KEY },
    );
    await conforms('DELETE', '/v1/admin/policies/client-b', undefined, { key: ADMIN_KEY });

    // The fraud guard's rules: an allow-list entry added, listed and removed; no block to lift.
    const allowed = '/v1/admin/fraud/allow/client-b/%2B34600';
    await conforms('PUT', allowed, { note: 'a partner range' }, { key: ADMIN_KEY });
    await conforms('GET', '/v1/admin/fraud/allow', undefined, { key: ADMIN_KEY });
    await conforms('DELETE', allowed, undefined, { key: ADMIN_KEY });
    await conforms('GET', '/v1/admin/fraud/blocks', undefined, { key: ADMIN_KEY });
    await conforms('DELETE', '/v1/admin/fraud/blocks/client-b/%2B34600', undefined, { key: ADMIN_KEY });
    await conforms('GET', '/v1/admin/fraud/blocks');
    await conforms('GET', '/v1/admin/fraud/throttles', undefined, { key: ADMIN_KEY });
    await conforms('GET', '/v1/admin/fraud/throttles?scope=client-b', undefined, { key: ADMIN_KEY });
    await conforms('GET', '/v1/admin/fraud/throttles?scope=a%20b', undefined, { key: ADMIN_KEY });
  });

  it('documents the quota and the unavailable answers too', async () => {
    for (let index = 0; index < 40; index += 1) {
      const answer = await harness.post(
        '/one-time-password-sms/v1/send-code',
        { phoneNumber: uniqueMobile(), message: '{{code}}' },
        { key: CLIENT_B_KEY },
      );
      if (answer.status === 429) break;
    }
    await conforms(
      'POST',
      '/one-time-password-sms/v1/send-code',
      { phoneNumber: uniqueMobile(), message: '{{code}}' },
      { key: CLIENT_B_KEY },
    );
    await harness.gateway.amqp.close();
    await conforms('POST', '/v1/verifications', { to: uniqueMobile() });
    await conforms('POST', '/one-time-password-sms/v1/send-code', {
      phoneNumber: uniqueMobile(),
      message: '{{code}}',
    });
  });

  it('exercised every documented operation', () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => ['get', 'post', 'put', 'delete'].includes(key))
        .map((method) => `${method} ${path}`),
    );
    expect(documented.filter((operation) => !exercised.has(operation))).toEqual([]);
  });
});
