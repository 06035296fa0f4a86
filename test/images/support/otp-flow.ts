import { servesWithDependencies, waitFor } from '@otpflow/testing';
import {
  FakeHttpServer,
  type CapturedRequest,
} from '../../../services/dispatcher/test/fakes/fake-http-server.js';

export const API_KEY = 'images-client-api-key-0000000001';
/** Production settings: the services refuse their public development secrets under NODE_ENV=production. */
export const SECRETS = {
  CODE_HASH_SECRET: 'images-code-hash-secret-0123456789-abcdef',
  JOB_ENCRYPTION_KEYS: `ci:${Buffer.alloc(32, 7).toString('base64')}`,
};

/** A port free on 127.0.0.1 right now (the containers share the host's network): the harness's. */
export { freePort } from '@otpflow/testing';

/** Ready, and reaching the broker and the database (the /readyz body says so). */
export async function waitReady(url: string, timeoutMs: number, what: string): Promise<void> {
  await waitFor(() => servesWithDependencies(url), { timeoutMs, intervalMs: 250, what });
}

/**
 * The in-house SMS gateway the dispatcher's webhook provider posts to; over HTTPS when given a
 * certificate (a dispatcher in production calls only https endpoints).
 */
export async function startWebhook(tls?: { cert: string; key: string }): Promise<FakeHttpServer> {
  let accepted = 0;
  return new FakeHttpServer(() => {
    accepted += 1;
    return { status: 200, body: JSON.stringify({ id: `images-${accepted}` }) };
  }).start(tls ? { tls } : {});
}

interface WebhookBody {
  to: string;
  text: string;
  authenticationId: string;
}

function body(request: CapturedRequest): WebhookBody {
  return JSON.parse(request.body) as WebhookBody;
}

/**
 * The CAMARA flow a client sees: send-code through the gateway, the SMS at the webhook, its code
 * validated. Returns what each step took.
 */
export async function sendAndValidate(
  gatewayUrl: string,
  webhook: FakeHttpServer,
  phoneNumber: string,
  timeoutMs: number,
): Promise<{ authenticationId: string; smsMs: number }> {
  const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
  const started = performance.now();
  const sent = await fetch(`${gatewayUrl}/one-time-password-sms/v1/send-code`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ phoneNumber, message: '{{code}} is your code' }),
  });
  if (sent.status !== 200) throw new Error(`send-code answered ${sent.status}: ${await sent.text()}`);
  const { authenticationId } = (await sent.json()) as { authenticationId: string };
  const sms = await waitFor(
    () => webhook.requests.map(body).find((message) => message.authenticationId === authenticationId),
    { timeoutMs, intervalMs: 100, what: `the SMS of ${authenticationId} at the webhook` },
  );
  const smsMs = performance.now() - started;
  if (sms.to !== phoneNumber) throw new Error(`the SMS went to ${sms.to}, not ${phoneNumber}`);
  const code = /\d{4,10}/.exec(sms.text)?.[0];
  if (!code) throw new Error(`no code in the SMS text "${sms.text}"`);
  const validated = await fetch(`${gatewayUrl}/one-time-password-sms/v1/validate-code`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ authenticationId, code }),
  });
  if (validated.status !== 204)
    throw new Error(`validate-code answered ${validated.status}: ${await validated.text()}`);
  return { authenticationId, smsMs };
}

/** The value of one sample of a Prometheus text exposition (0 when absent). */
export async function metricValue(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
