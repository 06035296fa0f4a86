import { NotPublishedError, type EventPublisher } from '@otpflow/amqp';
import type { Channel, SealedSendPayload, Workflow } from '@otpflow/contracts';
import type { Logger } from '@otpflow/telemetry';
import type { SendJobPublisher } from '../messaging/send-job.publisher.js';
import type { RenderedMessage } from './message-renderer.js';
import type { PhoneNumber } from './phone-number.js';
import type { Issued, SessionStore } from './session-store.js';
import { eventOf } from './verification-events.js';

export interface DispatchDependencies {
  store: Pick<SessionStore, 'withdraw'>;
  jobs: Pick<SendJobPublisher, 'publish'>;
  events: Pick<EventPublisher, 'countCarried' | 'emit'>;
  logger: Logger;
}

/** A stored code on its way out: what the send job carries beside the stored entry. */
export interface Dispatch {
  clientId: string;
  phone: PhoneNumber;
  issued: Issued;
  message: RenderedMessage;
  code: string;
  /** The channels the number may be reached on for this client (CheckedRecipient's). */
  allowedChannels: Channel[];
  workflow: Workflow | undefined;
  /** The line type and the tenant's thresholds the fraud guard judged the send on. */
  fraud?: SealedSendPayload['fraud'];
  correlator: string | undefined;
  /** Gives the client's quota back. */
  releaseQuota: () => Promise<void>;
}

/** The `code.failed` reason of a code whose job the broker did not take. */
export const NOT_QUEUED = 'not_queued';

/**
 * Publishes one confirmed send job for a stored code, which is also its announcement (the
 * `code.requested` event on the events exchange). If the broker refuses the job the write is undone,
 * the quota given back and the code announced as failed (`not_queued`): a code not sent costs nothing
 * and stays not live.
 */
export async function dispatchCode(deps: DispatchDependencies, dispatch: Dispatch): Promise<void> {
  const { clientId, phone, issued, message, code, allowedChannels, workflow } = dispatch;
  const { ref, entry } = issued.code;
  try {
    await deps.jobs.publish(
      {
        authenticationId: ref.authenticationId,
        state: { numberKey: ref.numberKey, tenantKey: ref.tenantKey, codeId: ref.codeId },
        clientId,
        e164: phone.e164,
        entry,
        ...message,
        code,
        allowedChannels,
        ...(workflow ? { workflow } : {}),
        ...(dispatch.fraud ? { fraud: dispatch.fraud } : {}),
      },
      dispatch.correlator,
    );
  } catch (error) {
    await deps.store.withdraw(issued).catch((cleanupError: unknown) => {
      // The code keeps its unknown value and expires on its own; no job for it exists.
      deps.logger.error(
        { err: cleanupError, authenticationId: ref.authenticationId },
        'could not withdraw an unsent code',
      );
    });
    await dispatch.releaseQuota();
    // The broker may have stored the job's copies on the events queues before it refused the job
    // (a nack from a full send queue, a confirm that never came): say the code was never queued, so
    // the listing and the counts do not keep a request that was answered with an error. A job that
    // never reached the broker left no copy: nothing to say (and, the broker down, no way to say it).
    if (!(error instanceof NotPublishedError)) {
      deps.events.emit({
        ...eventOf('code.failed', { authenticationId: ref.authenticationId, clientId, code: issued.code }),
        reason: NOT_QUEUED,
      });
    }
    throw error;
  }
  // The job was its code's `code.requested` event too (SendJobPublisher): confirmed with it.
  deps.events.countCarried('code.requested');
}
