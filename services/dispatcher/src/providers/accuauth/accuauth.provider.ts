import { z } from 'zod';
import { httpRequest, type HttpResponse } from '../http-transport.js';
import { kindForHttpStatus, ProviderError, type ProviderFailureKind } from '../provider-error.js';
import { defineProvider, requireHttps } from '../provider-factory.js';
import type { OutboundMessage, Provider, ProviderReceipt } from '../provider.js';
import { baseUrlSetting, billedPartsOf, secondsUntil } from '../vendor-settings.js';

const credential = z.string().regex(/^\S{8,}$/, 'must be the credential AccuAuth issued');

const envSchema = z.object({
  ACCUAUTH_API_ID: credential,
  ACCUAUTH_API_SECRET: credential,
  /** The approved SMS template used when a message names none. */
  ACCUAUTH_TEMPLATE_ID: z.string().regex(/^\S{1,64}$/, 'must be an AccuAuth template id'),
  ACCUAUTH_BASE_URL: baseUrlSetting('https://cloudapi.indonesia.accuauth.com'),
});

/** The `status` values of AccuAuth's error table (seed 004) that are worth retrying. */
const RETRYABLE_STATUSES = new Map<string, ProviderFailureKind>([
  ['RATE_LIMIT_EXCEEDED', 'throttled'],
  ['INTERNAL_ERROR', 'server_error'],
]);
/** The rest of that table: the request, the credentials or the account will be refused again. */
const PERMANENT_STATUSES = new Set([
  'FAILED',
  'INVALID_ARGUMENT',
  'UNAUTHORIZED',
  'KEY_EXPIRED',
  'NO_PERMISSION',
  'OUT_OF_QUOTA',
  'NOT_FOUND',
]);

interface AccuAuthAnswer {
  status?: unknown;
  request_id?: unknown;
  charge_info?: { charge?: unknown };
}

/**
 * The template `content` AccuAuth fills in: "name:value" pairs joined by ",". It has no escaping, so a
 * name or value holding ',' or ':' would silently shift the template; such a message is refused.
 */
export function templateContent(message: OutboundMessage): string | undefined {
  const minutes = Math.ceil(secondsUntil(message.expiresAt) / 60);
  const pairs: [string, string][] = [
    ['code', message.code],
    ['expire_at', String(minutes)],
    ...Object.entries(message.variables),
  ];
  if (pairs.some(([name, value]) => /[,:]/.test(name) || /[,:]/.test(value))) return undefined;
  return pairs.map(([name, value]) => `${name}:${value}`).join(',');
}

function failureFor(status: string | undefined, httpStatus: number): ProviderFailureKind {
  if (status !== undefined) return RETRYABLE_STATUSES.get(status) ?? 'rejected';
  // An unknown status on a 2xx is an answer we cannot read: retry rather than guess it was sent.
  return httpStatus >= 200 && httpStatus <= 299 ? 'unreadable_answer' : kindForHttpStatus(httpStatus);
}

/** AccuAuth's template OTP SMS API (seed 004): we send the code and its lifetime, AccuAuth the words. */
class AccuAuthProvider implements Provider {
  readonly name = 'accuauth';
  readonly channels = ['sms'] as const;

  constructor(private readonly settings: z.output<typeof envSchema>) {}

  async send(message: OutboundMessage, signal: AbortSignal): Promise<ProviderReceipt> {
    const content = templateContent(message);
    if (content === undefined) {
      throw new ProviderError(this.name, 'rejected', "a template variable holds ',' or ':'", {
        vendorCode: 'unencodable_variable',
      });
    }
    const body = {
      phone_number: message.to,
      template_id: message.templateId ?? this.settings.ACCUAUTH_TEMPLATE_ID,
      content,
    };
    const response = await httpRequest(this.name, `${this.settings.ACCUAUTH_BASE_URL}/data/send_sms_otp`, {
      headers: {
        'x-df-api-id': this.settings.ACCUAUTH_API_ID,
        'x-df-api-secret': this.settings.ACCUAUTH_API_SECRET,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body: JSON.stringify(body),
      signal,
    });
    return this.receipt(response);
  }

  private receipt(response: HttpResponse): ProviderReceipt {
    const body = response.json as AccuAuthAnswer | undefined;
    const status = typeof body?.status === 'string' ? body.status : undefined;
    if (status === 'OK' && response.status >= 200 && response.status <= 299) {
      const id = body?.request_id;
      const charge = billedPartsOf(body?.charge_info?.charge);
      return {
        ...(typeof id === 'string' && id !== '' && { providerMessageId: id }),
        ...(charge !== undefined && { billedParts: charge }),
      };
    }
    const known = status !== undefined && (RETRYABLE_STATUSES.has(status) || PERMANENT_STATUSES.has(status));
    const failure = failureFor(known ? status : undefined, response.status);
    throw new ProviderError(this.name, failure, `accuauth refused the message (${response.status})`, {
      // Only the documented statuses become a metric label; anything else is told by the HTTP status.
      vendorCode: known ? status : undefined,
      httpStatus: response.status,
    });
  }
}

export const accuauthProvider = defineProvider({
  name: 'accuauth',
  envSchema,
  // Credentials and numbers go to the vendor: never over plain http outside development.
  productionProblems: (settings) => [...requireHttps('ACCUAUTH_BASE_URL', settings.ACCUAUTH_BASE_URL)],
  create: (settings) => new AccuAuthProvider(settings),
});
