import { randomUUID } from 'node:crypto';
import type { EventPublisher } from '@otpflow/amqp';
import { typedCollection, type SessionDocument, type SessionModel } from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import type { Principal } from '../auth/principal.js';
import type { SendJobPublisher } from '../messaging/send-job.publisher.js';
import type { ClientPolicy } from '../policies/client-policy.js';
import { checkMessageLimits } from '../templates/message-text.js';
import type { TemplateStore } from '../templates/template.store.js';
import { alphabetOf, generateCode, type CodeHasher } from './code.js';
import {
  checkRecipient,
  deliverableChannels,
  renderMessage,
  takeSendLimits,
  withLimits,
  type RenderedMessage,
} from './issuing-steps.js';
import type { Limits } from './limits.js';
import type { CheckedPhoneNumber, PhonePolicy } from './phone-policy.js';
import type { SendRequest } from './send-request.js';
import type { TestNumbers } from './test-numbers.js';
import { eventOf } from './verification-events.js';

export interface IssuerDependencies {
  sessions: SessionModel;
  hasher: CodeHasher;
  limits: Limits;
  phonePolicy: PhonePolicy;
  testNumbers: TestNumbers;
  templates: TemplateStore;
  jobs: SendJobPublisher;
  events: EventPublisher;
  logger: Logger;
  tombstoneSeconds: number;
}

/**
 * Issues codes: checks the number, the client's policy and limits, stores the session (the code only
 * as a keyed hash), publishes one confirmed send job, and supersedes the client's older codes for the
 * number. If the job cannot be queued, nothing live is left behind and the limits are given back.
 */
export class CodeIssuer {
  constructor(private readonly deps: IssuerDependencies) {}

  async send(principal: Principal, policy: ClientPolicy, request: SendRequest): Promise<SessionDocument> {
    const { deps } = this;
    const testCode = deps.testNumbers.codeFor(request.phoneNumber);
    const phone = checkRecipient(
      deps.phonePolicy,
      policy,
      request.phoneNumber,
      request.channel,
      testCode !== undefined,
    );
    const rendered = await renderMessage(deps.templates, principal.clientId, policy, request.message);
    const charge = checkMessageLimits(
      rendered.text,
      request.channel,
      request.message.kind === 'template' ? 'template' : 'message',
    );

    const releases = await takeSendLimits(deps.limits, deps.hasher, principal.clientId, policy, phone.e164);
    return withLimits(releases, async () => {
      const code = testCode ?? generateCode(request.codeLength, alphabetOf(request.alphabet));
      const session = this.newSession(
        principal.clientId,
        phone,
        request,
        policy,
        code,
        testCode !== undefined,
        rendered,
      );
      if (charge) session.charge = { encoding: charge.encoding, parts: charge.parts };
      await typedCollection(deps.sessions).insertOne(session);
      try {
        await deps.jobs.publish({
          session,
          text: rendered.text,
          code,
          correlator: request.correlator,
          allowedChannels: deliverableChannels(deps.phonePolicy, policy, phone.e164, testCode !== undefined),
        });
      } catch (error) {
        await deps.sessions.deleteOne({ _id: session._id }).catch((cleanupError: unknown) => {
          // The session keeps its unknown code and expires on its own; no job for it exists.
          deps.logger.error(
            { err: cleanupError, authenticationId: session._id },
            'could not remove an unsent session',
          );
        });
        throw error;
      }
      await this.supersedeOlderSessions(session);
      deps.events.emit(eventOf('code.requested', session));
      return session;
    });
  }

  private newSession(
    clientId: string,
    phone: CheckedPhoneNumber,
    request: SendRequest,
    policy: ClientPolicy,
    code: string,
    test: boolean,
    rendered: RenderedMessage,
  ): SessionDocument {
    const now = new Date();
    const authenticationId = randomUUID();
    const expiresAt = new Date(now.getTime() + request.validitySeconds * 1000);
    return {
      _id: authenticationId,
      clientId,
      phoneNumber: phone.e164,
      countryCallingCode: phone.countryCallingCode,
      channel: request.channel,
      codeHash: this.deps.hasher.hash(authenticationId, code),
      status: 'pending',
      maxAttempts: request.maxAttempts,
      attemptsLeft: request.maxAttempts,
      createdAt: now,
      expiresAt,
      purgeAt: new Date(expiresAt.getTime() + this.deps.tombstoneSeconds * 1000),
      test,
      jobId: randomUUID(),
      codeLength: request.codeLength,
      alphabet: request.alphabet,
      content: rendered.source,
      sends: 1,
      lastSentAt: now,
      resendIntervalSeconds: policy.resendIntervalSeconds,
      ...(request.senderId ? { senderId: request.senderId } : {}),
      ...(request.voice ? { voice: request.voice } : {}),
      ...(request.recipientIp ? { recipientIp: request.recipientIp } : {}),
    };
  }

  /**
   * A new code for the same client and phone ends the older pending sessions (they answer
   * VERIFICATION_EXPIRED). Best effort once the job is confirmed: failing the request now would make
   * the client retry and send a second SMS; an older session that survives still expires on time.
   */
  private async supersedeOlderSessions(session: SessionDocument): Promise<void> {
    try {
      await this.deps.sessions.updateMany(
        {
          clientId: session.clientId,
          phoneNumber: session.phoneNumber,
          status: 'pending',
          createdAt: { $lt: session.createdAt },
        },
        { $set: { status: 'superseded', endedAt: session.createdAt } },
      );
    } catch (error) {
      this.deps.logger.warn(
        { err: error, authenticationId: session._id },
        'could not supersede older sessions',
      );
    }
  }
}
