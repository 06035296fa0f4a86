import { ApiError } from '@otpflow/errors';
import { describe, expect, it } from 'vitest';
import { MessageRenderer, STANDARD_SMS_TEXT } from './message-renderer.js';

const renderer = new MessageRenderer({ resolve: () => Promise.reject(new Error('no templates here')) });
const words = (template: string) => ({ template, source: { message: template } });

describe('MessageRenderer.render', () => {
  it('counts SMS parts on the text as it is sent, with the code in it', () => {
    // 162 characters with the placeholder (2 parts), 160 with a 6-digit code: one SMS.
    const rendered = renderer.render(words(`{{code}} ${'a'.repeat(153)}`), '123456', 'sms', 'message');
    expect(rendered.text).toHaveLength(160);
    expect(rendered.charge).toMatchObject({ encoding: 'GSM-7', parts: 1 });
  });

  it('applies the 8-part limit to the text as sent', () => {
    const ucs2 = words(`{{code}} ${'ж'.repeat(529)}`);
    expect(renderer.render(ucs2, '123456', 'sms', 'message').charge).toMatchObject({ parts: 8 });
    // A longer code makes the same words a ninth part: refused, naming the field.
    expect(() => renderer.render(ucs2, '12345678', 'sms', 'message')).toThrow(ApiError);
  });

  it('charges nothing for a call, and keeps the words with the placeholder for a resend', () => {
    const rendered = renderer.render(words(STANDARD_SMS_TEXT), '4242', 'voice', 'message');
    expect(rendered.charge).toBeUndefined();
    expect(rendered.template).toContain('{{code}}');
    expect(rendered.text).toBe('Your verification code is 4242');
  });

  it('holds words a later step calls with to the limit of a call as well', () => {
    // 600 characters: one SMS text within its limits, too long for the call a workflow makes next.
    const long = words(`{{code}} ${'a'.repeat(593)}`);
    expect(renderer.render(long, '123456', 'sms', 'message').charge).toMatchObject({ parts: 4 });
    expect(() => renderer.render(long, '123456', 'sms', 'message', { calledLater: true })).toThrow(
      /a voice message is at most 500 characters/,
    );
  });
});
