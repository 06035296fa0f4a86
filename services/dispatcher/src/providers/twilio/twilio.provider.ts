import { phoneNumberSchema, priceOf } from '@otpflow/contracts';
import { z } from 'zod';
import { httpRequest, type HttpResponse } from '../http-transport.js';
import { kindForHttpStatus, ProviderError, type ProviderFailureKind } from '../provider-error.js';
import { defineProvider, requireHttps } from '../provider-factory.js';
import type { OutboundMessage, Provider, ProviderReceipt } from '../provider.js';
import { TwilioReceiptVerifier } from './twilio.receipts-verifier.js';
import { baseUrlSetting, billedPartsOf, boundedCode } from '../vendor-settings.js';
import { otpCallTwiml } from './twilio.voices.js';

/** Twilio's alphanumeric sender ids: up to 11 letters, digits and spaces, at least one letter. */
const alphanumericSender = z
  .string()
  .regex(/^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/, 'must be E.164 or 1-11 letters/digits');

const envSchema = z
  .object({
    /** The account messages are sent from: it is in every request's URL, whatever authenticates it. */
    TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-f]{32}$/, 'must be AC followed by 32 hex digits'),
    /** The account's auth token: authenticates requests (without an API key) and signs status callbacks. */
    TWILIO_AUTH_TOKEN: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'must be 32 hex digits')
      .optional(),
    /** An API key (SK…) and its secret: authenticate requests instead of the auth token when set. */
    TWILIO_API_KEY_SID: z
      .string()
      .regex(/^SK[0-9a-f]{32}$/, 'must be SK followed by 32 hex digits')
      .optional(),
    TWILIO_API_KEY_SECRET: z
      .string()
      .regex(/^[0-9A-Za-z]{32}$/, 'must be the 32-character secret of the API key')
      .optional(),
    /** The sender: an E.164 number (needed for voice) or an alphanumeric sender id. */
    TWILIO_FROM: z.union([phoneNumberSchema, alphanumericSender]).optional(),
    TWILIO_MESSAGING_SERVICE_SID: z
      .string()
      .regex(/^MG[0-9a-f]{32}$/, 'must be MG followed by 32 hex digits')
      .optional(),
    /** Where Twilio posts SMS status callbacks (see twilio.receipts.ts). */
    TWILIO_STATUS_CALLBACK_URL: z.url({ protocol: /^https?$/ }).optional(),
    TWILIO_BASE_URL: baseUrlSetting('https://api.twilio.com'),
  })
  .refine((env) => env.TWILIO_FROM !== undefined || env.TWILIO_MESSAGING_SERVICE_SID !== undefined, {
    message: 'set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID',
    path: ['TWILIO_FROM'],
  })
  .refine((env) => (env.TWILIO_API_KEY_SID === undefined) === (env.TWILIO_API_KEY_SECRET === undefined), {
    message: 'set TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET together',
    path: ['TWILIO_API_KEY_SECRET'],
  })
  .refine((env) => env.TWILIO_AUTH_TOKEN !== undefined || env.TWILIO_API_KEY_SID !== undefined, {
    message: 'set TWILIO_AUTH_TOKEN, or TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET',
    path: ['TWILIO_AUTH_TOKEN'],
  })
  // Twilio signs status callbacks with the account's auth token only (an API key cannot): callbacks
  // asked for without it could never be authenticated, and would all be refused.
  .refine((env) => env.TWILIO_STATUS_CALLBACK_URL === undefined || env.TWILIO_AUTH_TOKEN !== undefined, {
    message: 'required with TWILIO_STATUS_CALLBACK_URL: Twilio signs status callbacks with the auth token',
    path: ['TWILIO_AUTH_TOKEN'],
  });

type TwilioSettings = z.output<typeof envSchema>;

/**
 * Error codes Twilio documents as transient. Everything else it refuses (21211 invalid To, 21408 region
 * not enabled, 21610 unsubscribed, 21612/21614 unreachable or not mobile, 20003 authentication) will be
 * refused again.
 */
const RETRYABLE_CODES = new Map<number, ProviderFailureKind>([
  [20429, 'throttled'],
  [20500, 'server_error'],
  [20503, 'server_error'],
  // The sender's queue is full: it drains, so this is throttling.
  [21611, 'throttled'],
]);

const isPhoneNumber = (value: string | undefined): value is string =>
  phoneNumberSchema.safeParse(value).success;

/**
 * HTTP Basic credentials: an API key when one is set (revocable on its own, the auth token stays out
 * of every request), else the account SID and auth token. The schema makes sure one of them is.
 */
