import { addPrices, priceOf, type Price } from '@otpflow/contracts';
import { z } from 'zod';
import { httpRequest, type HttpResponse } from '../http-transport.js';
import { kindForHttpStatus, ProviderError, type ProviderFailureKind } from '../provider-error.js';
import { defineProvider, requireHttps } from '../provider-factory.js';
import type { OutboundMessage, Provider, ProviderReceipt } from '../provider.js';
import { baseUrlSetting, boundedCode, digitsOnly } from '../vendor-settings.js';
import { VONAGE_SIGNATURE_METHODS, VonageReceiptVerifier } from './vonage.receipts.js';

const envSchema = z.object({
  VONAGE_API_KEY: z.string().regex(/^[0-9a-zA-Z]{8}$/, 'must be the 8-character API key'),
  VONAGE_API_SECRET: z.string().regex(/^\S{8,64}$/, 'must be the API secret'),
  /** A number in international format without '+', or an alphanumeric sender id (up to 11). */
  VONAGE_FROM: z
    .string()
    .regex(/^([1-9][0-9]{3,14}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/, 'must be digits or 1-11 letters/digits'),
  VONAGE_BASE_URL: baseUrlSetting('https://rest.nexmo.com'),
  /**
   * The account's signature secret and method (dashboard, API settings): delivery receipts are taken
   * only signed with them. Without a secret, /v1/receipts/vonage refuses every receipt.
   */
  VONAGE_SIGNATURE_SECRET: z
    .string()
    .regex(/^\S{16,}$/, 'must be the signature secret')
    .optional(),
  VONAGE_SIGNATURE_METHOD: z.enum(VONAGE_SIGNATURE_METHODS).default('md5hash'),
  /** Vonage prices are in the account's currency, which its answers do not name. */
  VONAGE_PRICE_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')
    .default('EUR'),
});

/**
 * Vonage SMS API per-message statuses worth retrying: 1 throttled, 5 internal error, 10 too many binds.
 * Every other non-zero status (missing or invalid parameters, bad credentials, barred number, quota,
 * invalid sender, non-whitelisted destination...) will be refused again.
 */
const RETRYABLE_STATUSES = new Map<number, ProviderFailureKind>([
  [1, 'throttled'],
  [5, 'server_error'],
  [10, 'throttled'],
]);

interface VonageAnswer {
  'message-count'?: unknown;
  messages?: { status?: unknown; 'message-id'?: unknown; 'message-price'?: unknown }[];
}

/**
 * The Vonage (Nexmo) SMS API. It answers HTTP 200 for refused messages too: the verdict is the
 * `status` of each message part, "0" meaning accepted.
 */
class VonageProvider implements Provider {
  readonly name = 'vonage';
  readonly channels = ['sms'] as const;

  constructor(private readonly settings: z.output<typeof envSchema>) {}

  async send(message: OutboundMessage, signal: AbortSignal): Promise<ProviderReceipt> {
    const form = new URLSearchParams({
      api_key: this.settings.VONAGE_API_KEY,
      api_secret: this.settings.VONAGE_API_SECRET,
      from: message.senderId ?? this.settings.VONAGE_FROM,
      to: digitsOnly(message.to),
      text: message.text,
    });
    // Without type=unicode Vonage sends GSM-7 and mangles every other character.
    if (message.sms?.encoding === 'UCS-2') form.set('type', 'unicode');
    form.set('client-ref', message.idempotencyKey);
    const response = await httpRequest(this.name, `${this.settings.VONAGE_BASE_URL}/sms/json`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal,
    });
    return this.receipt(response);
  }

  private receipt(response: HttpResponse): ProviderReceipt {
    if (response.status < 200 || response.status > 299) {
      throw new ProviderError(
        this.name,
        kindForHttpStatus(response.status),
        `vonage answered ${response.status}`,
        {
          httpStatus: response.status,
        },
      );
    }
    const messages = (response.json as VonageAnswer | undefined)?.messages;
    const statuses = Array.isArray(messages) ? messages.map((part) => boundedCode(part.status)) : [];
    if (statuses.length === 0 || statuses.includes(undefined)) {
      throw new ProviderError(this.name, 'unreadable_answer', 'vonage answered without message statuses', {
        vendorCode: 'unreadable_answer',
        httpStatus: response.status,
      });
    }
    // A long text is several parts; one refused part means the user gets a broken message.
    const refused = statuses.find((status) => status !== 0);
    if (refused !== undefined) {
      const kind = RETRYABLE_STATUSES.get(refused) ?? 'rejected';
      throw new ProviderError(this.name, kind, `vonage refused the message (status ${refused})`, {
        vendorCode: refused,
      });
    }
    const id = messages?.[0]?.['message-id'];
    const price = this.priceOf(messages ?? []);
    return {
      ...(typeof id === 'string' && id !== '' ? { providerMessageId: id } : {}),
      billedParts: statuses.length,
      ...(price ? { price } : {}),
    };
  }

  /** The message's price: the sum of its parts' `message-price`, only when every part has one. */
  private priceOf(parts: NonNullable<VonageAnswer['messages']>): Price | undefined {
    const prices = parts.map((part) => priceOf(part['message-price'], this.settings.VONAGE_PRICE_CURRENCY));
    return prices.every((price) => price !== undefined) ? addPrices(prices) : undefined;
  }
}

export const vonageProvider = defineProvider({
  name: 'vonage',
  envSchema,
  // Credentials and numbers go to the vendor: never over plain http outside development.
  productionProblems: (settings) => [...requireHttps('VONAGE_BASE_URL', settings.VONAGE_BASE_URL)],
  create: (settings) => new VonageProvider(settings),
  receiptVerifier: (settings, window) =>
    settings.VONAGE_SIGNATURE_SECRET === undefined
      ? undefined
      : new VonageReceiptVerifier(
          {
            secret: settings.VONAGE_SIGNATURE_SECRET,
            method: settings.VONAGE_SIGNATURE_METHOD,
            currency: settings.VONAGE_PRICE_CURRENCY,
          },
          window,
        ),
});
