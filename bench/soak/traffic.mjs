import { Agent, request } from 'node:http';
import { MIX, outcomeOf, realNumber, SOAK_CODE, testNumber } from './mix.mjs';

/** Seven digits never match a six-digit code: the wrong code when the real one has not arrived yet. */
const CERTAINLY_WRONG = '0000000';
const SEND_PATH = '/one-time-password-sms/v1/send-code';
const VALIDATE_PATH = '/one-time-password-sms/v1/validate-code';
const POOL_LIMIT = 100;

/**
 * Builds each request of the mix from the sessions earlier requests created, sends it, and records
 * the answer: the latency is measured from when the request was due (open loop), so a slow answer
 * cannot hide the requests queued behind it.
 */
export class SoakTraffic {
  /**
   * @param {object} options
   * @param {(id: string) => string | undefined} options.deliveredCode the code the webhook got for a session
   */
  constructor({ gatewayUrl, apiKey, realNumbers, testNumbers, deliveredCode, maxSockets = 64 }) {
    this.deliveredCode = deliveredCode;
    const { hostname, port } = new URL(gatewayUrl);
    this.target = { hostname, port: Number(port) };
    this.agent = new Agent({ keepAlive: true, maxSockets });
    this.headers = {
      authorization: `Bearer ${apiKey}`,
      'content-type': 'application/json',
      accept: 'application/json',
    };
    this.realNumbers = realNumbers;
    this.testNumbers = testNumbers;
    this.realIndex = 0;
    this.testIndex = 0;
    this.createIndex = 0;
    this.checkIndex = 0;
    /** Sessions to test numbers, waiting for their right code (oldest first). */
    this.testSessions = [];
    /** Sessions to real numbers, each to get one wrong code (oldest first). */
    this.realSessions = [];
    /** authenticationId → when its send was due (performance.now()): every code promised to a real number. */
    this.promised = new Map();
    /** Requests whose pool was empty and that were sent as another kind instead. */
    this.substituted = 0;
    this.samples = [];
    this.transportErrors = 0;
    /** Wrong codes presented before the real one had reached the webhook. */
    this.wrongWithoutDelivery = 0;
    /** The first unexpected answers, in detail. */
    this.unexpected = [];
  }

  /** A code that is certainly not the session's: the delivered one with its last digit changed. */
  wrongCode(id) {
    const code = this.deliveredCode(id);
    if (!code) {
      this.wrongWithoutDelivery += 1;
      return CERTAINLY_WRONG;
    }
    return `${code.slice(0, -1)}${(Number(code.slice(-1)) + 1) % 10}`;
  }

  /** The request for a kind: method, path, body, and what to do with a good answer. */
  build(kind) {
    switch (kind) {
      case 'send-real': {
        const phoneNumber = realNumber(this.realIndex++, this.realNumbers);
        return {
          kind,
          path: SEND_PATH,
          body: { phoneNumber, message: '{{code}} is your soak code' },
          onOk: (answer, dueAt) => {
            this.promised.set(answer.authenticationId, dueAt);
            this.keep(this.realSessions, answer.authenticationId);
          },
        };
      }
      case 'send-test': {
        const phoneNumber = testNumber(this.testIndex++, this.testNumbers);
        return {
          kind,
          path: SEND_PATH,
          body: { phoneNumber, message: '{{code}} is your soak code' },
          onOk: (answer) => this.keep(this.testSessions, { id: answer.authenticationId, native: false }),
        };
      }
      case 'validate-right': {
        const session = this.testSessions.shift();
        if (!session) return this.substitute('send-test');
        return {
          kind,
          path: VALIDATE_PATH,
          id: session.id,
          body: { authenticationId: session.id, code: SOAK_CODE },
        };
      }
      case 'validate-wrong': {
        const id = this.realSessions.shift();
        if (!id) return this.substitute('send-real');
        return { kind, id, path: VALIDATE_PATH, body: { authenticationId: id, code: this.wrongCode(id) } };
      }
      case 'create': {
        // Every other create is to a real number (delivered), the others to test numbers (checked).
        const real = this.createIndex++ % 2 === 0;
        const to = real
          ? realNumber(this.realIndex++, this.realNumbers)
          : testNumber(this.testIndex++, this.testNumbers);
        return {
          kind,
          path: '/v1/verifications',
          body: { to, message: 'Your soak code: {{code}}' },
          onOk: (answer, dueAt) => {
            if (real) {
              this.promised.set(answer.id, dueAt);
              this.keep(this.realSessions, answer.id);
            } else {
              this.keep(this.testSessions, { id: answer.id, native: true });
            }
          },
        };
      }
      case 'check': {
        // Right codes on test sessions (valid: true), wrong ones on real sessions (valid: false).
        const right = this.checkIndex++ % 2 === 0;
        const id = right ? this.testSessions.shift()?.id : this.realSessions.shift();
        if (!id) return this.substitute('send-test');
        return {
          kind,
          id,
          path: `/v1/verifications/${id}/check`,
          body: { code: right ? SOAK_CODE : this.wrongCode(id) },
          check: (answer) => answer.valid === right,
        };
      }
      default:
        throw new Error(`unknown kind ${kind}`);
    }
  }

  /**
   * The mix creates more sessions than it validates; only the newest are kept, so every validation
   * is of a session a few seconds old, never of one that expired while it waited in a backlog.
   */
  keep(pool, item) {
    pool.push(item);
    if (pool.length > POOL_LIMIT) pool.shift();
  }

  substitute(kind) {
    this.substituted += 1;
    return this.build(kind);
  }

  /** Sends one request due at `dueAt` (performance.now()); resolves when it is answered or fails. */
  send(kind, dueAt, startedAt) {
    const built = this.build(kind);
    const expected = MIX.find((entry) => entry.kind === built.kind)?.expect;
    const body = JSON.stringify(built.body);
    return new Promise((resolve) => {
      const outgoing = request(
        {
          ...this.target,
          agent: this.agent,
          method: 'POST',
          path: built.path,
          headers: { ...this.headers, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks = [];
          response.on('data', (chunk) => chunks.push(chunk));
          response.on('end', () => {
            const endedAt = performance.now();
            const status = response.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            let outcome = outcomeOf(status, text);
            if (status < 300 && (built.onOk || built.check)) {
              try {
                const answer = text ? JSON.parse(text) : {};
                if (built.check && !built.check(answer)) outcome = `${status} wrong-validity`;
                built.onOk?.(answer, dueAt);
              } catch {
                outcome = `${status} not-json`;
              }
            }
            const ok = outcome === expected;
            this.samples.push({
              at: (endedAt - startedAt) / 1000,
              kind: built.kind,
              outcome,
              ok,
              ms: endedAt - dueAt,
            });
            if (!ok && this.unexpected.length < 50) {
              this.unexpected.push({
                at: Math.round((endedAt - startedAt) / 1000),
                kind: built.kind,
                outcome,
                id: built.id,
                presented: built.body.code,
                delivered: built.id ? this.deliveredCode(built.id) : undefined,
                answer: text.slice(0, 300),
              });
            }
            resolve();
          });
        },
      );
      outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('no answer within 30 s')));
      outgoing.on('error', () => {
        const endedAt = performance.now();
        this.transportErrors += 1;
        this.samples.push({
          at: (endedAt - startedAt) / 1000,
          kind: built.kind,
          outcome: 'transport-error',
          ok: false,
          ms: endedAt - dueAt,
        });
        resolve();
      });
      outgoing.end(body);
    });
  }

  close() {
    this.agent.destroy();
  }
}
