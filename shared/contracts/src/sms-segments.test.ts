import { describe, expect, it } from 'vitest';
import { smsChargeInfo } from './sms-segments.js';

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
