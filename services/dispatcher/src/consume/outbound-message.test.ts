import type { SealedSendPayload, SendJob } from '@otpflow/contracts';
import { describe, expect, it } from 'vitest';
import { outboundMessage } from './outbound-message.js';

const job = {
  jobId: 'job-1',
  authenticationId: 'auth-1',
  channel: 'sms',
  expiresAt: '2026-01-01T00:05:00.000Z',
  options: { senderId: 'Acme', voiceLanguage: 'de-DE', voiceGender: 'male' },
} as unknown as SendJob;
const payload: SealedSendPayload = {
  to: '+34612345678',
  text: 'Código: 4821',
  code: '4821',
  variables: { name: 'Ana' },
};

describe('outboundMessage', () => {
  it('renders an SMS with its charge info, sender and idempotency key', () => {
    expect(outboundMessage(job, payload, 'sms', { run: 'first' })).toMatchObject({
      channel: 'sms',
      text: 'Código: 4821',
      sms: { encoding: 'UCS-2', parts: 1 },
      senderId: 'Acme',
      idempotencyKey: 'job-1:first',
      variables: { name: 'Ana' },
    });
  });

  it("passes the recipient's IP on its own, never among the template variables", () => {
    for (const recipientIp of ['2001:db8::7', '203.0.113.7']) {
      const message = outboundMessage(job, { ...payload, recipientIp }, 'sms', { run: 'first' });
      expect(message.recipientIp).toBe(recipientIp);
      expect(message.variables).toEqual({ name: 'Ana' });
    }
    expect(outboundMessage(job, payload, 'sms', { run: 'first' })).not.toHaveProperty('recipientIp');
  });

  it('renders a call in the job language, reading the code twice', () => {
    const call = outboundMessage(job, payload, 'voice', { run: 'replay-1' });
    expect(call.voice).toEqual({ language: 'de-DE', gender: 'male' });
    expect(call.text).toBe(
      'Ihr Bestätigungscode lautet: 4, 8, 2, 1. Ich wiederhole, Ihr Code lautet: 4, 8, 2, 1.',
    );
    expect(call.sms).toBeUndefined();
    expect(call.idempotencyKey).toBe('job-1:replay-1');
  });

  it('says a client voice text twice with the code spelled out', () => {
    const call = outboundMessage(job, { ...payload, voiceTemplate: 'Acme: {{code}}.' }, 'voice', {
      run: 'first',
    });
    expect(call.text).toBe('Acme: 4, 8, 2, 1. Acme: 4, 8, 2, 1.');
  });
});
