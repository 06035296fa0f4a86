import { addressRange } from '@otpflow/contracts';
import { isIP } from 'node:net';

export interface WebhookUrlRules {
  /** Plain http:// endpoints (WEBHOOK_ALLOW_HTTP): development and tests, production refuses it. */
  allowHttp: boolean;
  /** This host and internal addresses (CALLBACK_ALLOW_PRIVATE_ADDRESSES): the same. */
  allowPrivateAddresses: boolean;
}

/**
 * Why a tenant may not register this URL, or undefined when it may. Only what the URL's text shows
 * is judged here: `localhost` and IP literals that are not public (loopback, private, link-local
 * with the cloud metadata at 169.254.169.254, CGNAT, unique-local, unspecified, in any IPv6 form).
 * A name that resolves to such an address is refused by the dispatcher when it connects, where
 * the answer that counts is known (docs/SECURITY.md).
 */
export function webhookUrlProblem(url: string, rules: WebhookUrlRules): string | undefined {
  const parsed = new URL(url);
  if (!rules.allowHttp && parsed.protocol !== 'https:') return 'must be an https:// URL';
  if (rules.allowPrivateAddresses) return undefined;
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'must not point at this host';
  if (isIP(host) === 0) return undefined;
  const range = addressRange(host);
  return range === 'public'
    ? undefined
    : `must not point at an internal address (${range.replace('_', '-')})`;
}
