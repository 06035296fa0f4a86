import { senderIdSchema } from '@otpflow/contracts';
import { z } from 'zod';
import { httpRequest, type HttpResponse } from '../http-transport.js';
import { kindForHttpStatus, ProviderError } from '../provider-error.js';
import { defineProvider, requireHttps } from '../provider-factory.js';
import type { OutboundMessage, Provider, ProviderReceipt } from '../provider.js';
import { baseUrlSetting, boundedCode, secondsUntil } from '../vendor-settings.js';
import { OctopushReceiptVerifier } from './octopush.receipts.js';

const envSchema = z.object({
  /** The account's API login (the e-mail address of the Octopush account). */
  OCTOPUSH_API_LOGIN: z.email(),
  OCTOPUSH_API_KEY: z.string().regex(/^\S{16,}$/, 'must be the API key of the account'),
  /** Default sender when a message has none; without either, Octopush uses its own. */
  OCTOPUSH_SENDER: senderIdSchema.optional(),
  OCTOPUSH_BASE_URL: baseUrlSetting('https://api.octopush.com/v1/public'),
  /**
   * The secret token of the acknowledgement-of-receipt callback URL given to Octopush
   * (`…/v1/receipts/octopush?token=<it>`): Octopush signs nothing, so the token authenticates it.
   * Without it, /v1/receipts/octopush refuses every callback.
   */
  OCTOPUSH_RECEIPT_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{32,128}$/, 'must be 32-128 letters, digits, - or _')
    .optional(),
});

/** The body of POST /service/otp/generate, with the field names of the Octopush OTP API. */
export interface OctopushOtpRequest {
  phone_number: string;
  text: string;
  channel: 'sms' | 'voice_sms';
  sender?: string;
  code_length: number;
  allow_digits: boolean;
  allow_upper_case: boolean;
  allow_lower_case: boolean;
  allow_special_chars: boolean;
  validity_period: number;
  recipient_ip?: string;
  voice_language?: string;
  voice_gender?: string;
}

/**
 * Octopush's OTP API. We send our own rendered text with our code in it; the code_length and allow_*
 * fields describe that code, so what Octopush generates alongside matches its shape.
 */
class OctopushProvider implements Provider {
  readonly name = 'octopush';
  readonly channels = ['sms', 'voice'] as const;

  constructor(private readonly settings: z.output<typeof envSchema>) {}

  async send(message: OutboundMessage, signal: AbortSignal): Promise<ProviderReceipt> {
    const response = await httpRequest(this.name, `${this.settings.OCTOPUSH_BASE_URL}/service/otp/generate`, {
      headers: {
        'api-login': this.settings.OCTOPUSH_API_LOGIN,
        'api-key': this.settings.OCTOPUSH_API_KEY,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(this.requestBody(message)),
      signal,
    });
    return this.receipt(response);
  }

  private requestBody(message: OutboundMessage): OctopushOtpRequest {
    const sender = message.senderId ?? this.settings.OCTOPUSH_SENDER;
    const { recipientIp } = message;
    return {
      phone_number: message.to,
      text: message.text,
      channel: message.channel === 'voice' ? 'voice_sms' : 'sms',
      ...(sender !== undefined && { sender }),
      code_length: message.code.length,
      allow_digits: /[0-9]/.test(message.code),
      allow_upper_case: /[A-Z]/.test(message.code),
      allow_lower_case: /[a-z]/.test(message.code),
      allow_special_chars: /[^0-9A-Za-z]/.test(message.code),
      validity_period: secondsUntil(message.expiresAt),
      ...(recipientIp !== undefined && recipientIp !== '' && { recipient_ip: recipientIp }),
      ...(message.channel === 'voice' &&
        message.voice && { voice_language: message.voice.language, voice_gender: message.voice.gender }),
    };
  }

  private receipt(response: HttpResponse): ProviderReceipt {
    const body = response.json as { code?: unknown; ticket_number?: unknown } | undefined;
    const code = boundedCode(body?.code);
    if (response.status < 200 || response.status > 299) {
      throw new ProviderError(
        this.name,
        kindForHttpStatus(response.status),
        `octopush answered ${response.status}`,
        {
          vendorCode: code,
          httpStatus: response.status,
        },
      );
    }
    if (typeof body?.code !== 'number') {
      throw new ProviderError(this.name, 'unreadable_answer', 'octopush answered without a result code', {
        vendorCode: 'unreadable_answer',
        httpStatus: response.status,
      });
    }
    if (body.code !== 0) {
      throw new ProviderError(this.name, 'rejected', 'octopush refused the message', { vendorCode: code });
    }
    const ticket = body.ticket_number;
    return typeof ticket === 'string' || typeof ticket === 'number'
      ? { providerMessageId: String(ticket) }
      : {};
  }
}

export const octopushProvider = defineProvider({
  name: 'octopush',
  envSchema,
  // Credentials and numbers go to the vendor: never over plain http outside development.
  productionProblems: (settings) => [...requireHttps('OCTOPUSH_BASE_URL', settings.OCTOPUSH_BASE_URL)],
  create: (settings) => new OctopushProvider(settings),
  receiptVerifier: (settings) =>
    settings.OCTOPUSH_RECEIPT_TOKEN === undefined
      ? undefined
      : new OctopushReceiptVerifier(settings.OCTOPUSH_RECEIPT_TOKEN),
});
