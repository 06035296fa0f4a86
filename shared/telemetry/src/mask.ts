/**
 * Phone numbers never reach a log line whole. The mask keeps the country calling code's neighbourhood
 * and the last two digits (enough for a support engineer to match a complaint) and hides the rest:
 * +346661113334 -> +346********34.
 */
export function maskPhoneNumber(phoneNumber: string): string {
  const digits = phoneNumber.replace(/^\+/, '');
  if (digits.length <= 5) return '+' + '*'.repeat(digits.length);
  return `+${digits.slice(0, 3)}${'*'.repeat(digits.length - 5)}${digits.slice(-2)}`;
}

const E164_ANYWHERE = /\+[1-9][0-9]{4,14}/g;

/** Masks every E.164-looking number inside free text (error messages from providers, for example). */
export function maskPhoneNumbersIn(text: string): string {
  return text.replace(E164_ANYWHERE, maskPhoneNumber);
}
