import { randomUUID } from 'node:crypto';
import type { EventPublisher } from '@otpflow/amqp';
import type { Channel, OtpEventInput, RejectionReason } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import { typedCollection, type SessionDocument, type SessionModel } from '@otpflow/mongo';
import type { Logger } from '@otpflow/telemetry';
import type { Principal } from '../auth/principal.js';
import type { SendJobPublisher } from '../messaging/send-job.publisher.js';
import type { AttemptGuard } from './attempt-guard.js';
import { generateCode, type CodeHasher } from './code.js';
import type { Limits, Release } from './limits.js';
import type { PhonePolicy } from './phone-policy.js';
import type { TestNumbers } from './test-numbers.js';

export interface VerificationSettings {
  codeLength: number;
  codeTtlSeconds: number;
  maxAttempts: number;
  tombstoneSeconds: number;
}

export interface SendCodeRequest {
  phoneNumber: string;
  /** The message with `{{code}}` where the code goes. */
  message: string;
  channel: Channel;
  correlator: string | undefined;
}

export interface ValidateCodeRequest {
  authenticationId: string;
  code: string;
}

export interface VerificationDependencies {
  sessions: SessionModel;
  guard: AttemptGuard;
  hasher: CodeHasher;
  limits: Limits;
  phonePolicy: PhonePolicy;
  testNumbers: TestNumbers;
  jobs: SendJobPublisher;
  events: EventPublisher;
  logger: Logger;
}

const CODE_PLACEHOLDER = '{{code}}';

/**
 * The life of a code: send (policy, limits, session, confirmed job) and validate (budgeted,
 * constant-time comparison, single use). HTTP-agnostic: the CAMARA and native routes both call it.
 */
export class VerificationService {
  constructor(
    private readonly deps: VerificationDependencies,
    private readonly settings: VerificationSettings,
  ) {}

  async sendCode(principal: Principal, request: SendCodeRequest): Promise<{ authenticationId: string }> {
    const { deps } = this;
    const testCode = deps.testNumbers.codeFor(request.phoneNumber);
    const phone = deps.phonePolicy.check(request.phoneNumber, { isTestNumber: testCode !== undefined });

    const releases: Release[] = [];
    try {
      releases.push(await deps.limits.takeQuota(principal.clientId));
      releases.push(await deps.limits.takeSend(deps.hasher.phoneKey(principal.clientId, phone.e164)));

      const code = testCode ?? generateCode(this.settings.codeLength);
      const session = this.newSession(
        principal.clientId,
        phone,
        request.channel,
        code,
        testCode !== undefined,
      );
      await typedCollection(deps.sessions).insertOne(session);
      await this.publishJob(session, request, code);
      await this.supersedeOlderSessions(session);
      deps.events.emit(eventOf('code.requested', session));
      return { authenticationId: session._id };
    } catch (error) {
      await Promise.all(releases.map((release) => release()));
      throw error;
    }
  }

  private newSession(
    clientId: string,
    phone: { e164: string; countryCallingCode: string },
    channel: Channel,
    code: string,
    test: boolean,
  ): SessionDocument {
    const now = new Date();
    const authenticationId = randomUUID();
    const expiresAt = new Date(now.getTime() + this.settings.codeTtlSeconds * 1000);
    return {
      _id: authenticationId,
      clientId,
      phoneNumber: phone.e164,
      countryCallingCode: phone.countryCallingCode,
      channel,
      codeHash: this.deps.hasher.hash(authenticationId, code),
      status: 'pending',
      maxAttempts: this.settings.maxAttempts,
      attemptsLeft: this.settings.maxAttempts,
      createdAt: now,
      expiresAt,
      purgeAt: new Date(expiresAt.getTime() + this.settings.tombstoneSeconds * 1000),
      test,
      delivery: { status: 'queued', jobId: randomUUID(), attempts: 0, history: [], updatedAt: now },
    };
  }

  /** Publishes the job; if that fails, the session is removed so no live session is left behind. */
  private async publishJob(session: SessionDocument, request: SendCodeRequest, code: string): Promise<void> {
    try {
      await this.deps.jobs.publish(
        {
          jobId: session.delivery.jobId,
          authenticationId: session._id,
          clientId: session.clientId,
          channel: session.channel,
          countryCallingCode: session.countryCallingCode,
          createdAt: session.createdAt.toISOString(),
          expiresAt: session.expiresAt.toISOString(),
          options: {},
          test: session.test,
        },
        {
          to: session.phoneNumber,
          text: request.message.replaceAll(CODE_PLACEHOLDER, code),
          code,
          variables: {},
        },
        request.correlator,
      );
    } catch (error) {
      await this.deps.sessions.deleteOne({ _id: session._id }).catch((cleanupError: unknown) => {
        // The session keeps its unknown code and expires on its own; no job for it exists.
        this.deps.logger.error(
          { err: cleanupError, authenticationId: session._id },
          'could not remove an unsent session',
        );
      });
      throw error;
    }
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

  async validateCode(principal: Principal, request: ValidateCodeRequest): Promise<void> {
    const { guard, hasher, events } = this.deps;
    const now = new Date();
    const reservation = await guard.reserve(request.authenticationId, principal.clientId, now);
    if (reservation.kind === 'refused') {
      const { refusal, session } = reservation;
      if (refusal === 'not_found' || !session) throw new ApiError('NOT_FOUND');
      if (refusal === 'exhausted') {
        events.emit(rejectionOf(session, 'max_attempts_exceeded'));
        throw new ApiError('ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED');
      }
      events.emit(rejectionOf(session, endedReason(session)));
      throw new ApiError('ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED');
    }

    const { session, attemptsLeftAfter } = reservation;
    if (!hasher.matches(session._id, request.code, session.codeHash)) {
      const exhausted = attemptsLeftAfter === 0;
      events.emit(rejectionOf(session, exhausted ? 'max_attempts_exceeded' : 'invalid_otp'));
      throw new ApiError(
        exhausted ? 'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED' : 'ONE_TIME_PASSWORD_SMS.INVALID_OTP',
      );
    }
    if (!(await guard.consume(session, now))) {
      events.emit(rejectionOf(session, 'already_verified'));
      throw new ApiError('ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED');
    }
    events.emit({
      ...eventOf('code.verified', session),
      ...(session.delivery.sentAt ? { sentAt: new Date(session.delivery.sentAt).toISOString() } : {}),
    });
  }
}

function eventOf(
  type: OtpEventInput['type'],
  session: Pick<SessionDocument, '_id' | 'clientId' | 'channel' | 'countryCallingCode' | 'createdAt'>,
): OtpEventInput {
  return {
    type,
    authenticationId: session._id,
    clientId: session.clientId,
    channel: session.channel,
    countryCallingCode: session.countryCallingCode,
    requestedAt: new Date(session.createdAt).toISOString(),
  };
}

function endedReason(session: SessionDocument): RejectionReason {
  if (session.status === 'verified') return 'already_verified';
  if (session.status === 'superseded' || session.status === 'canceled') return session.status;
  return 'expired';
}

function rejectionOf(session: SessionDocument, reason: RejectionReason): OtpEventInput {
  return { ...eventOf('code.rejected', session), reason };
}
