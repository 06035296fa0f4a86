import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEventMessage } from './event-message.js';
import { EVENT_SCHEMA, otpEventSchema } from './events.js';
import { jobKeysSchema } from './job-crypto.js';
import { encodeSendJob, type SendJobFields } from './send-job-codec.js';
import { SEND_JOB_SCHEMA } from './send-job.js';

const keys = jobKeysSchema.parse(`k:${randomBytes(32).toString('base64')}`);
const secret = { to: '+34666111333', text: '123456 is your code', code: '123456', variables: {} };

const fields = (): SendJobFields => ({
  jobId: randomUUID(),
  authenticationId: randomUUID(),
  clientId: 'acme',
  channel: 'sms',
  countryCallingCode: '34',
  createdAt: '2026-12-02T06:00:00.000Z',
  expiresAt: '2026-12-02T06:05:00.000Z',
  options: {},
  allowedChannels: ['sms', 'voice'],
  test: false,
  maskedTo: '+346*******33',
});

const jobCopy = (job: SendJobFields) => ({
  content: encodeSendJob(job, secret, keys),
  properties: { type: SEND_JOB_SCHEMA },
});

describe('an events-queue message', () => {
  it("reads a send job's copy as its code's code.requested, from the readable envelope alone", () => {
    const job = fields();
    expect(parseEventMessage(otpEventSchema, jobCopy(job))).toEqual({
      schema: EVENT_SCHEMA,
      eventId: job.jobId,
      type: 'code.requested',
      occurredAt: job.createdAt,
      authenticationId: job.authenticationId,
      clientId: 'acme',
      channel: 'sms',
      countryCallingCode: '34',
      requestedAt: job.createdAt,
      maskedTo: '+346*******33',
      expiresAt: job.expiresAt,
    });
  });

  it('reads a job of a gateway older than maskedTo as an event without it', () => {
    const { maskedTo: _maskedTo, ...older } = fields();
    expect(parseEventMessage(otpEventSchema, jobCopy(older))).not.toHaveProperty('maskedTo');
  });

  it('reads an event message as before, whatever its AMQP type says besides the job schema', () => {
    const event = {
      schema: EVENT_SCHEMA,
      eventId: randomUUID(),
      type: 'code.sent',
      occurredAt: '2026-12-02T06:00:01.000Z',
      authenticationId: randomUUID(),
      clientId: 'acme',
      channel: 'sms',
      countryCallingCode: '34',
      requestedAt: '2026-12-02T06:00:00.000Z',
    };
    const content = Buffer.from(JSON.stringify(event));
    expect(parseEventMessage(otpEventSchema, { content, properties: { type: EVENT_SCHEMA } })).toEqual(event);
    expect(parseEventMessage(otpEventSchema, { content, properties: {} })).toEqual(event);
  });

  it('is no event when the job copy is not a valid job, or the consumer schema refuses what it says', () => {
    const broken = {
      content: Buffer.from('{"schema":"otpflow.send-job.v2"}'),
      properties: { type: SEND_JOB_SCHEMA },
    };
    expect(parseEventMessage(otpEventSchema, broken)).toBeUndefined();
    const onlySent = otpEventSchema.extend({ type: z.literal('code.sent') });
    expect(parseEventMessage(onlySent, jobCopy(fields()))).toBeUndefined();
  });
});
