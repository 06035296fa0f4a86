import { randomInt } from 'node:crypto';
import { getCountryCallingCode } from 'libphonenumber-js/max';
import parsePhoneNumber from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';

/** Legitimate traffic's countries and their share of it (a platform with a European and American base). */
export const LEGIT_COUNTRIES = {
  US: 20,
  GB: 10,
  DE: 9,
  FR: 8,
  ES: 7,
  IT: 6,
  BR: 6,
  MX: 5,
  IN: 5,
  CA: 4,
  NL: 3,
  PL: 3,
  SE: 2,
  PT: 2,
  AR: 2,
  CO: 2,
  AU: 2,
  JP: 2,
  TR: 1,
  ZA: 1,
};

const PLAIN_MOBILE = new Set(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

/**
 * A random valid mobile of a country: its example with the last digits drawn at random (all but the
 * first two of the national number unless told: users are spread over the whole numbering plan).
 */
export function randomMobile(country, digits) {
  const example = examples[country];
  digits ??= example.length - 2;
  const code = getCountryCallingCode(country);
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const tail = Array.from({ length: digits }, () => randomInt(10)).join('');
    const candidate = `+${code}${example.slice(0, example.length - digits)}${tail}`;
    const parsed = parsePhoneNumber(candidate);
    if (parsed?.isValid() && PLAIN_MOBILE.has(parsed.getType())) return parsed.number;
  }
  return `+${code}${example}`;
}

/** Sequential valid mobiles of a country from its example on: what a pumping burst walks through. */
export function* sequentialMobiles(country, start = 0) {
  const example = examples[country];
  const code = getCountryCallingCode(country);
  const head = example.slice(0, example.length - 4);
  for (let index = start; ; index += 1) {
    const candidate = `+${code}${head}${String(index % 10_000).padStart(4, '0')}`;
    const parsed = parsePhoneNumber(candidate);
    if (parsed?.isValid()) yield parsed.number;
  }
}

export function pickWeighted(weights) {
  const entries = Object.entries(weights);
  let draw = Math.random() * entries.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [key, weight] of entries) {
    draw -= weight;
    if (draw <= 0) return key;
  }
  return entries[0][0];
}

/** A residential-looking end-user address: any /24, any host. */
export const randomAddress = () =>
  `${randomInt(11, 223)}.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/** The day's shape, compressed: a trough at the start and the end, the peak in the middle. */
export const dayShape = (elapsed, total) => 0.35 + 0.65 * Math.sin((Math.PI * elapsed) / total) ** 2;
