import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { webhookProvider } from '../../../src/providers/webhook/webhook.provider.js';
import { FakeHttpServer, type CannedResponse } from '../../fakes/fake-http-server.js';
import {
  providerContract,
  type ContractSubject,
  type VendorScenario,
} from '../../providers/provider-contract.js';
import { providerFromEnv } from '../../providers/vendor-subject.js';

const SECRET = 'webhook-shared-secret-0123';

const answers: Record<VendorScenario, CannedResponse> = {
  accept: { status: 202, body: JSON.stringify({ id: 'gw-42' }) },
  'reject-number': { status: 422, body: JSON.stringify({ error: 'invalid number' }) },
  'server-error': { status: 503, body: '' },
  'rate-limited': { status: 429, body: '' },
  hang: { status: 200, hang: true },
  // Any 2xx is acceptance for a webhook, so "garbage" here is an answer HTTP itself cannot parse.
  garbage: { status: 200, garble: true },
};

describe('webhook provider', () => {
  let subject: ContractSubject;
  beforeEach(async () => {
    let current: VendorScenario = 'accept';
    const fake = await new FakeHttpServer(() => answers[current]).start();
    const provider = providerFromEnv(webhookProvider, {
      WEBHOOK_URL: `${fake.url}/sms`,
      WEBHOOK_SECRET: SECRET,
    });
    subject = {
      provider,
      scenario: (next) => {
        current = next;
      },
      requestCount: () => fake.requests.length,
      expectExactRequest: (message) => {
        const request = fake.requests.at(-1);
        expect(request?.method).toBe('POST');
        expect(request?.path).toBe('/sms');
        expect(request?.headers['content-type']).toBe('application/json');
        expect(request?.headers['idempotency-key']).toBe(message.idempotencyKey);
        expect(JSON.parse(request?.body ?? '')).toEqual({
          to: message.to,
          text: message.text,
          channel: message.channel,
          authenticationId: message.authenticationId,
          sender: message.senderId ?? null,
          language: message.voice?.language ?? null,
        });
        const signature = createHmac('sha256', SECRET)
          .update(request?.body ?? '')
          .digest('hex');
        expect(request?.headers['x-otpflow-signature']).toBe(`sha256=${signature}`);
      },
      close: () => fake.close(),
    };
  });
  afterEach(async () => {
    await subject.close();
  });

  providerContract(() => subject, { voice: { voice: { language: 'fr-FR', gender: 'female' } } });
});
