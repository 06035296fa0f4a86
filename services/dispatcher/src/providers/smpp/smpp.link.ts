import smpp from 'smpp';
import { ProviderError } from '../provider-error.js';

export interface SmppLinkSettings {
  host: string;
  port: number;
  tls: boolean;
  systemId: string;
  password: string;
  systemType?: string;
  /** How long a connect plus bind may take before the link is given up. */
  bindTimeoutMs: number;
  /** enquire_link period: SMSCs and NAT boxes drop sessions that stay silent. */
  enquireLinkMs: number;
  /** After a submit went unanswered, how long an enquire_link may take before the link counts as dead. */
  probeTimeoutMs: number;
  /**
   * What to answer a deliver_sm (a delivery receipt, or a mobile-originated message) with: the
   * command_status of its deliver_sm_resp, once the PDU is dealt with. Without it, every one is acked.
   */
  onDeliverSm?: (pdu: smpp.Pdu) => Promise<number>;
}

const retryable = (kind: 'connection' | 'timeout', message: string, vendorCode: string, cause?: unknown) =>
  new ProviderError('smpp', kind, message, { vendorCode, cause });

const timedOut = () => retryable('timeout', 'the SMSC did not answer in time', 'timeout');

/** Bind refusals a new attempt will not fix: the credentials or system type are wrong. */
const BAD_CREDENTIALS = new Set([
  smpp.errors.ESME_RINVPASWD,
  smpp.errors.ESME_RINVSYSID,
  smpp.errors.ESME_RINVSYSTYP,
]);

/**
 * One bound SMPP transceiver session. It answers what the SMSC sends on its own (enquire_link,
 * deliver_sm, unbind) and, when the connection drops, fails every request still waiting, since their
 * answers can no longer come. A dead link is never revived: the provider opens a new one.
 */
