import { randomUUID } from 'node:crypto';
import type { EventPublisher } from '@otpflow/amqp';
import type { Channel, SendJobFields } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import { typedCollection, type SessionDocument, type SessionModel } from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import type { Principal } from '../auth/principal.js';
import type { SendJobPublisher } from '../messaging/send-job.publisher.js';
import type { ClientPolicy } from '../policies/client-policy.js';
import { checkMessageLimits, fillVariables, insertCode } from '../templates/message-text.js';
import type { TemplateStore } from '../templates/template.store.js';
import { alphabetOf, generateCode, type CodeHasher } from './code.js';
import type { Limits, Release } from './limits.js';
import type { CheckedPhoneNumber, PhonePolicy } from './phone-policy.js';
import type { SendRequest } from './send-request.js';
import type { TestNumbers } from './test-numbers.js';
import { eventOf } from './verification-events.js';

/** The SMS a verification gets when the request names neither a message nor a template. */
export const STANDARD_SMS_TEXT = 'Your verification code is {{code}}';

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

/** The message a code goes out with, rendered but for the code itself. */
interface RenderedMessage {
  /** With `{{code}}` still in it. */
  text: string;
  source: SessionDocument['content'];
}

/**
 * Issues codes: checks the number, the client's policy and limits, stores the session (the code only
 * as a keyed hash), publishes one confirmed send job, and supersedes the client's older codes for the
 * number. Also resends: a new code on the same session. If the job cannot be queued, nothing live is
 * left behind and the limits are given back.
 */
export class CodeIssuer {
  constructor(private readonly deps: IssuerDependencies) {}

  async send(principal: Principal, policy: ClientPolicy, request: SendRequest): Promise<SessionDocument> {
    const { deps } = this;
    const testCode = deps.testNumbers.codeFor(request.phoneNumber);
    const phone = this.checkRecipient(policy, request.phoneNumber, request.channel, testCode !== undefined);
    const rendered = await this.render(principal.clientId, policy, request);
    const charge = checkMessageLimits(
      rendered.text,
      request.channel,
      request.message.kind === 'template' ? 'template' : 'message',
    );

    const releases = await this.takeLimits(principal.clientId, policy, phone.e164);
    try {
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
        await this.publish(session, rendered.text, code, request.correlator);
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
    } catch (error) {
      await Promise.all(releases.map((release) => release()));
      throw error;
    }
  }

  /** A new code for a pending session, on the same or another channel; counts like a send. */
  async resend(
    principal: Principal,
    policy: ClientPolicy,
    session: SessionDocument,
    channel: Channel,
    correlator?: string,
  ): Promise<SessionDocument> {
    const { deps } = this;
    const now = new Date();
    if (session.status !== 'pending' || session.expiresAt <= now || session.attemptsLeft <= 0) {
      throw new ApiError('CONFLICT', { message: 'The verification has ended: start a new one.' });
    }
    const allowedAt = resendAllowedAt(session);
    if (allowedAt > now) {
      throw new ApiError('TOO_MANY_REQUESTS', {
        message: 'A new code cannot be sent yet.',
        retryAfterSeconds: Math.ceil((allowedAt.getTime() - now.getTime()) / 1000),
      });
    }
    const testCode = deps.testNumbers.codeFor(session.phoneNumber);
    this.checkRecipient(policy, session.phoneNumber, channel, testCode !== undefined);
    const rendered = await this.render(principal.clientId, policy, requestFromSession(session, channel));
    const charge = checkMessageLimits(rendered.text, channel, 'message');

    const releases = await this.takeLimits(principal.clientId, policy, session.phoneNumber);
    try {
      const alphabet = session.alphabet ?? { digits: true, upper: false, lower: false, special: false };
      const code = testCode ?? generateCode(session.codeLength ?? policy.code.length, alphabetOf(alphabet));
      const validityMs = session.expiresAt.getTime() - session.createdAt.getTime();
      const expiresAt = new Date(now.getTime() + validityMs);
      const { charge: _previousCharge, ...previous } = session;
      const renewed: SessionDocument = {
        ...previous,
        channel,
        codeHash: deps.hasher.hash(session._id, code),
        expiresAt,
        purgeAt: new Date(expiresAt.getTime() + deps.tombstoneSeconds * 1000),
        jobId: randomUUID(),
        sends: (session.sends ?? 1) + 1,
        lastSentAt: now,
        ...(charge ? { charge: { encoding: charge.encoding, parts: charge.parts } } : {}),
      };
      // Only from the exact state read: a concurrent resend or check makes this one a conflict.
      const { modifiedCount } = await typedCollection(deps.sessions).replaceOne(
        { _id: session._id, status: 'pending', jobId: session.jobId },
        renewed,
      );
      if (modifiedCount !== 1)
        throw new ApiError('CONFLICT', { message: 'The verification changed meanwhile: try again.' });
      try {
        await this.publish(renewed, rendered.text, code, correlator);
      } catch (error) {
        // Put the previous code back: it is still the one the user may have.
        await typedCollection(deps.sessions)
          .replaceOne({ _id: session._id, jobId: renewed.jobId }, session)
          .catch(() => undefined);
        throw error;
      }
      deps.events.emit(eventOf('code.requested', renewed));
      return renewed;
    } catch (error) {
      await Promise.all(releases.map((release) => release()));
      throw error;
    }
  }

