import { randomBytes, randomUUID } from 'node:crypto';
import { topologyNames, type AmqpClient } from '@otpflow/amqp';
import {
  jobKeysSchema,
  openSendJob,
  otpEventSchema,
  parseEventMessage,
  parseSendJob,
  REQUESTED_EVENT_ROUTING_KEY,
  SEND_JOB_SCHEMA,
} from '@otpflow/contracts';
import type { CodeEntry } from '@otpflow/mongo';
import { describe, expect, it } from 'vitest';
import { DIGITS_ONLY } from '../otp/code.js';
import { SendJobPublisher, type JobSubject } from './send-job.publisher.js';

const keys = jobKeysSchema.parse(`k:${randomBytes(32).toString('base64')}`);

type Published = Parameters<AmqpClient['publish']>;

/** The publisher over a broker that confirms everything and keeps what it was given. */
function recordingPublisher() {
  const published: Published[] = [];
  const amqp: Pick<AmqpClient, 'names' | 'publish'> = {
    names: topologyNames('otp'),
    publish: (...args) => {
      published.push(args);
      return Promise.resolve();
    },
  };
  return { publisher: new SendJobPublisher(amqp, keys), published };
}

const entry = (overrides: Partial<CodeEntry> = {}): CodeEntry => ({
  hash: 'h',
  status: 'pending',
  maxAttempts: 3,
  attemptsLeft: 3,
  createdAt: new Date('2026-12-02T06:00:00Z'),
  requestedAt: new Date('2026-12-02T06:01:00Z'),
  expiresAt: new Date('2026-12-02T06:06:00Z'),
  validitySeconds: 300,
  purgeAt: new Date('2026-12-03T06:06:00Z'),
  channel: 'sms',
  countryCallingCode: '34',
  jobId: randomUUID(),
  sends: 1,
  test: false,
  codeLength: 6,
  alphabet: DIGITS_ONLY,
  content: { message: 'Your Acme code: {{code}}', variables: {} },
  resendIntervalSeconds: 30,
  ...overrides,
});

const subject = (codeEntry: CodeEntry, overrides: Partial<JobSubject> = {}): JobSubject => ({
  authenticationId: randomUUID(),
  state: { numberKey: 'n', tenantKey: 't', codeId: 'c' },
  clientId: 'acme',
  e164: '+34612345678',
  entry: codeEntry,
  text: 'Your Acme code: 123456',
  template: 'Your Acme code: {{code}}',
  code: '123456',
  allowedChannels: ['sms', 'voice'],
  ...overrides,
});

describe('SendJobPublisher', () => {
  it("publishes a job the dispatcher opens, which is also the code's code.requested event", async () => {
    const { publisher, published } = recordingPublisher();
    const sent = subject(
      entry({ senderId: 'Acme', voice: { language: 'es-ES', gender: 'female' }, recipientIp: '192.0.2.7' }),
      {
        workflow: [{ channel: 'sms', timeoutSeconds: 60 }, { channel: 'voice' }],
        fraud: { lineType: 'MOBILE' },
      },
    );
    await publisher.publish(sent, 'corr-1');

    const [exchange, routingKey, content, options] = published[0] ?? [];
    expect([exchange, routingKey]).toEqual(['otp.jobs', 'send']);
    expect(options).toMatchObject({
      messageId: sent.entry.jobId,
      type: SEND_JOB_SCHEMA,
      headers: { 'x-correlator': 'corr-1', BCC: [REQUESTED_EVENT_ROUTING_KEY] },
    });
    if (!content) throw new Error('nothing published');
    const job = parseSendJob(content);
    expect(job).toMatchObject({
      jobId: sent.entry.jobId,
      createdAt: '2026-12-02T06:01:00.000Z',
      options: { senderId: 'Acme', voiceLanguage: 'es-ES', voiceGender: 'female' },
      workflow: sent.workflow,
      maskedTo: expect.stringMatching(/^\+34\d*\*+\d*$/) as unknown,
    });
    expect(openSendJob(job, keys)).toMatchObject({
      to: '+34612345678',
      code: '123456',
      recipientIp: '192.0.2.7',
      voiceTemplate: 'Your Acme code: {{code}}',
      fraud: { lineType: 'MOBILE' },
    });
    expect(
      parseEventMessage(otpEventSchema, { content, properties: { type: SEND_JOB_SCHEMA } }),
    ).toMatchObject({
      type: 'code.requested',
      eventId: sent.entry.jobId,
      authenticationId: sent.authenticationId,
      requestedAt: '2026-12-02T06:01:00.000Z',
    });
  });

  it('sends the requested BCC without a correlator too, and no workflow a single reachable step leaves', async () => {
    const { publisher, published } = recordingPublisher();
    await publisher.publish(
      subject(entry(), { allowedChannels: ['sms'], workflow: [{ channel: 'sms' }, { channel: 'voice' }] }),
      undefined,
    );
    const [, , content, options] = published[0] ?? [];
    expect(options?.headers).toEqual({ BCC: [REQUESTED_EVENT_ROUTING_KEY] });
    if (!content) throw new Error('nothing published');
    expect(parseSendJob(content)).not.toHaveProperty('workflow');
  });
});
