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

const SCALE = 10n ** 10n;

/** A price's amount as an integer of 1e-10 units: the contract has at most 10 decimals. */
function scaledOf(price: Price): bigint {
  const [whole = '0', fraction = ''] = price.amount.split('.');
  return BigInt(whole) * SCALE + BigInt(fraction.padEnd(10, '0'));
}

function priceOfScaled(scaled: bigint, currency: string): Price {
  const whole = scaled / SCALE;
  const fraction = (scaled % SCALE).toString().padStart(10, '0').replace(/0+$/, '');
  return { amount: fraction ? `${whole}.${fraction}` : String(whole), currency };
}

/** The sum of prices in one currency, as a decimal string (for a message billed in parts). */
export function addPrices(prices: readonly Price[]): Price | undefined {
  const [first] = prices;
  if (!first || prices.some((price) => price.currency !== first.currency)) return undefined;
  // Scaled integers: the sum is exact.
  return priceOfScaled(
    prices.reduce((sum, price) => sum + scaledOf(price), 0n),
    first.currency,
  );
}

/**
 * A price's amount in units of 1e-10, for adding up in a store with `$inc`: exact while a sum stays
 * under 2^53 units (900 000 in one currency per sum, far above one hour of one tenant's bucket).
 */
export function priceUnits(price: Price): number {
  return Number(scaledOf(price));
}

/** The decimal text of a sum kept in units of 1e-10 (see priceUnits). */
export function priceFromUnits(units: number, currency: string): Price {
  return priceOfScaled(BigInt(Math.max(0, Math.round(units))), currency);
}
