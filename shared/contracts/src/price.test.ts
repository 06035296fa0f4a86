import { describe, expect, it } from 'vitest';
import { addPrices, priceFromUnits, priceOf, priceUnits } from './price.js';

describe('vendor prices', () => {
  it('reads the amounts vendors write, dropping the sign of a debit and trailing zeros', () => {
    expect(priceOf('0.03330000', 'EUR')).toEqual({ amount: '0.0333', currency: 'EUR' });
    expect(priceOf('-0.00750', 'usd')).toEqual({ amount: '0.0075', currency: 'USD' });
    expect(priceOf(0.05, 'EUR')).toEqual({ amount: '0.05', currency: 'EUR' });
    expect(priceOf('2.000', 'GBP')).toEqual({ amount: '2', currency: 'GBP' });
  });

  it('takes nothing it cannot read for a price', () => {
    expect(priceOf(null, 'USD')).toBeUndefined();
    expect(priceOf('', 'USD')).toBeUndefined();
    expect(priceOf('free', 'USD')).toBeUndefined();
    expect(priceOf('1e-3', 'USD')).toBeUndefined();
    expect(priceOf('0.01', undefined)).toBeUndefined();
    expect(priceOf('0.01', 'euro')).toBeUndefined();
  });

  it('adds prices of one currency exactly, and refuses to add two currencies', () => {
    expect(
      addPrices([
        { amount: '0.1', currency: 'EUR' },
        { amount: '0.2', currency: 'EUR' },
      ]),
    ).toEqual({ amount: '0.3', currency: 'EUR' });
    expect(
      addPrices([
        { amount: '0.0333', currency: 'EUR' },
        { amount: '0.0333', currency: 'EUR' },
        { amount: '1', currency: 'EUR' },
      ]),
    ).toEqual({ amount: '1.0666', currency: 'EUR' });
    expect(
      addPrices([
        { amount: '1', currency: 'EUR' },
        { amount: '1', currency: 'USD' },
      ]),
    ).toBeUndefined();
    expect(addPrices([])).toBeUndefined();
  });
});

describe('prices as units for sums in the store', () => {
  it('turns amounts into whole 1e-10 units and back, exactly', () => {
    expect(priceUnits({ amount: '0.0333', currency: 'EUR' })).toBe(333_000_000);
    expect(priceUnits({ amount: '2', currency: 'EUR' })).toBe(20_000_000_000);
    const sum = ['0.1', '0.2'].reduce((total, amount) => total + priceUnits({ amount, currency: 'EUR' }), 0);
    expect(priceFromUnits(sum, 'EUR')).toEqual({ amount: '0.3', currency: 'EUR' });
    expect(priceFromUnits(0, 'USD')).toEqual({ amount: '0', currency: 'USD' });
    expect(priceFromUnits(12_345_678_901, 'USD')).toEqual({ amount: '1.2345678901', currency: 'USD' });
  });
});
