import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import type { VendorScenario } from '../providers/provider-contract.js';

/** The `stat:` words of SMPP 3.4 receipt texts. */
export type SmscReceiptStat =
  'DELIVRD' | 'EXPIRED' | 'DELETED' | 'UNDELIV' | 'ACCEPTD' | 'UNKNOWN' | 'REJECTD' | 'ENROUTE';

/** The message_state TLV value of each. */
const RECEIPT_STATES: Record<SmscReceiptStat, number> = {
  ENROUTE: 1,
  DELIVRD: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  ACCEPTD: 6,
  UNKNOWN: 7,
  REJECTD: 8,
};

/** The contract's scenarios, plus 'drop': cut the connection on a submit_sm, as a crashing SMSC does. */
export type SmscScenario = VendorScenario | 'drop';

const ANSWERS: Partial<Record<SmscScenario, number>> = {
  'reject-number': smpp.errors.ESME_RINVDSTADR,
  'server-error': smpp.errors.ESME_RSYSERR,
  'rate-limited': smpp.errors.ESME_RTHROTTLED,
};

/**
 * An SMSC on a local port, built on the smpp package's server mode: it binds transceivers with the
 * test's credentials, records every bind and submit_sm (decoded), and answers as the scenario says.
 */
export class FakeSmsc {
  scenario: SmscScenario = 'accept';
  readonly binds: smpp.Pdu[] = [];
  readonly submits: smpp.Pdu[] = [];
  unbinds = 0;
  /** The scenario applies to submits after this many accepted ones (0: from the first). */
  refuseAfter = 0;
  /** false: ignore enquire_link too, like an SMSC that vanished without closing the connection. */
  answersEnquireLink = true;
  private readonly server = smpp.createServer((session) => {
    this.serve(session);
  });
  private url_ = '';
  private serial = 0;

  constructor(private readonly credentials: { systemId: string; password: string }) {}

  get url(): string {
    return this.url_;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url_ = `smpp://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Cuts every open session, as an SMSC restart does. */
  dropSessions(): void {
    for (const session of [...this.server.sessions]) session.destroy();
  }

  /**
   * Sends a delivery receipt for a message on the first session, as an SMSC does: a deliver_sm with
   * esm_class 4 (or 0x20, an intermediate notification), the SMPP 3.4 appendix B receipt text and,
   * unless `text-only` (older SMSCs), the receipted_message_id, message_state and network_error_code
   * TLVs. Resolves with the command_status of the client's deliver_sm_resp.
   */
  sendReceipt(
    messageId: string,
    stat: SmscReceiptStat,
    options: { form?: 'tlv' | 'text-only'; err?: string; networkError?: Buffer; intermediate?: boolean } = {},
  ): Promise<number> {
    const session = this.server.sessions[0];
    if (!session) return Promise.reject(new Error('no client session'));
    const now = new Date().toISOString();
    const date = `${now.slice(2, 4)}${now.slice(5, 7)}${now.slice(8, 10)}${now.slice(11, 13)}${now.slice(14, 16)}`;
    const delivered = stat === 'DELIVRD' ? '001' : '000';
    const text =
      `id:${messageId} sub:001 dlvrd:${delivered} submit date:${date} done date:${date} ` +
      `stat:${stat} err:${options.err ?? (stat === 'DELIVRD' ? '000' : '001')} text:482913 is your`;
    const tlvs =
      options.form === 'text-only'
        ? {}
        : {
            receipted_message_id: messageId,
            message_state: RECEIPT_STATES[stat],
            ...(options.networkError && { network_error_code: options.networkError }),
          };
    return new Promise((resolve) => {
      session.deliver_sm(
        {
          source_addr: '34612345678',
          destination_addr: 'CoolApp',
          esm_class: options.intermediate ? 0x20 : 0x04,
          short_message: text,
          ...tlvs,
        },
        (pdu) => resolve(pdu.command_status),
      );
    });
  }

  /** Sends a delivery receipt and an enquire_link on the first session; resolves with the client's answers. */
  probeClient(): Promise<string[]> {
    const session = this.server.sessions[0];
    if (!session) return Promise.reject(new Error('no client session'));
    const receipt =
      'id:fake-1 sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000';
    return Promise.all([
      new Promise<string>((resolve) => {
        const deliverSm = {
          source_addr: '34612345678',
          destination_addr: 'CoolApp',
          esm_class: 4,
          short_message: receipt,
        };
        session.deliver_sm(deliverSm, (pdu) => resolve(pdu.command));
      }),
      new Promise<string>((resolve) => session.enquire_link((pdu) => resolve(pdu.command))),
    ]);
  }

  async close(): Promise<void> {
    this.dropSessions();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(session: smpp.Session): void {
    // A client cutting its socket is what several tests do on purpose, not a failure of the fake.
    session.on('error', () => undefined);
    session.on('bind_transceiver', (pdu: smpp.Pdu) => {
      this.binds.push(pdu);
      const { systemId, password } = this.credentials;
      const ok = pdu.system_id === systemId && pdu.password === password;
      session.send(
        pdu.response(ok ? { system_id: 'FAKESMSC' } : { command_status: smpp.errors.ESME_RINVPASWD }),
      );
    });
    session.on('submit_sm', (pdu: smpp.Pdu) => {
      this.submits.push(pdu);
      if (this.submits.length <= this.refuseAfter) {
        session.send(pdu.response({ message_id: `fake-${++this.serial}` }));
        return;
      }
      const status = ANSWERS[this.scenario];
      if (status !== undefined) session.send(pdu.response({ command_status: status }));
      else if (this.scenario === 'accept')
        session.send(pdu.response({ message_id: `fake-${++this.serial}` }));
      else if (this.scenario === 'garbage') {
        session.generic_nack({
          sequence_number: pdu.sequence_number,
          command_status: smpp.errors.ESME_RINVCMDID ?? 0x03,
        });
      } else if (this.scenario === 'drop') session.destroy();
      // 'hang': never answer.
    });
    session.on('unbind', (pdu: smpp.Pdu) => {
      this.unbinds += 1;
      session.send(pdu.response());
      session.close();
    });
    session.on('enquire_link', (pdu: smpp.Pdu) => {
      if (this.answersEnquireLink) session.send(pdu.response());
    });
  }
}
