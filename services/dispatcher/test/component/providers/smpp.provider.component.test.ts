import { smsChargeInfo } from '@otpflow/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Provider } from '../../../src/providers/provider.js';
import { smppProvider } from '../../../src/providers/smpp/smpp.provider.js';
import { FakeSmsc } from '../../fakes/smpp.fake.js';
import { providerContract, sampleMessage, type ContractSubject } from '../../providers/provider-contract.js';
import { providerFromEnv } from '../../providers/vendor-subject.js';

const SYSTEM_ID = 'otpflow';
/** GSM 03.38 extension characters take an escape and a septet. */
const gsmSeptets = (text: string) =>
  Array.from(text).reduce((sum, character) => sum + ('\f^{}\\[~]|€'.includes(character) ? 2 : 1), 0);
const PASSWORD = 'pa55w0rd';
const SOURCE = 'CoolApp';

describe('smpp provider', () => {
  let smsc: FakeSmsc;
  let subject: ContractSubject;
  const makeProvider = (env: Record<string, string> = {}): Provider =>
    providerFromEnv(smppProvider, {
      SMPP_URL: smsc.url,
      SMPP_SYSTEM_ID: SYSTEM_ID,
      SMPP_PASSWORD: PASSWORD,
      SMPP_SYSTEM_TYPE: 'OTP',
      SMPP_SOURCE_ADDR: SOURCE,
      ...env,
    });
  const send = (overrides: Parameters<typeof sampleMessage>[0] = {}) =>
    subject.provider.send(sampleMessage(overrides), AbortSignal.timeout(5_000));

  beforeEach(async () => {
    smsc = await new FakeSmsc({ systemId: SYSTEM_ID, password: PASSWORD }).start();
    const provider = makeProvider();
    subject = {
      provider,
      scenario: (next) => {
        smsc.scenario = next;
      },
      requestCount: () => smsc.submits.length,
      expectExactRequest: (message) => {
        expect(smsc.binds.at(-1)).toMatchObject({
          system_id: SYSTEM_ID,
          password: PASSWORD,
          system_type: 'OTP',
        });
        const submit = smsc.submits.at(-1);
        expect(submit).toMatchObject({
          command: 'submit_sm',
          source_addr_ton: 5,
          source_addr_npi: 0,
          source_addr: SOURCE,
          dest_addr_ton: 1,
          dest_addr_npi: 1,
          destination_addr: '34612345678',
          esm_class: 0,
          registered_delivery: 1,
          data_coding: 0,
          short_message: { message: message.text },
        });
        expect(submit?.message_payload).toBeUndefined();
      },
      close: async () => {
        await provider.close?.();
        await smsc.close();
      },
    };
  });
  afterEach(async () => {
    await subject.close();
  });

  providerContract(() => subject);

  it('keeps one bound session for every send and returns the message id', async () => {
    expect(await send()).toEqual({ providerMessageId: 'fake-1' });
    expect(await send()).toEqual({ providerMessageId: 'fake-2' });
    expect(await send()).toEqual({ providerMessageId: 'fake-3' });
    expect(smsc.binds).toHaveLength(1);
  });

  it('sends UCS-2 texts with data_coding 8', async () => {
    const text = '482913 — ваш код';
    await send({ text, sms: { encoding: 'UCS-2', parts: 1 } });
    expect(smsc.submits.at(-1)).toMatchObject({ data_coding: 8, short_message: { message: text } });
  });

  describe('long texts', () => {
    // 152 septets then a euro (two), so a careless split would cut its escape pair; then more.
    const gsm = `482913 is your Cool App code. ${'x'.repeat(122)}€ [it] ${'Never share it. '.repeat(10)}`;
    // 66 units then an emoji (a surrogate pair) on the part boundary; then more.
    const ucs2 = `Код 482913 ${'ж'.repeat(55)}🙂 ${'Никому его не сообщайте. '.repeat(4)}`;
    const longProvider = async (mode: string) => {
      await subject.provider.close?.();
      const provider = makeProvider({ SMPP_LONG_MESSAGES: mode });
      subject = { ...subject, provider, close: async () => (await provider.close?.(), smsc.close()) };
      return provider;
    };
    /** The text the handset shows: the parts in sequence order, each checked to fit one SMS. */
    const reassembled = (parts: { sequence: number; total: number; text: string }[], dataCoding: number) => {
      for (const part of parts) {
        // Octets an SMS can carry: 153 unpacked GSM septets, or 67 UCS-2 units, after the header.
        const size = dataCoding === 0 ? gsmSeptets(part.text) : part.text.length;
        expect(size).toBeLessThanOrEqual(dataCoding === 0 ? 153 : 67);
        expect(part.total).toBe(parts.length);
      }
      return [...parts]
        .sort((a, b) => a.sequence - b.sequence)
        .map((part) => part.text)
        .join('');
    };

    it.each([
      ['GSM-7', gsm, 0],
      ['UCS-2', ucs2, 8],
    ] as const)(
      'sends %s parts with a concatenation header (UDH) that reassemble into the text',
      async (_, text, coding) => {
        const provider = await longProvider('udh');
        const receipt = await provider.send(sampleMessage({ text }), AbortSignal.timeout(5_000));
        const parts = smsc.submits.map((submit) => {
          expect(submit).toMatchObject({ esm_class: 0x40, data_coding: coding });
          expect(submit.message_payload).toBeUndefined();
          const header = submit.short_message?.udh?.[0];
          // IEI 0 (concatenation, 8-bit reference), length 3, then reference, total and sequence.
          expect([header?.[0], header?.[1]]).toEqual([0x00, 0x03]);
          return {
            reference: header?.[2],
            total: header?.[3] ?? 0,
            sequence: header?.[4] ?? 0,
            text: String(submit.short_message?.message),
          };
        });
        expect(parts.length).toBe(smsChargeInfo(text).parts);
        expect(parts.length).toBeGreaterThanOrEqual(2);
        expect(new Set(parts.map((part) => part.reference)).size).toBe(1);
        expect(reassembled(parts, coding)).toBe(text);
        // Receipts refer to the first part.
        expect(receipt).toEqual({ providerMessageId: 'fake-1' });
      },
    );

    it.each([
      ['GSM-7', gsm, 0],
      ['UCS-2', ucs2, 8],
    ] as const)('sends %s parts with SAR TLVs that reassemble into the text', async (_, text, coding) => {
      const provider = await longProvider('sar');
      await provider.send(sampleMessage({ text }), AbortSignal.timeout(5_000));
      const parts = smsc.submits.map((submit) => {
        expect(submit).toMatchObject({ esm_class: 0, data_coding: coding });
        expect(submit.short_message?.udh).toBeUndefined();
        return {
          reference: submit.sar_msg_ref_num,
          total: submit.sar_total_segments ?? 0,
          sequence: submit.sar_segment_seqnum ?? 0,
          text: String(submit.short_message?.message),
        };
      });
      expect(parts.length).toBe(smsChargeInfo(text).parts);
      expect(new Set(parts.map((part) => part.reference)).size).toBe(1);
      expect(reassembled(parts, coding)).toBe(text);
    });

    it('puts the whole text in message_payload when told to', async () => {
      const provider = await longProvider('payload');
      await provider.send(sampleMessage({ text: gsm }), AbortSignal.timeout(5_000));
      expect(smsc.submits).toHaveLength(1);
      const submit = smsc.submits.at(-1);
      expect(submit).toMatchObject({ data_coding: 0, message_payload: { message: gsm } });
      expect(submit?.short_message?.message).toHaveLength(0);
    });

    it('fails the message when the SMSC refuses a later part', async () => {
      const provider = await longProvider('udh');
      smsc.refuseAfter = 1;
      smsc.scenario = 'rate-limited';
      expect(
        await provider
          .send(sampleMessage({ text: gsm }), AbortSignal.timeout(5_000))
          .catch((e: unknown) => e),
      ).toMatchObject({
        failure: 'retryable',
        reason: 'vendor_ESME_RTHROTTLED',
      });
      expect(smsc.submits).toHaveLength(2);
    });
  });

  it('sends a numeric sender as an international number', async () => {
    await send({ senderId: '+14155550100' });
    expect(smsc.submits.at(-1)).toMatchObject({
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: '14155550100',
    });
  });

  it('fails a submit as retryable when the connection drops, then binds again', async () => {
    await send();
    smsc.scenario = 'drop';
    expect(await send().catch((e: unknown) => e)).toMatchObject({
      failure: 'retryable',
      reason: 'vendor_connection',
    });
    smsc.scenario = 'accept';
    expect(await send()).toEqual({ providerMessageId: 'fake-2' });
    expect(smsc.binds).toHaveLength(2);
  });

  it('binds again after the SMSC restarts between sends', async () => {
    await send();
    smsc.dropSessions();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await send()).toEqual({ providerMessageId: 'fake-2' });
    expect(smsc.binds).toHaveLength(2);
  });

  it('names the SMPP error of a refusal', async () => {
    smsc.scenario = 'reject-number';
    expect(await send().catch((e: unknown) => e)).toMatchObject({
      failure: 'permanent',
      reason: 'vendor_ESME_RINVDSTADR',
    });
    smsc.scenario = 'rate-limited';
    expect(await send().catch((e: unknown) => e)).toMatchObject({
      failure: 'retryable',
      reason: 'vendor_ESME_RTHROTTLED',
    });
  });

  it('acknowledges delivery receipts and enquire_link from the SMSC', async () => {
    await send();
    expect(await smsc.probeClient()).toEqual(['deliver_sm_resp', 'enquire_link_resp']);
  });

  it('refuses to send with wrong credentials, permanently', async () => {
    const provider = makeProvider({ SMPP_PASSWORD: 'wrong' });
    const error = await provider.send(sampleMessage(), AbortSignal.timeout(5_000)).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'permanent', reason: 'vendor_bind_14' });
    await provider.close?.();
  });

  it('treats an SMSC that is not listening as retryable', async () => {
    const provider = makeProvider({ SMPP_URL: 'smpp://127.0.0.1:1' });
    const error = await provider.send(sampleMessage(), AbortSignal.timeout(5_000)).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'retryable', reason: 'vendor_connection' });
  });

  it('unbinds on close and sends nothing after', async () => {
    await send();
    await subject.provider.close?.();
    await subject.provider.close?.();
    expect(smsc.unbinds).toBe(1);
    expect(await send().catch((e: unknown) => e)).toMatchObject({
      failure: 'retryable',
      reason: 'vendor_closed',
    });
  });

  it('validates its settings at start-up', () => {
    const parse = (env: Record<string, string>) => smppProvider.envSchema.safeParse(env).success;
    const env = {
      SMPP_URL: 'smpp://smsc.example.com:2775',
      SMPP_SYSTEM_ID: SYSTEM_ID,
      SMPP_PASSWORD: PASSWORD,
    };
    expect(parse({ ...env, SMPP_SOURCE_ADDR: SOURCE })).toBe(true);
    expect(parse({ ...env, SMPP_SOURCE_ADDR: '+14155550100' })).toBe(true);
    expect(parse({ ...env, SMPP_SOURCE_ADDR: 'Much Too Long Sender' })).toBe(false);
    expect(parse({ ...env, SMPP_URL: 'http://smsc.example.com', SMPP_SOURCE_ADDR: SOURCE })).toBe(false);
    expect(parse({ ...env, SMPP_PASSWORD: 'longer-than-8', SMPP_SOURCE_ADDR: SOURCE })).toBe(false);
  });
});
