import { describe, expect, it } from 'vitest';
import { newWebhookSecret, openWebhookSecret, sealWebhookSecret } from './callback.js';
import { jobKeysSchema } from './job-crypto.js';

const keys = jobKeysSchema.parse(`k1:${Buffer.alloc(32, 7).toString('base64')}`);
const endpoint = { clientId: 'tenant-a', endpointId: 'ep_AAAAAAAAAAAAAAAA' };

describe('webhook secrets', () => {
  it('are made in the Standard Webhooks form, 24 random bytes', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(24);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it('are sealed at rest and open only for the endpoint they were sealed for', () => {
    const secret = newWebhookSecret();
    const sealed = sealWebhookSecret(secret, keys, endpoint);
    expect(sealed).not.toContain(secret.slice(6));
    expect(openWebhookSecret(sealed, keys, endpoint)).toBe(secret);
    expect(() => openWebhookSecret(sealed, keys, { ...endpoint, endpointId: 'ep_BBBBBBBBBBBBBBBB' })).toThrow(
      /does not authenticate/,
    );
    expect(() => openWebhookSecret(sealed, keys, { ...endpoint, clientId: 'tenant-b' })).toThrow(
      /does not authenticate/,
    );
  });
});