export class SmppLink {
  readonly bound: Promise<void>;
  private dead = false;
  private isBound = false;
  private readonly session: smpp.Session;
  private readonly waiting = new Set<(error: ProviderError) => void>();
  private readonly bindTimer: NodeJS.Timeout;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly settings: SmppLinkSettings) {
    this.session = smpp.connect({
      host: settings.host,
      port: settings.port,
      tls: settings.tls,
      auto_enquire_link_period: settings.enquireLinkMs,
    });
    this.bound = new Promise<void>((resolve, reject) => {
      this.waiting.add(reject);
      this.session.once(settings.tls ? 'secureConnect' : 'connect', () => {
        const credentials = { system_id: settings.systemId, password: settings.password };
        this.session.bind_transceiver({ ...credentials, system_type: settings.systemType ?? '' }, (pdu) => {
          this.waiting.delete(reject);
          clearTimeout(this.bindTimer);
          if (pdu.command_status === 0) {
            this.isBound = true;
            resolve();
            return;
          }
          const failure = BAD_CREDENTIALS.has(pdu.command_status) ? 'rejected' : 'server_error';
          const error = new ProviderError('smpp', failure, 'the SMSC refused the bind', {
            vendorCode: `bind_${pdu.command_status}`,
          });
          reject(error);
          this.drop(error, 'end');
        });
      });
    });
    // The bind failure reaches every send through `bound`; this only keeps an unawaited failure quiet.
    this.bound.catch(() => undefined);
    this.bindTimer = setTimeout(() => {
      this.drop(retryable('timeout', 'the SMSC did not bind in time', 'bind_timeout'), 'destroy');
    }, settings.bindTimeoutMs);

    this.session.on('error', (cause: unknown) => {
      this.drop(retryable('connection', 'lost the SMSC connection', 'connection', cause), 'destroy');
    });
    this.session.on('close', () => {
      this.drop(retryable('connection', 'lost the SMSC connection', 'connection'), 'destroy');
    });
    this.session.on('enquire_link', (pdu: smpp.Pdu) => this.session.send(pdu.response()));
    // Delivery receipts come back on this session: an ack stops the SMSC resending one, so it waits
    // until the receipt is recorded (a temporary error asks for it again later).
    this.session.on('deliver_sm', (pdu: smpp.Pdu) => void this.answerDeliverSm(pdu));
    this.session.on('unbind', (pdu: smpp.Pdu) => {
      this.session.send(pdu.response());
      this.drop(retryable('connection', 'the SMSC closed the session', 'unbound'), 'end');
    });
  }

  get alive(): boolean {
    return !this.dead;
  }

  private async answerDeliverSm(pdu: smpp.Pdu): Promise<void> {
    // Only the SMSC this session bound to, with our credentials, may tell us anything on it.
    if (!this.isBound) {
      this.session.send(pdu.response({ command_status: smpp.errors.ESME_RINVBNDSTS }));
      return;
    }
    const status = this.settings.onDeliverSm
      ? await this.settings.onDeliverSm(pdu).catch(() => smpp.errors.ESME_RX_T_APPN)
      : smpp.errors.ESME_ROK;
    if (!this.dead) this.session.send(pdu.response({ command_status: status }));
  }

  /** Resolves once bound; rejects with the bind failure, or as retryable when the signal aborts first. */
  whenBound(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(retryable('timeout', 'the SMSC did not bind in time', 'timeout'));
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      void this.bound.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /** Sends one submit_sm and resolves with whatever response PDU the SMSC sent back for it. */
  submit(options: smpp.SubmitSmOptions, signal: AbortSignal): Promise<smpp.Pdu> {
    return new Promise((resolve, reject) => {
      if (this.dead || signal.aborted) {
        reject(this.dead ? retryable('connection', 'lost the SMSC connection', 'connection') : timedOut());
        return;
      }
      const settle = () => {
        this.waiting.delete(fail);
        signal.removeEventListener('abort', onAbort);
      };
      const fail = (error: ProviderError) => {
        settle();
        reject(error);
      };
      const onAbort = () => {
        fail(timedOut());
        this.probe();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.add(fail);
      const written = this.session.submit_sm(options, (pdu) => {
        settle();
        resolve(pdu);
      });
      if (!written) fail(retryable('connection', 'lost the SMSC connection', 'connection'));
    });
  }

  /** Unbinds and closes, bounded so shutdown never waits on a silent SMSC; idempotent. */
  close(timeoutMs: number): Promise<void> {
    if (this.dead) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (how: 'end' | 'destroy') => {
        clearTimeout(timer);
        this.drop(retryable('connection', 'the SMSC session was closed', 'closed'), how);
        resolve();
      };
      // An SMSC that does not answer the unbind may not close its side either: cut the socket.
      const timer = setTimeout(() => done('destroy'), timeoutMs);
      if (!this.isBound || !this.session.unbind(() => done('end'))) done('end');
    });
  }

  /**
   * A connection can die without a FIN or RST (an SMSC failover, a NAT box forgetting it): then every
   * submit would just time out. So after one does, an unanswered enquire_link ends the link.
   */
  private probe(): void {
    if (this.dead || this.probeTimer) return;
    this.probeTimer = setTimeout(() => {
      this.drop(retryable('connection', 'the SMSC stopped answering', 'unresponsive'), 'destroy');
    }, this.settings.probeTimeoutMs);
    this.session.enquire_link(() => {
      clearTimeout(this.probeTimer);
      this.probeTimer = undefined;
    });
  }

  /** Marks the link dead and fails everyone waiting on it; the socket is ended (flushing) or destroyed. */
  drop(error: ProviderError, how: 'end' | 'destroy'): void {
    if (this.dead) return;
    this.dead = true;
    clearTimeout(this.bindTimer);
    clearTimeout(this.probeTimer);
    for (const fail of [...this.waiting]) fail(error);
    this.waiting.clear();
    if (how === 'end') this.session.close();
    else this.session.destroy();
  }
}
