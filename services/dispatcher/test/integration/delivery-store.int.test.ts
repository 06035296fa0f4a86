import { randomUUID } from 'node:crypto';
import { claimModel, connectMongo, deliveryModel, deliveryReceiptKeyModel } from '@otpflow/mongo';
import { createLogger } from '@otpflow/telemetry';
import { createTestContext, type TestContext } from '@otpflow/testing';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryStore, SentRecord } from '../../src/delivery/delivery-store.js';
import { MemoryDeliveryStore } from '../../src/delivery/memory-delivery.store.js';
import { MongoDeliveryStore } from '../../src/delivery/mongo-delivery.store.js';
import { sendJob } from '../fakes/jobs.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const EUR = (amount: string) => ({ amount, currency: 'EUR' });

/**
 * The delivery store's receipt rules, the same for the in-memory store and for MongoDB with either
 * strategy (one conditional update where updates are atomic; read, decide, update by id where they are
 * not), run here against the MongoDB-compatible server of the integration tier (the server itself picks
 * one of the two in production: `atomicConditionalUpdates`).
 */
describe('delivery stores: receipts once and in order', () => {
  let context: TestContext;
  let connection: Connection;
  const stores = new Map<string, () => DeliveryStore>();

  beforeAll(async () => {
    context = createTestContext('deliverystore');
    connection = await connectMongo(
      { url: context.mongoUrl, maxPoolSize: 5, serverSelectionTimeoutMs: 5000, connectTimeoutMs: 5000 },
      createLogger({ service: 'test', level: 'silent' }),
    );
    const models = {
      deliveries: deliveryModel(connection),
      receiptKeys: deliveryReceiptKeyModel(connection),
      claims: claimModel(connection),
    };
    const settings = { leaseMs: 60_000, tombstoneSeconds: 3600 };
    stores.set('memory', () => new MemoryDeliveryStore(settings));
    stores.set(
      'mongo, conditional update',
      () => new MongoDeliveryStore(models, { ...settings, atomicConditionalUpdates: true }),
    );
    stores.set(
      'mongo, read then update',
      () => new MongoDeliveryStore(models, { ...settings, atomicConditionalUpdates: false }),
    );
  });
  afterAll(async () => {
    await connection.close();
    await context.dispose();
  });

  const sent = async (store: DeliveryStore, extra: Partial<SentRecord> = {}) => {
    const job = sendJob({ allowedChannels: ['sms'] });
    const providerMessageId = `m-${randomUUID()}`;
    await store.recordSent(job, {
      provider: 'vonage',
      providerMessageId,
      attempt: 1,
      channel: 'sms',
      history: [],
      ...extra,
    });
    return { job, providerMessageId };
  };
  const receipt = (providerMessageId: string, outcome: 'delivered' | 'undelivered', seconds: number) => ({
    provider: 'vonage',
    providerMessageId,
    outcome,
    at: at(seconds),
    ...(outcome === 'undelivered' ? { errorCode: '6' } : {}),
  });

  describe.each(['memory', 'mongo, conditional update', 'mongo, read then update'])('%s', (name) => {
    const store = (): DeliveryStore => {
      const make = stores.get(name);
      if (!make) throw new Error(`no store ${name}`);
      return make();
    };

    it('applies a final receipt once; a repeat changes nothing', async () => {
      const subject = store();
      const { providerMessageId } = await sent(subject);
      const first = await subject.recordReceipt(receipt(providerMessageId, 'delivered', 1));
      expect(first).toMatchObject({ applied: true, delivery: { status: 'delivered', receiptAt: at(1) } });
      expect(await subject.recordReceipt(receipt(providerMessageId, 'delivered', 1))).toEqual({
        applied: false,
        why: 'ignored',
      });
    });

    it('never takes delivered back; lets a later delivered replace undelivered, not an older one', async () => {
      const subject = store();
      const { providerMessageId } = await sent(subject);
      await subject.recordReceipt(receipt(providerMessageId, 'delivered', 5));
      expect(await subject.recordReceipt(receipt(providerMessageId, 'undelivered', 9))).toMatchObject({
        applied: false,
      });

      const other = await sent(subject);
      expect(await subject.recordReceipt(receipt(other.providerMessageId, 'undelivered', 5))).toMatchObject({
        applied: true,
        delivery: { status: 'undelivered', lastError: 'receipt_6' },
      });
      expect(await subject.recordReceipt(receipt(other.providerMessageId, 'delivered', 4))).toMatchObject({
        applied: false,
        why: 'ignored',
      });
      const later = await subject.recordReceipt(receipt(other.providerMessageId, 'delivered', 6));
      expect(later).toMatchObject({ applied: true, delivery: { status: 'delivered' } });
      expect(later.applied && later.delivery).not.toHaveProperty('lastError');
    });

    it('knows no message it never sent, nor one sent by another provider under that id', async () => {
      const subject = store();
      const { providerMessageId } = await sent(subject);
      expect(await subject.recordReceipt(receipt('nobody-knows', 'delivered', 1))).toEqual({
        applied: false,
        why: 'unknown_message',
      });
      expect(
        await subject.recordReceipt({ ...receipt(providerMessageId, 'delivered', 1), provider: 'twilio' }),
      ).toEqual({ applied: false, why: 'unknown_message' });
    });

    it("keeps a receipt's price only where the answer had none, and only the first", async () => {
      const subject = store();
      const priced = await sent(subject, { billedParts: 1, price: EUR('0.0333') });
      const result = await subject.recordReceipt({
        ...receipt(priced.providerMessageId, 'delivered', 1),
        price: EUR('0.05'),
      });
      expect(result).toMatchObject({ applied: true, delivery: { billedParts: 1, price: EUR('0.0333') } });
      expect(result).not.toHaveProperty('priceRecorded');

      const unpriced = await sent(subject);
      const first = await subject.recordReceipt({
        ...receipt(unpriced.providerMessageId, 'undelivered', 1),
        price: EUR('0.0412'),
      });
      expect(first).toMatchObject({
        applied: true,
        priceRecorded: EUR('0.0412'),
        delivery: { price: EUR('0.0412') },
      });
      const second = await subject.recordReceipt({
        ...receipt(unpriced.providerMessageId, 'delivered', 2),
        price: EUR('0.0999'),
      });
      expect(second).toMatchObject({
        applied: true,
        delivery: { status: 'delivered', price: EUR('0.0412') },
      });
      expect(second).not.toHaveProperty('priceRecorded');
    });
  });
});
