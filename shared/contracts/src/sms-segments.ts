import type { SmsEncoding } from './events.js';

/**
 * SMS charge info, counted as carriers count it. A text that fits the GSM 03.38 alphabet is sent in
 * GSM-7: 160 septets in a single message, 153 per part once split (the rest holds the concatenation
 * header); extension-table characters (€ [ ] { } ^ ~ | \ and form feed) take two septets, and an
 * escape pair is never split across parts. Any other character makes the whole text UCS-2: 70 UTF-16
 * units single, 67 per part, a surrogate pair (most emoji) never split.
 */

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';
const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

const LIMITS = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
} as const satisfies Record<SmsEncoding, { single: number; part: number }>;

export interface SmsChargeInfo {
  encoding: SmsEncoding;
  /** Billed messages. */
  parts: number;
  /** Septets (GSM-7) or UTF-16 units (UCS-2). */
  units: number;
}

export function smsEncodingOf(text: string): SmsEncoding {
  for (const character of text) if (!basic.has(character) && !extension.has(character)) return 'UCS-2';
  return 'GSM-7';
}

/** The size of each character in the encoding's units: septets, or UTF-16 code units. */
function unitsPerCharacter(text: string, encoding: SmsEncoding): number[] {
  return Array.from(text).map((character) =>
    encoding === 'GSM-7' ? (extension.has(character) ? 2 : 1) : character.length,
  );
}

/** The text's size in the encoding's units, without building the per-character list. */
function unitsOf(text: string, encoding: SmsEncoding): number {
  if (encoding === 'UCS-2') return text.length;
  let units = 0;
  for (const character of text) units += extension.has(character) ? 2 : 1;
  return units;
}

export function smsChargeInfo(text: string): SmsChargeInfo {
  // Every send-code counts its text: one that fits a single message (nearly all) is counted without
  // cutting it into parts; a longer one is counted on the very parts splitSms cuts.
  const encoding = smsEncodingOf(text);
  const units = unitsOf(text, encoding);
  if (units <= LIMITS[encoding].single) return { encoding, parts: 1, units };
  return { encoding, parts: splitSms(text).segments.length, units };
}

/** A text cut into the parts carriers bill, each part's own text, in order. */
export interface SmsSegments {
  encoding: SmsEncoding;
  /** One string when the text fits a single message; otherwise each part of a concatenated SMS. */
  segments: string[];
  units: number;
}

/**
 * Cuts a text the way carriers count it (see smsChargeInfo, which counts these very parts): whole in
 * one message when it fits, otherwise greedily into parts of 153 septets or 67 UTF-16 units, a
 * character that does not fit whole (an escape pair, a surrogate pair) opening the next part. Senders
 * that concatenate themselves (SMPP with UDH or SAR) send these parts.
 */
export function splitSms(text: string): SmsSegments {
  const encoding = smsEncodingOf(text);
  const characters = Array.from(text);
  const sizes = unitsPerCharacter(text, encoding);
  const units = sizes.reduce((sum, size) => sum + size, 0);
  const limits = LIMITS[encoding];
  if (units <= limits.single) return { encoding, segments: [text], units };
  const segments: string[] = [];
  let current = '';
  let used = 0;
  characters.forEach((character, index) => {
    const size = sizes[index] ?? 1;
    if (used + size > limits.part) {
      segments.push(current);
      current = '';
      used = 0;
    }
    current += character;
    used += size;
  });
  segments.push(current);
  return { encoding, segments, units };
}