  private checkRecipient(
    policy: ClientPolicy,
    phoneNumber: string,
    channel: Channel,
    isTestNumber: boolean,
  ): CheckedPhoneNumber {
    if (!policy.channels.includes(channel)) {
      throw new ApiError('PERMISSION_DENIED', {
        message: `This client may not send codes by ${channel}.`,
        details: { field: 'channel' },
      });
    }
    const phone = this.deps.phonePolicy.check(phoneNumber, { isTestNumber, channel });
    if (policy.countries.length > 0 && !policy.countries.includes(phone.countryCallingCode)) {
      throw new ApiError('ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED', {
        message: 'This client may not send codes to this country.',
        details: { field: 'to' },
      });
    }
    return phone;
  }

  private async render(
    clientId: string,
    policy: ClientPolicy,
    request: Pick<SendRequest, 'message'>,
  ): Promise<RenderedMessage> {
    const { message } = request;
    if (message.kind === 'standard') return { text: STANDARD_SMS_TEXT, source: {} };
    if (message.kind === 'text') return { text: message.text, source: { message: message.text } };
    const template = await this.deps.templates.resolve(
      clientId,
      message.templateId,
      message.locale,
      policy.defaultLocale,
    );
    return {
      text: fillVariables(template.text, message.variables, 'template.variables'),
      source: { templateId: template.templateId, locale: template.locale, variables: message.variables },
    };
  }

  /**
   * Takes the client's quota and the number's send limit together (two independent round trips, in
   * parallel); if either refuses, what the other took is given back, and the quota's refusal wins.
   */
  private async takeLimits(clientId: string, policy: ClientPolicy, e164: string): Promise<Release[]> {
    const results = await Promise.allSettled([
      this.deps.limits.takeQuota(clientId),
      this.deps.limits.takeSend(this.deps.hasher.phoneKey(clientId, e164), policy.sends),
    ]);
    const taken = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const refused = results.find((result) => result.status === 'rejected');
    if (refused) {
      await Promise.all(taken.map((release) => release()));
      throw refused.reason;
    }
    return taken;
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

  private async publish(
    session: SessionDocument,
    text: string,
    code: string,
    correlator: string | undefined,
  ): Promise<void> {
    const fields: SendJobFields = {
      jobId: session.jobId,
      authenticationId: session._id,
      clientId: session.clientId,
      channel: session.channel,
      countryCallingCode: session.countryCallingCode,
      createdAt: session.createdAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
      options: {
        ...(session.senderId ? { senderId: session.senderId } : {}),
        ...(session.voice
          ? { voiceLanguage: session.voice.language, voiceGender: session.voice.gender }
          : {}),
        ...(session.content?.templateId ? { templateId: session.content.templateId } : {}),
        ...(session.content?.locale ? { locale: session.content.locale } : {}),
      },
      test: session.test,
    };
    await this.deps.jobs.publish(
      fields,
      {
        to: session.phoneNumber,
        text: insertCode(text, code),
        code,
        variables: {
          ...session.content?.variables,
          ...(session.recipientIp ? { recipientIp: session.recipientIp } : {}),
        },
        ...(session.channel === 'voice' && session.content?.message ? { voiceTemplate: text } : {}),
      },
      correlator,
    );
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

export function resendAllowedAt(
  session: Pick<SessionDocument, 'lastSentAt' | 'createdAt' | 'resendIntervalSeconds'>,
): Date {
  return new Date(
    (session.lastSentAt ?? session.createdAt).getTime() + (session.resendIntervalSeconds ?? 0) * 1000,
  );
}

function requestFromSession(
  session: SessionDocument,
  channel: Channel,
): Pick<SendRequest, 'message'> & { channel: Channel } {
  const content = session.content ?? {};
  if (content.templateId && content.locale) {
    return {
      channel,
      message: {
        kind: 'template',
        templateId: content.templateId,
        locale: content.locale,
        variables: content.variables ?? {},
      },
    };
  }
  return {
    channel,
    message: content.message ? { kind: 'text', text: content.message } : { kind: 'standard' },
  };
}
