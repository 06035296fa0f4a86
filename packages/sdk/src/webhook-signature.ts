import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { OtpflowError } from './errors.js';
import type { WebhookEventType } from './resources/webhooks.js';

/** The body of a status callback. */
export interface WebhookEvent {
  type: WebhookEventType;
  timestamp: string;
  data: {
    verificationId: string;
    channel: 'sms' | 'voice';
    countryCallingCode: string;
    requestedAt: string;
    provider?: string;
    attempt?: number;
    reason?: string;
  };
}

export class WebhookSignatureError extends OtpflowError {}

/** How far a callback's `webhook-timestamp` may be from now, either way (the Standard Webhooks default). */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

export interface VerifyWebhookOptions {
  /** A tighter replay window than the default 300 seconds. */
  toleranceSeconds?: number;
  now?: () => Date;
}

type Headers = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(headers: Headers, name: string): string {
  const value: unknown =
    typeof headers.get === 'function' ? headers.get(name) : (headers as Record<string, unknown>)[name];
  const single: unknown = Array.isArray(value) ? value[0] : value;
  if (typeof single !== 'string' || single === '') throw new WebhookSignatureError(`missing ${name} header`);
  return single;
}

/**
 * Checks a status callback as received (the raw body, before any JSON parsing, and its headers) and
 * returns the event. Throws WebhookSignatureError for a missing header, a bad signature, or a
 * timestamp outside the replay window. Deduplicate on `webhook-id`: a callback may come more than once.
 */
export function verifyWebhook(
  body: string | Buffer,
  headers: Headers,
  secret: string,
  options: VerifyWebhookOptions = {},
): { id: string; event: WebhookEvent } {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signature = header(headers, 'webhook-signature');
  const tolerance = Math.min(
    options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
    DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  );
  const now = (options.now?.() ?? new Date()).getTime() / 1000;
  const sentAt = Number(timestamp);
  if (!Number.isInteger(sentAt) || Math.abs(now - sentAt) > tolerance)
    throw new WebhookSignatureError('webhook-timestamp is outside the replay window');
  // The library's own verify checks the timestamp against the real clock and a fixed window; the
  // window is checked above, so only its signing is used here, compared in constant time.
  let expected: string;
  try {
    expected = new Webhook(secret).sign(id, new Date(sentAt * 1000), body).split(',')[1] ?? '';
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw new WebhookSignatureError(error.message);
    throw error;
  }
  const matches = signature.split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    return version === 'v1' && value !== undefined && constantTimeEqual(value, expected);
  });
  if (!matches) throw new WebhookSignatureError('no matching signature');
  const text = typeof body === 'string' ? body : body.toString('utf8');
  return { id, event: JSON.parse(text) as WebhookEvent };
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index += 1) difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}
