import { randomUUID } from 'node:crypto';
import type { EventPublisher } from '@otpflow/amqp';
import type { Channel, Workflow } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import type { CodeAlphabet, CodeEntry } from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import type { Principal } from '../auth/principal.js';
import { fraudAnswer } from '../fraud/fraud-answer.js';
import type { FraudGuard } from '@otpflow/fraud';
import type { SendJobPublisher } from '../messaging/send-job.publisher.js';
import type { ClientPolicy } from '../policies/client-policy.js';
import { newCodeEntry, resendAllowedAt } from './code-entries.js';
import { alphabetOf, generateCode, isCaseless, type CodeHasher } from './code.js';
import type { CodeAddresses } from './keys.js';
import type { Limits } from './limits.js';
import { messageSourceOf, type MessageRenderer, type MessageWords } from './message-renderer.js';
import type { CheckedPhoneNumber, PhonePolicy } from './phone-policy.js';
import { canonicalPhoneNumber, type PhoneNumber } from './phone-number.js';
import { checkRecipient, deliverableChannels } from './recipient.js';
import { refusalAnswer } from './refusals.js';
import type { CodeRef, Issued, IssueResult, SendRules, SessionStore, StoredCode } from './session-store.js';
import type { SendRequest } from './send-request.js';
import type { TestNumbers } from './test-numbers.js';
import { requestedEventOf } from './verification-events.js';

export interface IssuerDependencies {
  store: SessionStore;
  addresses: CodeAddresses;
  hasher: CodeHasher;
  limits: Pick<Limits, 'takeQuota'>;
  phonePolicy: PhonePolicy;
  testNumbers: TestNumbers;
  renderer: MessageRenderer;
  jobs: Pick<SendJobPublisher, 'publish'>;
  events: Pick<EventPublisher, 'emit'>;
  /** Every send passes it, after the number policy and before anything is spent or stored. */
  fraud: FraudGuard;
  logger: Logger;
  tombstoneSeconds: number;
  /** Codes per number per window, every tenant together (NUMBER_MAX_SENDS); absent: no such cap. */
  numberCap?: { max: number; windowSeconds: number };
}

/** A code that went out: its place, its state, and the words it said. */
export interface IssuedCode {
  ref: CodeRef;
  code: StoredCode;
}

/** What differs between a first code and a resend; the rest of the way is one pipeline. */
interface Delivery {
  principal: Principal;
  policy: ClientPolicy;
  phone: PhoneNumber;
  channel: Channel;
  /** A first code's channel workflow (a resend is one step on its channel). */
  workflow?: Workflow;
  words: MessageWords;
  codeLength: number;
  alphabet: CodeAlphabet;
  /** The field a message that is too long is blamed on. */
  field: string;
  correlator: string | undefined;
  /** The end user's address, for the fraud guard. */
  address: string | undefined;
  api: SendRequest['api'];
  ref: CodeRef;
  /** Stores the code (as one write), given its hash and the text's charge. */
  store(code: Omit<CodeFacts, 'code'>): Promise<IssueResult | { kind: 'conflict' }>;
}

interface CodeFacts {
  code: string;
  hash: string;
  test: boolean;
  jobId: string;
  now: Date;
  checked: CheckedPhoneNumber;
  charge: CodeEntry['charge'];
}

/**
 * Issues codes, first ones and resends, along one pipeline: check the recipient, render the words,
 * generate the code, render the text as it will be sent (its length and SMS parts checked on it),
 * take the client's quota, store the code in the number's document in one write (caps, lockout,
 * cooldown and supersede decided there), publish one confirmed send job. If the job cannot be
 * queued the write is undone and the quota given back: a code not sent costs nothing and stays not live.
 */
export class CodeIssuer {
  constructor(private readonly deps: IssuerDependencies) {}

  async send(principal: Principal, policy: ClientPolicy, request: SendRequest): Promise<IssuedCode> {
    const { deps } = this;
    const ref = deps.addresses.fresh(request.phone.e164, principal.clientId, isCaseless(request.alphabet));
    const words = await deps.renderer.words(principal.clientId, policy, request.message);
    return this.deliver({
      principal,
      policy,
      phone: request.phone,
      channel: request.channel,
      ...(request.workflow ? { workflow: request.workflow } : {}),
      words,
      codeLength: request.codeLength,
      alphabet: request.alphabet,
      field: request.message.kind === 'template' ? 'template' : 'message',
      correlator: request.correlator,
      address: request.recipientIp ?? request.forwardedFor,
      api: request.api,
      ref,
      store: ({ hash, test, jobId, now, checked, charge }) => {
        const entry = newCodeEntry(request, policy, words.source, {
          hash,
          test,
          jobId,
          now,
          countryCallingCode: checked.countryCallingCode,
          charge,
          tombstoneSeconds: deps.tombstoneSeconds,
        });
        return deps.store.issue(
          ref,
          entry,
          this.rules(policy, request.api === 'native' || policy.sendCodeCooldown),
          now,
        );
      },
    });
  }

