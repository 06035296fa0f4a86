import { randomUUID } from 'node:crypto';
import type { Channel } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import { typedCollection, type SessionDocument } from '@otpflow/mongo';
import type { Principal } from '../auth/principal.js';
import type { ClientPolicy } from '../policies/client-policy.js';
import { checkMessageLimits } from '../templates/message-text.js';
import { alphabetOf, DIGITS_ONLY, generateCode } from './code.js';
import type { IssuerDependencies } from './code-issuer.js';
import {
  checkRecipient,
  deliverableChannels,
  messageSourceOf,
  renderMessage,
  resendAllowedAt,
  takeSendLimits,
  withLimits,
} from './issuing-steps.js';
import { eventOf } from './verification-events.js';

/**
 * A new code for a pending verification, on the same or another channel, once the resend interval
 * has passed; it counts like a send. The old code stops working; the attempts already used stay used.
 */
export class CodeResender {
  constructor(private readonly deps: IssuerDependencies) {}

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
    checkRecipient(deps.phonePolicy, policy, session.phoneNumber, channel, testCode !== undefined);
    const rendered = await renderMessage(
      deps.templates,
      principal.clientId,
      policy,
      messageSourceOf(session),
    );
    const charge = checkMessageLimits(rendered.text, channel, 'message');

    const releases = await takeSendLimits(
      deps.limits,
      deps.hasher,
      principal.clientId,
      policy,
      session.phoneNumber,
    );
    return withLimits(releases, async () => {
      const code =
        testCode ??
        generateCode(session.codeLength ?? policy.code.length, alphabetOf(session.alphabet ?? DIGITS_ONLY));
      const expiresAt = new Date(now.getTime() + (session.expiresAt.getTime() - session.createdAt.getTime()));
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
      const sessions = typedCollection(deps.sessions);
      // Only from the exact state read: a concurrent resend or check makes this one a conflict.
      const { modifiedCount } = await sessions.replaceOne(
        { _id: session._id, status: 'pending', jobId: session.jobId },
        renewed,
      );
      if (modifiedCount !== 1)
        throw new ApiError('CONFLICT', { message: 'The verification changed meanwhile: try again.' });
      try {
        await deps.jobs.publish({
          session: renewed,
          text: rendered.text,
          code,
          correlator,
          allowedChannels: deliverableChannels(
            deps.phonePolicy,
            policy,
            session.phoneNumber,
            testCode !== undefined,
          ),
        });
      } catch (error) {
        // Put the previous code back: it is still the one the user may have.
        await sessions.replaceOne({ _id: session._id, jobId: renewed.jobId }, session).catch(() => undefined);
        throw error;
      }
      deps.events.emit(eventOf('code.requested', renewed));
      return renewed;
    });
  }
}
