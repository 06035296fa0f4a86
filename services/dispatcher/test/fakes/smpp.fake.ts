import type { AddressInfo } from 'node:net';
import smpp from 'smpp';
import type { VendorScenario } from '../providers/provider-contract.js';

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
