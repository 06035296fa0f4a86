import { randomInt } from 'node:crypto';
import type { Logger } from '@otpflow/telemetry';
import smpp from 'smpp';
import { z } from 'zod';
import { ProviderError, type ProviderFailureKind } from '../provider-error.js';
import { defineProvider } from '../provider-factory.js';
import type { OutboundMessage, Provider, ProviderReceipt } from '../provider.js';
import type { ReceiptSink } from '../../receipts/delivery-receipt.js';
import { SmppLink, type SmppLinkSettings } from './smpp.link.js';
import { readDeliveryReceipt } from './smpp.receipts.js';
import { SMPP_LONG_MESSAGE_MODES, submitsFor } from './smpp.submit.js';

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
  /** How a text longer than one SMS is sent: `udh` (default), `sar` or `payload` (see smpp.submit.ts). */
  SMPP_LONG_MESSAGES: z.enum(SMPP_LONG_MESSAGE_MODES).default('udh'),
});

type SmppSettings = z.output<typeof envSchema>;

const BIND_TIMEOUT_MS = 10_000;
const ENQUIRE_LINK_MS = 30_000;
const UNBIND_TIMEOUT_MS = 2_000;
const PROBE_TIMEOUT_MS = 5_000;

const { errors } = smpp;
/** ESME_ROK: the command_status of a deliver_sm_resp that takes the PDU. */
const ACKNOWLEDGED = 0;
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
 * send; after it drops, the next send binds a new one. Delivery receipts come back as deliver_sm on
 * that session: once the dispatcher listens for them, the provider binds at once (not at the first
 * send), so receipts queued at the SMSC while otpflow was down arrive without waiting for traffic.
 */
class SmppProvider implements Provider {
  readonly name = 'smpp';
  readonly channels = ['sms'] as const;
  private link: SmppLink | undefined;
  private closing: Promise<void> | undefined;
  private readonly linkSettings: SmppLinkSettings;

  constructor(
    private readonly settings: SmppSettings,
    private readonly logger: Logger,
  ) {
    this.linkSettings = linkSettings(settings);
  }

  listenForReceipts(sink: ReceiptSink): void {
    this.linkSettings.onDeliverSm = async (pdu) => {
      let receipt;
      try {
        receipt = readDeliveryReceipt(pdu);
      } catch {
        // A receipt we cannot read will not read better next time: acked, and counted by the log.
        this.logger.warn({ esmClass: pdu.esm_class }, 'unreadable delivery receipt acked and dropped');
        return ACKNOWLEDGED;
      }
      // Mobile-originated messages are not taken: acked so the SMSC does not resend them.
      if (receipt) await sink(receipt);
      return ACKNOWLEDGED;
    };
    void this.connect()
      .whenBound(AbortSignal.timeout(this.linkSettings.bindTimeoutMs))
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'SMSC not bound yet: receipts wait for the next send');
      });
  }

  async send(message: OutboundMessage, signal: AbortSignal): Promise<ProviderReceipt> {
    if (this.closing) {
      throw new ProviderError(this.name, 'connection', 'the provider is closing', { vendorCode: 'closed' });
    }
    const link = this.connect();
    await link.whenBound(signal);
    const submits = submitsFor(message, {
      defaultSource: this.settings.SMPP_SOURCE_ADDR,
      longMessages: this.settings.SMPP_LONG_MESSAGES,
      reference: () => randomInt(0, 0x10000),
    });
    // The parts go in order; receipts refer to the first part's id. A part refused after others went
    // fails the message: a retry sends it whole again (the user may see the first parts twice).
    let firstId: string | undefined;
    for (const submit of submits) {
      const id = await this.submit(link, submit, signal);
      firstId ??= id;
    }
    return firstId ? { providerMessageId: firstId } : {};
  }

  private connect(): SmppLink {
    if (!this.link?.alive) this.link = new SmppLink(this.linkSettings);
    return this.link;
  }

  /** One submit_sm: resolves with the SMSC's message id, or throws its refusal as a ProviderError. */
  private async submit(
    link: SmppLink,
    submit: smpp.SubmitSmOptions,
    signal: AbortSignal,
  ): Promise<string | undefined> {
    const response = await link.submit(submit, signal);
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
    if (status === errors.ESME_ROK) return response.message_id || undefined;
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
  create: (settings, { logger }) => new SmppProvider(settings, logger),
});
