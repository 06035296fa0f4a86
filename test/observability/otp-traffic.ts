import { randomUUID } from 'node:crypto';
import { waitFor } from '@otpflow/testing';
import type {
  CannedResponse,
  CapturedRequest,
} from '../../services/dispatcher/test/fakes/fake-http-server.js';
import { receiptHeaders, type Stack } from '../support/stack.js';

export type Country = '34' | '33' | '44';

/** What the traffic did, to compare with what the metrics say. */
export interface TrafficCounts {
  sends: number;
  ucs2Sends: number;
  verified: number;
  rejected: Record<string, number>;
  notFound: number;
  delivered: number;
  undelivered: number;
  retried: number;
  deadLettered: number;
}

const GSM_TEXT = '{{code}} is your Cool App code';
// "ó" is not in the GSM-7 alphabet: the SMS is UCS-2, 70 characters a part.
const UCS2_TEXT = 'Tu código de Cool App es {{code}}';

/** A wrong code for a right one: same length, never equal. */
function wrong(code: string): string {
  const last = Number(code.at(-1));
  return `${code.slice(0, -1)}${String((last + 1) % 10)}`;
}

/**
 * Realistic OTP traffic through the in-process stack: sends in three countries, right, wrong and
 * exhausted validations, superseded and already-used codes, unknown ids, signed delivery receipts, and
 * on demand one retried send (the provider answers 500 once) and one dead letter (it answers 400).
 */
export class OtpTraffic {
  readonly counts: TrafficCounts = {
    sends: 0,
    ucs2Sends: 0,
    verified: 0,
    rejected: {},
    notFound: 0,
    delivered: 0,
    undelivered: 0,
    retried: 0,
    deadLettered: 0,
  };
  /** The countries the traffic sends to. */
  static readonly COUNTRIES: readonly Country[] = ['34', '33', '44'];
  /** The country every kind of event happens in, so a dashboard filtered on it shows every panel. */
  static readonly FULL_COUNTRY: Country = '34';
  private sequence = 0;
  private readonly base = String(Date.now() % 100_000).padStart(5, '0');
  private readonly flaky = new Set<string>();
  private swept = 0;
  private readonly refused = new Set<string>();

  constructor(private readonly stack: Stack) {
    stack.webhook.respondWith((request) => this.respond(request));
  }

  /** The in-house SMS gateway: accepts with an id the receipts can name, unless told otherwise. */
  private respond(request: CapturedRequest): CannedResponse {
    const body = JSON.parse(request.body) as { to: string; authenticationId: string };
    if (this.refused.has(body.to)) return { status: 400, body: '{"error":"number refused"}' };
    if (this.flaky.delete(body.to)) return { status: 500, body: '{"error":"try later"}' };
    return { status: 200, body: JSON.stringify({ id: `obs-${body.authenticationId}` }) };
  }

  /** A mobile number of the country, different on every call. */
  phone(country: Country): string {
    this.sequence += 1;
    const serial = `${this.base}${String(this.sequence).padStart(3, '0')}`;
    if (country === '34') return `+346${serial}`;
    // +33 6 is not all mobile (639, 690-697 are overseas ranges): 61 is.
    if (country === '33') return `+3361${serial.slice(1)}`;
    return `+4474${serial}`;
  }

  async send(phoneNumber: string, text = GSM_TEXT): Promise<{ id: string; code: string }> {
    const id = await this.stack.sendCode(phoneNumber, text);
    this.counts.sends += 1;
    if (text === UCS2_TEXT) this.counts.ucs2Sends += 1;
    const code = await this.stack.codeFor(id);
    await this.deliveriesRecorded();
    return { id, code };
  }

  /** The sum of a counter's series (those whose labels include `match`) on a service's /metrics. */
  private async counted(url: string, name: string, match = ''): Promise<number> {
    const exposition = await (await fetch(`${url}/metrics`)).text();
    let total = 0;
    for (const [, labels = '', value] of exposition.matchAll(
      new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'),
    )) {
      if (labels.includes(match)) total += Number(value);
    }
    return total;
  }

  /** The sum of the dispatcher's otpflow_dispatcher_jobs_total for one outcome. */
  private dispatcherJobs(outcome: string): Promise<number> {
    return this.counted(
      this.stack.dispatcher?.url ?? '',
      'otpflow_dispatcher_jobs_total',
      `outcome="${outcome}"`,
    );
  }

  /**
   * Waits until the dispatcher has recorded every message the provider accepted so far (it counts a
   * job as sent once its delivery record is written): receipts can then find their message, and a
   * validation never races the dispatcher's write.
   */
  private async deliveriesRecorded(): Promise<void> {
    const accepted = this.stack.accepted().length;
    await waitFor(async () => (await this.dispatcherJobs('sent')) >= accepted, {
      what: `the dispatcher to record ${String(accepted)} sent messages`,
    });
  }

