import type { GetMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { describeDeadLetter } from './dead-letter.js';

function message(headers: Record<string, unknown>): GetMessage {
  return {
    content: Buffer.from('not a job'),
    fields: { deliveryTag: 1, redelivered: false, exchange: 'otp.dlx', routingKey: 'send', messageCount: 0 },
    properties: { headers, messageId: 'job-1' } as GetMessage['properties'],
  };
}

describe('describeDeadLetter', () => {
  it('gives the dispatcher’s reason when it dead-lettered the job', () => {
    expect(describeDeadLetter(message({ 'x-otp-reason': 'max_attempts' })).reason).toBe('max_attempts');
  });

  it('gives the broker’s latest reason when RabbitMQ dead-lettered it (a delivery limit)', () => {
    const letter = describeDeadLetter(
      message({
        'x-death': [
          { queue: 'otp.send', reason: 'delivery_limit', count: 1 },
          { queue: 'otp.send.retry.1000ms', reason: 'expired', count: 1 },
        ],
        'x-first-death-reason': 'expired',
      }),
    );
    expect(letter.reason).toBe('delivery_limit');
    expect(letter.jobId).toBe('job-1');
  });

  it('falls back to "rejected" when nothing says why', () => {
    expect(describeDeadLetter(message({})).reason).toBe('rejected');
  });
});
