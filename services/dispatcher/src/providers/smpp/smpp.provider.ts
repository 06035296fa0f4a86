import { smsChargeInfo } from '@otpflow/contracts';
import smpp from 'smpp';
import { z } from 'zod';
import { ProviderError, type ProviderFailureKind } from '../provider-error.js';
import { defineProvider } from '../provider-factory.js';
import type { OutboundMessage, Provider, ProviderReceipt } from '../provider.js';
import { digitsOnly } from '../vendor-settings.js';
import { SmppLink, type SmppLinkSettings } from './smpp.link.js';

const envSchema = z.object({
  /** smpp://host:port, or ssmpp://host:port for SMPP over TLS. */
  SMPP_URL: z.url({ protocol: /^s?smpp$/ }),
  // SMPP 3.4 field sizes (C-Octet Strings): longer values cannot be sent in a bind.
  SMPP_SYSTEM_ID: z.string().min(1).max(15),
  SMPP_PASSWORD: z.string().min(1).max(8),
  SMPP_SYSTEM_TYPE: z.string().max(12).optional(),
  /** The sender when a message names none: a number, or an alphanumeric id of up to 11 characters. */
  SMPP_SOURCE_ADDR: z
    .string()
    .regex(/^(\+?[0-9]{1,20}|(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11})$/, 'must be a number or 1-11 letters/digits'),
});

type SmppSettings = z.output<typeof envSchema>;

const BIND_TIMEOUT_MS = 10_000;
const ENQUIRE_LINK_MS = 30_000;
const UNBIND_TIMEOUT_MS = 2_000;
const PROBE_TIMEOUT_MS = 5_000;

const { errors } = smpp;
/** command_status values a later attempt may get past: SMSC load or trouble, not the message. */
const RETRYABLE_STATUSES = new Map<number | undefined, ProviderFailureKind>([
  [errors.ESME_RTHROTTLED, 'throttled'],
  [errors.ESME_RMSGQFUL, 'throttled'],
  [errors.ESME_RSYSERR, 'server_error'],
  [errors.ESME_RSUBMITFAIL, 'server_error'],
  // The SMSC thinks the session is not bound: a new bind fixes that.
  [errors.ESME_RINVBNDSTS, 'connection'],
]);
const kindOf = (status: number): ProviderFailureKind => RETRYABLE_STATUSES.get(status) ?? 'rejected';
const STATUS_NAMES = new Map(Object.entries(errors).map(([name, status]) => [status, name]));

/** The ESME_* name of a command status, or its hex value: either way a bounded label. */
const statusName = (status: number) =>
  STATUS_NAMES.get(status) ?? `0x${status.toString(16).padStart(8, '0')}`;

/** The submit_sm of one message. `smsChargeInfo` decides the coding from the text itself, as the bytes depend on it. */
export function submitSmFor(message: OutboundMessage, defaultSource: string): smpp.SubmitSmOptions {
  const source = message.senderId ?? defaultSource;
  const alphanumeric = /[A-Za-z]/.test(source);
  const { encoding, parts } = smsChargeInfo(message.text);
  return {
    source_addr_ton: alphanumeric ? 5 : 1,
    source_addr_npi: alphanumeric ? 0 : 1,
    source_addr: alphanumeric ? source : digitsOnly(source),
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    destination_addr: digitsOnly(message.to),
    registered_delivery: 1,
    data_coding: encoding === 'GSM-7' ? 0 : 8,
    // short_message holds one SMS; a longer text goes whole in message_payload and the SMSC splits it.
    ...(parts > 1 ? { message_payload: message.text } : { short_message: message.text }),
  };
}

function linkSettings(settings: SmppSettings): SmppLinkSettings {
  const url = new URL(settings.SMPP_URL);
  const tls = url.protocol === 'ssmpp:';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : tls ? 3550 : 2775,
    tls,
    systemId: settings.SMPP_SYSTEM_ID,
    password: settings.SMPP_PASSWORD,
    ...(settings.SMPP_SYSTEM_TYPE !== undefined && { systemType: settings.SMPP_SYSTEM_TYPE }),
    bindTimeoutMs: BIND_TIMEOUT_MS,
    enquireLinkMs: ENQUIRE_LINK_MS,
    probeTimeoutMs: PROBE_TIMEOUT_MS,
  };
}

/**
 * SMS straight to an SMSC over SMPP 3.4. One transceiver session is kept open and shared by every
 * send; after it drops, the next send binds a new one.
 */
class SmppProvider implements Provider {
  readonly name = 'smpp';
  readonly channels = ['sms'] as const;
  private link: SmppLink | undefined;
  private closing: Promise<void> | undefined;
  private readonly linkSettings: SmppLinkSettings;

  constructor(private readonly settings: SmppSettings) {
    this.linkSettings = linkSettings(settings);
  }

  async send(message: OutboundMessage, signal: AbortSignal): Promise<ProviderReceipt> {
    if (this.closing) {
      throw new ProviderError(this.name, 'connection', 'the provider is closing', { vendorCode: 'closed' });
    }
    if (!this.link?.alive) this.link = new SmppLink(this.linkSettings);
    const link = this.link;
    await link.whenBound(signal);
    const response = await link.submit(submitSmFor(message, this.settings.SMPP_SOURCE_ADDR), signal);
    if (response.command !== 'submit_sm_resp') {
      throw new ProviderError(
        this.name,
        'unreadable_answer',
        'the SMSC answered the submit with another PDU',
        {
          vendorCode: response.command === 'generic_nack' ? 'generic_nack' : 'unexpected_pdu',
        },
      );
    }
    const status = response.command_status;
    if (status === errors.ESME_ROK) {
      return response.message_id ? { providerMessageId: response.message_id } : {};
    }
    const error = new ProviderError(this.name, kindOf(status), 'the SMSC refused the message', {
      vendorCode: statusName(status),
    });
    if (status === errors.ESME_RINVBNDSTS) link.drop(error, 'end');
    throw error;
  }

  close(): Promise<void> {
    this.closing ??= this.link?.close(UNBIND_TIMEOUT_MS) ?? Promise.resolve();
    return this.closing;
  }
}

export const smppProvider = defineProvider({
  name: 'smpp',
  envSchema,
  create: (settings) => new SmppProvider(settings),
});
