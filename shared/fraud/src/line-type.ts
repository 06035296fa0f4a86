/**
 * libphonenumber's line type of a number (MOBILE, FIXED_LINE_OR_MOBILE, VOIP, PREMIUM_RATE, ...), as the
 * caller read it: the guard only tells plain mobiles from the high cost tier, so any string will do, and
 * the package needs no phone number library of its own.
 */
export type NumberType = string;