function credentialsOf(settings: TwilioSettings): string {
  const { TWILIO_API_KEY_SID: keySid, TWILIO_API_KEY_SECRET: keySecret } = settings;
  return keySid !== undefined && keySecret !== undefined
    ? `${keySid}:${keySecret}`
    : `${settings.TWILIO_ACCOUNT_SID}:${settings.TWILIO_AUTH_TOKEN ?? ''}`;
}

interface TwilioAnswer {
  sid?: unknown;
  code?: unknown;
  num_segments?: unknown;
  price?: unknown;
  price_unit?: unknown;
}

/**
 * Twilio Programmable Messaging for SMS and Programmable Voice for calls (TwiML <Say>). Voice needs an
 * E.164 TWILIO_FROM: calls cannot come from an alphanumeric sender or a messaging service.
 */
class TwilioProvider implements Provider {
  readonly name = 'twilio';
  readonly channels: readonly ('sms' | 'voice')[];
  private readonly accountUrl: string;
  private readonly authorization: string;

  constructor(private readonly settings: TwilioSettings) {
    this.channels = isPhoneNumber(settings.TWILIO_FROM) ? ['sms', 'voice'] : ['sms'];
    this.accountUrl = `${settings.TWILIO_BASE_URL}/2010-04-01/Accounts/${settings.TWILIO_ACCOUNT_SID}`;
    this.authorization = `Basic ${Buffer.from(credentialsOf(settings)).toString('base64')}`;
  }

  async send(message: OutboundMessage, signal: AbortSignal): Promise<ProviderReceipt> {
    const [resource, form] =
      message.channel === 'voice' ? ['Calls', this.callForm(message)] : ['Messages', this.smsForm(message)];
    const response = await httpRequest(this.name, `${this.accountUrl}/${resource}.json`, {
      headers: {
        authorization: this.authorization,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: form.toString(),
      signal,
    });
    return this.receipt(response);
  }

  private smsForm(message: OutboundMessage): URLSearchParams {
    const {
      TWILIO_FROM,
      TWILIO_MESSAGING_SERVICE_SID: service,
      TWILIO_STATUS_CALLBACK_URL: callback,
    } = this.settings;
    const form = new URLSearchParams({ To: message.to });
    const from = message.senderId ?? TWILIO_FROM;
    // With both, Twilio sends from `From` and applies the messaging service's settings.
    if (from !== undefined) form.set('From', from);
    if (service !== undefined) form.set('MessagingServiceSid', service);
    form.set('Body', message.text);
    if (callback !== undefined) form.set('StatusCallback', callback);
    return form;
  }

  private callForm(message: OutboundMessage): URLSearchParams {
    const from = isPhoneNumber(message.senderId) ? message.senderId : this.settings.TWILIO_FROM;
    if (!isPhoneNumber(from)) {
      throw new ProviderError(this.name, 'rejected', 'twilio calls need an E.164 caller number', {
        vendorCode: 'no_caller_id',
      });
    }
    return new URLSearchParams({
      To: message.to,
      From: from,
      Twiml: otpCallTwiml(message.text, message.voice),
    });
  }

  private receipt(response: HttpResponse): ProviderReceipt {
    const body = response.json as TwilioAnswer | undefined;
    if (response.status >= 200 && response.status <= 299) {
      if (typeof body?.sid === 'string' && body.sid !== '') {
        // Segments are known at once (0 through a messaging service); the price mostly comes later,
        // on the Message resource, which otpflow does not fetch (docs/delivery.md).
        const parts = billedPartsOf(body.num_segments);
        const price = priceOf(body.price, body.price_unit);
        return {
          providerMessageId: body.sid,
          ...(parts !== undefined && { billedParts: parts }),
          ...(price && { price }),
        };
      }
      throw new ProviderError(
        this.name,
        'unreadable_answer',
        'twilio accepted with an answer that has no sid',
        {
          vendorCode: 'unreadable_answer',
          httpStatus: response.status,
        },
      );
    }
    const code = boundedCode(body?.code);
    const kind = (code !== undefined && RETRYABLE_CODES.get(code)) || kindForHttpStatus(response.status);
    throw new ProviderError(this.name, kind, `twilio refused the message (${response.status})`, {
      vendorCode: code,
      httpStatus: response.status,
    });
  }
}

export const twilioProvider = defineProvider({
  name: 'twilio',
  envSchema,
  // Credentials and numbers go to the vendor: never over plain http outside development.
  productionProblems: (settings) => [
    ...requireHttps('TWILIO_BASE_URL', settings.TWILIO_BASE_URL),
    ...requireHttps('TWILIO_STATUS_CALLBACK_URL', settings.TWILIO_STATUS_CALLBACK_URL),
  ],
  create: (settings) => new TwilioProvider(settings),
  receiptVerifier: (settings) =>
    settings.TWILIO_AUTH_TOKEN === undefined
      ? undefined
      : new TwilioReceiptVerifier(settings.TWILIO_AUTH_TOKEN),
});