  /**
   * A new code for a pending verification, on the same or another channel, once the resend interval
   * has passed; it counts like a send. The old code stops working; the attempts already used stay used.
   */
  async resend(
    principal: Principal,
    policy: ClientPolicy,
    current: StoredCode,
    channel: Channel,
    correlator: string | undefined,
  ): Promise<IssuedCode> {
    const { deps } = this;
    const now = new Date();
    const { entry } = current;
    if (
      current.status !== 'pending' ||
      !current.live ||
      entry.expiresAt <= now ||
      current.attemptsLeft <= 0
    ) {
      throw new ApiError('CONFLICT', { message: 'The verification has ended: start a new one.' });
    }
    const allowedAt = resendAllowedAt(current);
    if (allowedAt > now) throw refusalAnswer({ reason: 'cooldown', retryAt: allowedAt }, now);
    const words = await deps.renderer.words(principal.clientId, policy, messageSourceOf(entry.content));
    return this.deliver({
      principal,
      policy,
      phone: { e164: current.ref.e164, countryCallingCode: entry.countryCallingCode, parsed: undefined },
      channel,
      words,
      codeLength: entry.codeLength,
      alphabet: entry.alphabet,
      field: 'message',
      correlator,
      address: undefined,
      api: 'native',
      ref: current.ref,
      store: ({ hash, jobId, now: sentAt, charge }) => {
        const expiresAt = new Date(sentAt.getTime() + entry.validitySeconds * 1000);
        return deps.store.reissue(
          current,
          {
            hash,
            jobId,
            channel,
            requestedAt: sentAt,
            expiresAt,
            purgeAt: new Date(expiresAt.getTime() + deps.tombstoneSeconds * 1000),
            ...(charge ? { charge } : {}),
          },
          this.rules(policy, true),
          sentAt,
        );
      },
    });
  }

  private async deliver(delivery: Delivery): Promise<IssuedCode> {
    const { deps } = this;
    const { principal, policy, phone, channel } = delivery;
    const testCode = deps.testNumbers.codeFor(phone.e164);
    const checked = checkRecipient(deps.phonePolicy, policy, phone, channel, testCode !== undefined);
    const parsed = phone.parsed ?? canonicalPhoneNumber(phone.e164).parsed;
    const decision = deps.fraud.assess({
      clientId: principal.clientId,
      e164: checked.e164,
      countryCallingCode: checked.countryCallingCode,
      lineType: parsed?.isValid() ? parsed.getType() : undefined,
      address: delivery.address,
      testNumber: testCode !== undefined,
      tenant: policy.fraud,
    });
    if (decision.action !== 'allow') throw fraudAnswer(decision, delivery.api);
    const code = testCode ?? generateCode(delivery.codeLength, alphabetOf(delivery.alphabet));
    const message = deps.renderer.render(delivery.words, code, channel, delivery.field);
    const charge = message.charge
      ? { encoding: message.charge.encoding, parts: message.charge.parts }
      : undefined;

    const releaseQuota = await deps.limits.takeQuota(principal.clientId);
    let issued: Issued;
    try {
      const result = await delivery.store({
        hash: deps.hasher.hash(delivery.ref.authenticationId, code, delivery.ref.caseless),
        test: testCode !== undefined,
        jobId: randomUUID(),
        now: new Date(),
        checked,
        charge,
      });
      if (result.kind === 'conflict')
        throw new ApiError('CONFLICT', { message: 'The verification changed meanwhile: try again.' });
      if (result.kind === 'refused') throw refusalAnswer(result.refusal, new Date());
      issued = result.issued;
    } catch (error) {
      await releaseQuota();
      throw error;
    }

    const { ref, entry } = issued.code;
    try {
      await deps.jobs.publish(
        {
          authenticationId: ref.authenticationId,
          state: { numberKey: ref.numberKey, tenantKey: ref.tenantKey, codeId: ref.codeId },
          clientId: principal.clientId,
          e164: phone.e164,
          entry,
          ...message,
          code,
          allowedChannels: deliverableChannels(deps.phonePolicy, policy, phone, testCode !== undefined),
          ...(delivery.workflow ? { workflow: delivery.workflow } : {}),
        },
        delivery.correlator,
      );
    } catch (error) {
      await deps.store.withdraw(issued).catch((cleanupError: unknown) => {
        // The code keeps its unknown value and expires on its own; no job for it exists.
        deps.logger.error(
          { err: cleanupError, authenticationId: ref.authenticationId },
          'could not withdraw an unsent code',
        );
      });
      await releaseQuota();
      throw error;
    }
    deps.events.emit(
      requestedEventOf(
        { authenticationId: ref.authenticationId, clientId: principal.clientId, code: issued.code },
        phone.e164,
      ),
    );
    return { ref, code: issued.code };
  }

  private rules(policy: ClientPolicy, cooldown: boolean): SendRules {
    return {
      tenant: policy.sends,
      ...(this.deps.numberCap ? { msisdn: this.deps.numberCap } : {}),
      cooldown,
      nextCodeAfterSeconds: policy.resendIntervalSeconds,
    };
  }
}
