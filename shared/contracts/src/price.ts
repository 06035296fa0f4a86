import { z } from 'zod';

/**
 * What a vendor says it charged for a message, as it said it: a decimal amount kept as a string (no
 * float rounding on the way to an invoice) and the ISO 4217 currency it is in. Prices in different
 * currencies are never added together or converted: every sum is per currency.
 */
export const priceSchema = z.object({
  /** Non-negative, up to 10 decimals: `0.0333`, `0.075`. */
  amount: z.string().regex(/^\d{1,9}(\.\d{1,10})?$/, 'must be a non-negative decimal amount'),
  /** Upper-case ISO 4217 code: `EUR`, `USD`. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code'),
});
export type Price = z.infer<typeof priceSchema>;

/**
 * A vendor's price text in our form, or undefined when it is not a readable amount. Vendors write it
 * their own way (`"0.03330000"`, `"-0.00750"` for a debit): the sign of a debit is dropped, trailing
 * zeros too, and anything else (empty, `null`, text) is no price rather than a guess.
 */
export function priceOf(amount: unknown, currency: unknown): Price | undefined {
  if ((typeof amount !== 'string' && typeof amount !== 'number') || typeof currency !== 'string')
    return undefined;
  const text = String(amount).trim().replace(/^-/, '');
  if (!/^\d{1,9}(\.\d{1,10})?$/.test(text)) return undefined;
  const normalised = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  const parsed = priceSchema.safeParse({ amount: normalised, currency: currency.trim().toUpperCase() });
  return parsed.success ? parsed.data : undefined;
}

/** The sum of prices in one currency, as a decimal string (for a message billed in parts). */
export function addPrices(prices: readonly Price[]): Price | undefined {
  const [first] = prices;
  if (!first || prices.some((price) => price.currency !== first.currency)) return undefined;
  // Scaled integers: the amounts have at most 10 decimals, so the sum is exact.
  const scale = 10n ** 10n;
  const scaled = prices.reduce((sum, price) => {
    const [whole = '0', fraction = ''] = price.amount.split('.');
    return sum + BigInt(whole) * scale + BigInt(fraction.padEnd(10, '0'));
  }, 0n);
  const whole = scaled / scale;
  const fraction = (scaled % scale).toString().padStart(10, '0').replace(/0+$/, '');
  return { amount: fraction ? `${whole}.${fraction}` : String(whole), currency: first.currency };
}
