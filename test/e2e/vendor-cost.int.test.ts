import { waitFor } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VonageFake, vonageAnswer } from '../../services/dispatcher/test/fakes/vonage.fake.js';
import { API_KEY, startStack, type Stack } from '../support/stack.js';

const VONAGE = { key: 'a1b2c3d4', secret: 'S3cr3tS3cr3tS3cr', signature: 'vonage-signature-secret-0123' };

let sequence = 0;
const phone = () => `+3464${String(Date.now() % 1_000_000).padStart(6, '0')}${String((sequence += 1) % 10)}`;

interface VerificationDelivery {
  status: string;
  provider: string | null;
  billedParts: number | null;
  price: { amount: string; currency: string } | null;
}

/**
 * What the vendor billed, from its answer or its receipt, on the delivery record (MongoDB-compatible
 * store) and in the verification's GET: gateway, dispatcher, a local Vonage SMS API and its signed DLRs.
 */
describe("the vendor's cost in the verification", () => {
  let stack: Stack;
  let vonage: VonageFake;
  beforeAll(async () => {
    vonage = await new VonageFake(VONAGE.key, VONAGE.secret, {
      secret: VONAGE.signature,
      method: 'sha512hmac',
    }).start();
    stack = await startStack('vendorcost', {
      gatewayEnv: {
        API_KEYS: `${API_KEY}:e2e-client:one-time-password-sms:send-validate+otpflow:verifications`,
      },
      dispatcherEnv: {
        SMS_PROVIDERS: 'vonage',
        VONAGE_API_KEY: VONAGE.key,
        VONAGE_API_SECRET: VONAGE.secret,
        VONAGE_FROM: 'CoolApp',
        VONAGE_BASE_URL: vonage.http.url,
        VONAGE_SIGNATURE_SECRET: VONAGE.signature,
        VONAGE_SIGNATURE_METHOD: 'sha512hmac',
      },
    });
  });
  afterAll(async () => {
    await stack.stop();
    await vonage.close();
  });

  const verification = async (id: string) => {
    const response = await fetch(`${stack.gateway.url}/v1/verifications/${id}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { status: string; delivery: VerificationDelivery };
  };
  const sent = async () => {
    const id = await stack.sendCode(phone());
    const delivery = await waitFor(async () => {
      const found = await stack.delivery(id);
      return found?.status === 'sent' ? found : undefined;
    });
    return { id, messageId: delivery.providerMessageId ?? '' };
  };
  const dlr = (messageId: string, fields: { price?: string } = {}) =>
    vonage.sendDlr(`${stack.dispatcher?.url ?? ''}/v1/receipts/vonage`, {
      messageId,
      status: 'delivered',
      ...fields,
    });

  it("shows the parts and price of Vonage's answer, then the receipt's delivery", async () => {
    const { id, messageId } = await sent();
    expect((await verification(id)).delivery).toMatchObject({
      status: 'sent',
      provider: 'vonage',
      billedParts: 1,
      price: { amount: '0.0333', currency: 'EUR' },
    });
    expect((await dlr(messageId)).status).toBe(204);
    const after = await verification(id);
    expect(after.status).toBe('delivered');
    expect(after.delivery).toMatchObject({
      status: 'delivered',
      price: { amount: '0.0333', currency: 'EUR' },
    });
  });

  it("shows the receipt's price when the answer had none, and never a second one", async () => {
    vonage.http.respondWith(() => vonageAnswer([{ status: '0', 'message-id': '0C00000000000001' }]));
    try {
      const { id, messageId } = await sent();
      expect((await verification(id)).delivery).toMatchObject({ billedParts: 1, price: null });
      await dlr(messageId, { price: '0.04120000' });
      await dlr(messageId, { price: '0.09990000' });
      expect((await verification(id)).delivery.price).toEqual({ amount: '0.0412', currency: 'EUR' });
    } finally {
      vonage.answerAsUsual();
    }
  });
});
