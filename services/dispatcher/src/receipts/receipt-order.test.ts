import { describe, expect, it } from 'vitest';
import { boundedReceiptCode } from './delivery-receipt.js';
import { receiptEffect } from './receipt-order.js';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

describe('receipt order', () => {
  it('applies the first final word on a sent message', () => {
    expect(receiptEffect({ status: 'sent' }, { outcome: 'delivered', at: at(1) })).toBe('apply');
    expect(receiptEffect({ status: 'sent' }, { outcome: 'undelivered', at: at(1) })).toBe('apply');
  });

  it('never takes delivered back, and ignores a repeat', () => {
    const delivered = { status: 'delivered' as const, receiptAt: at(5) };
    expect(receiptEffect(delivered, { outcome: 'undelivered', at: at(9) })).toBe('ignore');
    expect(receiptEffect(delivered, { outcome: 'delivered', at: at(9) })).toBe('ignore');
  });

  it('lets a later delivered replace undelivered, but not an older one', () => {
    const undelivered = { status: 'undelivered' as const, receiptAt: at(5) };
    expect(receiptEffect(undelivered, { outcome: 'delivered', at: at(6) })).toBe('apply');
    expect(receiptEffect(undelivered, { outcome: 'delivered', at: at(4) })).toBe('ignore');
    expect(receiptEffect(undelivered, { outcome: 'undelivered', at: at(6) })).toBe('ignore');
  });

  it('changes nothing on a delivery that was never sent', () => {
    expect(receiptEffect({ status: 'retrying' }, { outcome: 'delivered', at: at(1) })).toBe('ignore');
    expect(receiptEffect({ status: 'dead_lettered' }, { outcome: 'undelivered', at: at(1) })).toBe('ignore');
  });
});

describe('bounded receipt codes', () => {
  it('keeps short plain codes and turns anything else into other', () => {
    expect(boundedReceiptCode(30003)).toBe('30003');
    expect(boundedReceiptCode('absent_subscriber')).toBe('absent_subscriber');
    expect(boundedReceiptCode('Fehler: <Zustellung>')).toBe('other');
    expect(boundedReceiptCode('x'.repeat(33))).toBe('other');
    expect(boundedReceiptCode('')).toBe('other');
  });
});
