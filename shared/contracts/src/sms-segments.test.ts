import { describe, expect, it } from 'vitest';
import { smsChargeInfo, splitSms } from './sms-segments.js';

describe('smsChargeInfo', () => {
  it('fits 160 GSM-7 characters in one message and splits at 153 per part after that', () => {
    expect(smsChargeInfo('a'.repeat(160))).toEqual({ encoding: 'GSM-7', parts: 1, units: 160 });
    expect(smsChargeInfo('a'.repeat(161))).toEqual({ encoding: 'GSM-7', parts: 2, units: 161 });
    expect(smsChargeInfo('a'.repeat(306)).parts).toBe(2);
    expect(smsChargeInfo('a'.repeat(307)).parts).toBe(3);
  });

  it('counts extension characters as two septets and never splits their escape', () => {
    expect(smsChargeInfo('€'.repeat(80))).toEqual({ encoding: 'GSM-7', parts: 1, units: 160 });
    expect(smsChargeInfo('€'.repeat(81)).parts).toBe(2);
    // 152 plain septets then a euro: 154 would straddle the first part, so the euro opens part two.
    expect(smsChargeInfo(`${'a'.repeat(152)}€${'a'.repeat(152)}`).parts).toBe(3);
  });

  it('keeps GSM accents in GSM-7 and falls back to UCS-2 for anything else', () => {
    expect(smsChargeInfo('Código: 123456 — válido').encoding).toBe('UCS-2');
    expect(smsChargeInfo('Votre code: 123456, à bientôt').encoding).toBe('UCS-2');
    expect(smsChargeInfo('Ihr Code: 123456. Gültig für 5 Minuten').encoding).toBe('GSM-7');
  });

  it('fits 70 UCS-2 units in one message, 67 per part, and counts emoji as two units', () => {
    expect(smsChargeInfo('ж'.repeat(70))).toEqual({ encoding: 'UCS-2', parts: 1, units: 70 });
    expect(smsChargeInfo('ж'.repeat(71)).parts).toBe(2);
    expect(smsChargeInfo('ж'.repeat(134)).parts).toBe(2);
    expect(smsChargeInfo('ж'.repeat(135)).parts).toBe(3);
    expect(smsChargeInfo('🙂'.repeat(35))).toEqual({ encoding: 'UCS-2', parts: 1, units: 70 });
    expect(smsChargeInfo(`${'ж'.repeat(69)}🙂`).parts).toBe(2);
    // 134 units would fit two parts, but the emoji cannot straddle the first one.
    expect(smsChargeInfo(`${'ж'.repeat(66)}🙂${'ж'.repeat(66)}`).parts).toBe(3);
  });
});

describe('splitSms', () => {
  it('keeps a text that fits one message whole', () => {
    expect(splitSms('482913 is your code')).toEqual({
      encoding: 'GSM-7',
      segments: ['482913 is your code'],
      units: 19,
    });
  });

  it('cuts GSM-7 into parts of 153 septets, never splitting an escape pair', () => {
    const text = `${'a'.repeat(152)}€${'b'.repeat(152)}`;
    const { segments } = splitSms(text);
    expect(segments).toEqual(['a'.repeat(152), `€${'b'.repeat(151)}`, 'b']);
    expect(segments.join('')).toBe(text);
    expect(segments).toHaveLength(smsChargeInfo(text).parts);
  });

  it('cuts UCS-2 into parts of 67 units, never splitting a surrogate pair', () => {
    const text = `${'ж'.repeat(66)}🙂${'ж'.repeat(66)}`;
    const { encoding, segments } = splitSms(text);
    expect(encoding).toBe('UCS-2');
    expect(segments).toEqual(['ж'.repeat(66), `🙂${'ж'.repeat(65)}`, 'ж']);
    expect(segments.join('')).toBe(text);
  });

  it('cuts exactly as many parts as the charge counts, for texts of every length', () => {
    for (const unit of ['a', '€', 'ж', '🙂', 'a€', 'aж']) {
      for (let length = 1; length <= 400; length += 7) {
        const text = unit.repeat(length);
        expect(splitSms(text).segments).toHaveLength(smsChargeInfo(text).parts);
        expect(splitSms(text).units).toBe(smsChargeInfo(text).units);
        expect(splitSms(text).segments.join('')).toBe(text);
      }
    }
  });
});
