/**
 * The ranges a number belongs to, from the widest to the narrowest: its country, its country code plus
 * 3 and plus 5 digits (the depths prefix velocity and conversion are counted at), and its block of a
 * hundred numbers (what a sequential burst fills). Prefixes are E.164 with the '+'.
 */
export interface NumberRanges {
  country: string;
  cc3: string;
  cc5: string;
  block: string;
}

/** A number's ranges; a depth longer than the number stops at the number minus its last digit. */
export function rangesOf(e164: string, countryCallingCode: string): NumberRanges {
  const country = `+${countryCallingCode}`;
  const cap = (length: number) => e164.slice(0, Math.min(length, e164.length - 1));
  return {
    country,
    cc3: cap(country.length + 3),
    cc5: cap(country.length + 5),
    block: e164.slice(0, Math.max(country.length, e164.length - 2)),
  };
}

/** The range above a blocked one that repeated blocks escalate to (a block → cc+5 → cc+3). */
export function parentRange(ranges: NumberRanges, range: string): string | undefined {
  if (range === ranges.block) return ranges.cc5 === range ? ranges.cc3 : ranges.cc5;
  if (range === ranges.cc5 && ranges.cc3 !== range) return ranges.cc3;
  return undefined;
}

/** Whether a number or prefix falls within one of the listed prefixes. */
export function withinAny(value: string, prefixes: readonly string[]): boolean {
  return prefixes.some((prefix) => value.startsWith(prefix));
}

/**
 * The network an address rotates within: its /24 (IPv4) or /48 (IPv6), so an attacker cycling through
 * one provider's addresses is still one source.
 */
export function subnetOf(ip: string): string {
  if (ip.includes('.') && !ip.includes(':')) return `${ip.split('.').slice(0, 3).join('.')}.0/24`;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return subnetOf(mapped[1]);
  const [head = '', tail] = ip.toLowerCase().split('::');
  const groups = head.split(':').filter(Boolean);
  const missing = 8 - groups.length - (tail ? tail.split(':').length : 0);
  const full = [
    ...groups,
    ...Array<string>(Math.max(0, missing)).fill('0'),
    ...(tail ? tail.split(':') : []),
  ];
  return `${full.slice(0, 3).join(':')}::/48`;
}
