import { describe, expect, it } from 'vitest';
import { defaultPolicy, type ClientPolicy } from '../policies/client-policy.js';
import { camaraSendRequest } from './camara-request.js';

const policy: ClientPolicy = defaultPolicy({
  codeLength: 6,
  validitySeconds: 300,
  maxAttempts: 3,
  maxSends: 5,
  sendWindowSeconds: 900,
  smsNumberTypes: ['MOBILE'],
  voiceNumberTypes: ['MOBILE'],
});
const body = { phoneNumber: '+34612345678', message: '{{code}} is your code' };

describe('camaraSendRequest', () => {
  it('sends one SMS when the policy has no workflow', () => {
    const request = camaraSendRequest(policy, body, undefined);
    expect(request).toMatchObject({ channel: 'sms', api: 'camara' });
    expect(request).not.toHaveProperty('workflow');
    expect(request).not.toHaveProperty('voice');
  });

  it("follows the policy's default workflow, calling in the policy's language", () => {
    const workflow = [{ channel: 'sms' as const, timeoutSeconds: 60 }, { channel: 'voice' as const }];
    expect(camaraSendRequest({ ...policy, workflow, defaultLocale: 'de' }, body, 'corr-1')).toMatchObject({
      channel: 'sms',
      workflow,
      voice: { language: 'de-DE' },
      correlator: 'corr-1',
    });
    expect(camaraSendRequest({ ...policy, workflow, defaultLocale: 'nl' }, body, undefined).voice).toEqual({
      language: 'en-US',
      gender: 'female',
    });
  });
});
