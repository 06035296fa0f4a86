import { ApiError } from '@otpflow/errors';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, type ClientPolicy } from '../policies/client-policy.js';
import { nativeSendRequest } from './verification-request.js';
import { createVerificationSchema } from './verification.schemas.js';

const policy: ClientPolicy = {
  ...defaultPolicy({
    codeLength: 6,
    validitySeconds: 300,
    maxAttempts: 3,
    maxSends: 5,
    sendWindowSeconds: 900,
    smsNumberTypes: ['MOBILE', 'FIXED_LINE_OR_MOBILE'],
    voiceNumberTypes: ['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE'],
  }),
  senderId: 'Acme',
  senderIds: ['AcmeBank'],
};

const resolve = (body: Record<string, unknown>, custom: ClientPolicy = policy) =>
  nativeSendRequest(custom, createVerificationSchema.parse({ to: '+34612345678', ...body }), 'corr-1');

function failure(body: Record<string, unknown>, custom?: ClientPolicy): { code: string; field?: string } {
  try {
    resolve(body, custom);
  } catch (error) {
    return { code: (error as ApiError).code, field: (error as ApiError).details?.field };
  }
  throw new Error('expected a refusal');
}

describe('nativeSendRequest', () => {
  it('fills what the request leaves out from the policy', () => {
    expect(resolve({})).toMatchObject({
      channel: 'sms',
      codeLength: 6,
      alphabet: { digits: true, upper: false, lower: false, special: false },
      validitySeconds: 300,
      maxAttempts: 3,
      senderId: 'Acme',
      message: { kind: 'standard' },
      correlator: 'corr-1',
    });
  });

  it('keeps what the request sets, within the bounds', () => {
    expect(
      resolve({
        code: { length: 12, alphabet: ['uppercase', 'digits'] },
        validitySeconds: 600,
        maxAttempts: 5,
        senderId: 'AcmeBank',
      }),
    ).toMatchObject({
      codeLength: 12,
      alphabet: { digits: true, upper: true },
      validitySeconds: 600,
      maxAttempts: 5,
      senderId: 'AcmeBank',
    });
  });

  it('refuses values out of the policy bounds with OUT_OF_RANGE naming the field', () => {
    expect(failure({ maxAttempts: 20 })).toEqual({ code: 'OUT_OF_RANGE', field: 'maxAttempts' });
    expect(failure({ validitySeconds: 86_400 })).toEqual({ code: 'OUT_OF_RANGE', field: 'validitySeconds' });
    expect(failure({ code: { length: 11 } })).toEqual({ code: 'OUT_OF_RANGE', field: 'code.length' });
    expect(failure({}, { ...policy, codeLength: { min: 8, max: 10 } })).toEqual({
      code: 'OUT_OF_RANGE',
      field: 'code.length',
    });
  });

  it('refuses a sender id the client may not use, and voice options on SMS', () => {
    expect(failure({ senderId: 'Other' })).toEqual({ code: 'PERMISSION_DENIED', field: 'senderId' });
    expect(failure({ voice: { language: 'fr-FR' } })).toEqual({ code: 'INVALID_ARGUMENT', field: 'voice' });
  });

  it('defaults voice to en-US and a female voice, and the template locale to the policy locale', () => {
    expect(resolve({ channel: 'voice' }).voice).toEqual({ language: 'en-US', gender: 'female' });
    expect(resolve({ template: { id: 'login' } }).message).toEqual({
      kind: 'template',
      templateId: 'login',
      locale: 'en',
      variables: {},
    });
    expect(resolve({}, { ...policy, defaultTemplate: { id: 'otp', locale: 'es' } }).message).toEqual({
      kind: 'template',
      templateId: 'otp',
      locale: 'es',
      variables: {},
    });
  });

  describe('workflow', () => {
    const workflow = [{ channel: 'sms', timeoutSeconds: 60 }, { channel: 'voice' }];

    it('starts on the first step, and calls later in the language of the verification', () => {
      expect(resolve({ workflow, template: { id: 'login', locale: 'es' } })).toMatchObject({
        channel: 'sms',
        workflow,
        voice: { language: 'es-ES', gender: 'female' },
      });
    });

    it("takes the policy's default workflow when the request names no channel", () => {
      const withDefault = {
        ...policy,
        workflow: [{ channel: 'voice' as const, timeoutSeconds: 30 }, { channel: 'sms' as const }],
      };
      expect(resolve({}, withDefault)).toMatchObject({ channel: 'voice', workflow: withDefault.workflow });
      expect(resolve({ channel: 'sms' }, withDefault)).not.toHaveProperty('workflow');
    });

    it('refuses a step on a channel the client may not use, and timeouts the code outlives no longer', () => {
      expect(failure({ workflow }, { ...policy, channels: ['sms'] })).toEqual({
        code: 'PERMISSION_DENIED',
        field: 'workflow.1.channel',
      });
      expect(
        failure({
          validitySeconds: 60,
          workflow: [{ channel: 'sms', timeoutSeconds: 60 }, { channel: 'voice' }],
        }),
      ).toEqual({ code: 'OUT_OF_RANGE', field: 'workflow' });
    });

    it('refuses at the edge: unknown fields, too many steps, timeouts out of bounds, a channel that disagrees', () => {
      const parse = (body: Record<string, unknown>) =>
        createVerificationSchema.safeParse({ to: '+34612345678', ...body }).success;
      expect(parse({ workflow })).toBe(true);
      expect(parse({ workflow: [] })).toBe(false);
      expect(parse({ workflow: Array.from({ length: 5 }, () => ({ channel: 'sms' })) })).toBe(false);
      expect(parse({ workflow: [{ channel: 'sms', timeoutSeconds: 5 }] })).toBe(false);
      expect(parse({ workflow: [{ channel: 'sms', timeoutSeconds: 901 }] })).toBe(false);
      expect(parse({ workflow: [{ channel: 'fax' }] })).toBe(false);
      expect(parse({ workflow: [{ channel: 'sms', delay: 3 }] })).toBe(false);
      expect(parse({ channel: 'voice', workflow })).toBe(false);
      expect(parse({ channel: 'sms', workflow })).toBe(true);
    });

    it('lets voice options go with a workflow that calls', () => {
      expect(resolve({ workflow, voice: { language: 'fr-FR' } })).toMatchObject({
        voice: { language: 'fr-FR' },
      });
    });
  });
});
