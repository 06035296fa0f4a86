import { describe, expect, it } from 'vitest';
import { createWebhookSchema, updateWebhookSchema } from './webhook.schemas.js';

const events = ['verification.sent'];

describe('the webhook bodies', () => {
  it('takes an absolute URL without credentials or fragment', () => {
    expect(createWebhookSchema.parse({ url: 'https://hooks.example.com/otp', events }).enabled).toBe(true);
  });

  // The fuzzer found these answered 500: the credentials check threw on what is no URL at all.
  it.each(['', 'not a url', 'https://', '//hooks.example.com/otp'])('refuses %j as a URL', (url) => {
    const parsed = createWebhookSchema.safeParse({ url, events });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['url']);
    expect(updateWebhookSchema.safeParse({ url }).success).toBe(false);
  });

  it.each(['https://user:pass@hooks.example.com/otp', 'https://hooks.example.com/otp#frag'])(
    'refuses credentials or a fragment in %s',
    (url) => {
      const parsed = createWebhookSchema.safeParse({ url, events });
      expect(parsed.error?.issues.map((issue) => issue.message)).toEqual([
        'must not carry credentials or a fragment',
      ]);
    },
  );

  it('refuses an empty change and a repeated event type', () => {
    expect(updateWebhookSchema.safeParse({}).success).toBe(false);
    expect(
      createWebhookSchema.safeParse({ url: 'https://h.example/x', events: [...events, ...events] }).success,
    ).toBe(false);
  });
});