  async validate(id: string, code: string, expected: number, rejection?: string): Promise<void> {
    const status = await this.stack.validateCode(id, code);
    if (status !== expected) throw new Error(`validate-code answered ${status}, expected ${expected}`);
    if (status === 204) this.counts.verified += 1;
    if (status === 404) this.counts.notFound += 1;
    if (rejection) this.counts.rejected[rejection] = (this.counts.rejected[rejection] ?? 0) + 1;
  }

  /** Posts the provider's signed delivery receipt once the dispatcher recorded the message as sent. */
  async receipt(id: string, status: 'delivered' | 'undelivered'): Promise<void> {
    const body = JSON.stringify({
      id: `obs-${id}`,
      status,
      ...(status === 'undelivered' ? { errorCode: 'absent_subscriber' } : {}),
    });
    const response = await fetch(`${this.stack.dispatcher?.url ?? ''}/v1/receipts/webhook`, {
      method: 'POST',
      headers: receiptHeaders(body),
      body,
    });
    if (response.status !== 204) throw new Error(`the receipt endpoint answered ${response.status}`);
    this.counts[status] += 1;
  }

  /** The everyday traffic of one country. */
  private async country(country: Country): Promise<void> {
    // Codes typed right, in GSM-7 and UCS-2, and delivered.
    const gsm = await this.send(this.phone(country));
    await this.validate(gsm.id, gsm.code, 204);
    await this.receipt(gsm.id, 'delivered');
    const ucs2 = await this.send(this.phone(country), UCS2_TEXT);
    await this.validate(ucs2.id, ucs2.code, 204);
    await this.receipt(ucs2.id, 'delivered');
    // A code used twice.
    await this.validate(gsm.id, gsm.code, 400, 'already_verified');
    // A typo, then the right code.
    const typo = await this.send(this.phone(country));
    await this.validate(typo.id, wrong(typo.code), 400, 'invalid_otp');
    await this.validate(typo.id, typo.code, 204);
    await this.receipt(typo.id, 'delivered');
    // A user who asks again before typing: the first code is superseded.
    const phone = this.phone(country);
    const first = await this.send(phone);
    const second = await this.send(phone);
    await this.validate(first.id, first.code, 400, 'superseded');
    await this.validate(second.id, second.code, 204);
    await this.receipt(second.id, 'delivered');
  }

  /** One wave: every country at once, plus what happens in one country only. */
  async wave(): Promise<void> {
    await Promise.all(OtpTraffic.COUNTRIES.map((country) => this.country(country)));
    const full = OtpTraffic.FULL_COUNTRY;
    // Three wrong codes: the third exhausts the attempts (MAX_ATTEMPTS is 3).
    const guessed = await this.send(this.phone(full));
    await this.validate(guessed.id, wrong(guessed.code), 400, 'invalid_otp');
    await this.validate(guessed.id, wrong(guessed.code), 400, 'invalid_otp');
    await this.validate(guessed.id, wrong(guessed.code), 400, 'max_attempts_exceeded');
    await this.receipt(guessed.id, 'delivered');
    // A handset that never got its code; the user never types it.
    const lost = await this.send(this.phone(full));
    await this.receipt(lost.id, 'undelivered');
    // An id that was never issued.
    await this.validate(randomUUID(), '123456', 404);
    await this.sweep();
  }

  /**
   * A sweep through one block of a hundred numbers of the full country, until the fraud guard reports
   * a decision on it (the stack's guard runs in its default mode, monitor: it decides and reports, and
   * lets every send through, so each is counted as a send). The next wave's sweep goes on in the same
   * block, which the guard has blocked since: its decisions come at once.
   */
  async sweep(): Promise<void> {
    const decisions = () => this.counted(this.stack.gateway.url, 'otpflow_fraud_decisions_total');
    const before = await decisions();
    for (let sends = 0; sends < 30; sends += 1) {
      this.swept += 1;
      await this.send(`+346${this.base}9${String(this.swept).padStart(2, '0')}`);
      if ((await decisions()) > before) return;
    }
    throw new Error('the fraud guard reported no decision on a sweep of 30 numbers');
  }

  /** One send the provider refuses for a moment (retried), one it refuses for good (dead letter). */
  async failures(): Promise<void> {
    const country = OtpTraffic.FULL_COUNTRY;
    const flaky = this.phone(country);
    this.flaky.add(flaky);
    const retried = await this.send(flaky);
    this.counts.retried += 1;
    await this.validate(retried.id, retried.code, 204);
    await this.receipt(retried.id, 'delivered');

    const refused = this.phone(country);
    this.refused.add(refused);
    const deadBefore = await this.dispatcherJobs('dead_lettered');
    await this.stack.sendCode(refused);
    this.counts.sends += 1;
    await waitFor(async () => (await this.dispatcherJobs('dead_lettered')) > deadBefore, {
      what: 'the refused send to be dead-lettered',
    });
    this.counts.deadLettered += 1;
  }
}
