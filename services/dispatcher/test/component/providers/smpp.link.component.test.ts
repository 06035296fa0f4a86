import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SmppLink, type SmppLinkSettings } from '../../../src/providers/smpp/smpp.link.js';
import { FakeSmsc } from '../../fakes/smpp.fake.js';

const CREDENTIALS = { systemId: 'otpflow', password: 'pa55w0rd' };
const SUBMIT = {
  source_addr_ton: 5,
  source_addr_npi: 0,
  source_addr: 'CoolApp',
  dest_addr_ton: 1,
  dest_addr_npi: 1,
  destination_addr: '34612345678',
  registered_delivery: 1,
  data_coding: 0,
  short_message: '482913 is your Cool App code',
};

describe('smpp link', () => {
  let smsc: FakeSmsc;
  let link: SmppLink;
  beforeEach(async () => {
    smsc = await new FakeSmsc(CREDENTIALS).start();
    const url = new URL(smsc.url);
    const settings: SmppLinkSettings = {
      host: url.hostname,
      port: Number(url.port),
      tls: false,
      ...CREDENTIALS,
      bindTimeoutMs: 2_000,
      enquireLinkMs: 60_000,
      probeTimeoutMs: 200,
    };
    link = new SmppLink(settings);
    await link.whenBound(AbortSignal.timeout(2_000));
  });
  afterEach(async () => {
    await link.close(500);
    await smsc.close();
  });

  it('stays up when the SMSC is slow on a submit but still answers enquire_link', async () => {
    smsc.scenario = 'hang';
    await expect(link.submit(SUBMIT, AbortSignal.timeout(100))).rejects.toMatchObject({
      failure: 'retryable',
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(link.alive).toBe(true);
  });

  it('gives the link up when the SMSC answers neither a submit nor an enquire_link', async () => {
    smsc.scenario = 'hang';
    smsc.answersEnquireLink = false;
    await expect(link.submit(SUBMIT, AbortSignal.timeout(100))).rejects.toMatchObject({
      reason: 'vendor_timeout',
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(link.alive).toBe(false);
    await expect(link.submit(SUBMIT, AbortSignal.timeout(100))).rejects.toMatchObject({
      reason: 'vendor_connection',
    });
  });

  it('fails a submit still waiting when the connection drops, without waiting for its timeout', async () => {
    smsc.scenario = 'hang';
    const pending = link.submit(SUBMIT, AbortSignal.timeout(10_000));
    await new Promise((resolve) => setTimeout(resolve, 50));
    smsc.dropSessions();
    await expect(pending).rejects.toMatchObject({ failure: 'retryable', reason: 'vendor_connection' });
  });
});
