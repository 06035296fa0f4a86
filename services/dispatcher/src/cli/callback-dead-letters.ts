import { callbackTopologyNames, topologyNames } from '@otpflow/amqp';
import { callbackJobSchema, parseMessageBody, type CallbackJob } from '@otpflow/contracts';
import type { WebhookEndpoint } from '@otpflow/mongo';
import type { ChannelModel, GetMessage } from 'amqplib';
import { CALLBACK_HEADERS } from '../callbacks/callback-headers.js';
import { brokerReason, text } from './dead-letter.js';
import { DeadLetters, type DeadLetterKind } from './dead-letter-queue.js';

/**
 * What an operator sees of a dead callback (`dlq --queue callbacks list`). The endpoint's host, not
 * its URL: a path or query may carry a tenant's token.
 */
export interface CallbackDeadLetter {
  /** `<webhook-id>/<endpoint id>`: one callback to one endpoint (the job's message id). */
  jobId: string;
  webhookId: string;
  endpointId: string;
  clientId: string;
  type: string;
  host: string;
  reason: string;
  lastError: string;
  attempts: number;
  occurredAt: string;
  deadLetteredAt: string;
}

/** Why a dead callback was dropped instead of replayed. */
export type CallbackDropped = 'dropped_malformed' | 'dropped_endpoint_gone';

/** What a replay needs beyond the broker: the endpoints as the tenant keeps them now. */
export interface CallbackReplayDependencies {
  endpoints: { get(clientId: string, endpointId: string): Promise<WebhookEndpoint | undefined> };
}

const hostOf = (url: string) => URL.parse(url)?.host ?? '';

export function describeCallbackLetter(message: GetMessage): CallbackDeadLetter {
  const headers = message.properties.headers ?? {};
  const job: Partial<CallbackJob> = parseMessageBody(callbackJobSchema, message.content) ?? {};
  const webhookId = job.webhookId ?? '';
  const endpointId = job.endpointId ?? '';
  return {
    jobId: text(message.properties.messageId) || `${webhookId}/${endpointId}`,
    webhookId,
    endpointId,
    clientId: job.clientId ?? '',
    type: job.type ?? '',
    host: job.url ? hostOf(job.url) : '',
    reason: text(headers[CALLBACK_HEADERS.reason]) || brokerReason(headers) || 'rejected',
    lastError: text(headers[CALLBACK_HEADERS.lastError]),
    attempts: Number(headers[CALLBACK_HEADERS.attempt] ?? 0),
    occurredAt: job.occurredAt ?? '',
    deadLetteredAt: text(headers[CALLBACK_HEADERS.deadLetteredAt]),
  };
}

/**
 * The callbacks' dead letters (`otp.callbacks.dead`). A replay queues each callback again with a
 * fresh attempt budget, under the same webhook-id (the endpoint deduplicates on it), addressed and
 * sealed as the endpoint is now: a tenant that fixed its URL or rotated its secret gets the callback
 * at the new URL, signed with the new secret. One whose endpoint was deleted, disabled or no longer
 * subscribes to its type is dropped, as is one that does not parse.
 */
export class CallbackDeadLetterQueue extends DeadLetters<CallbackDeadLetter, CallbackDropped> {
  constructor(connection: ChannelModel, prefix: string, dependencies?: CallbackReplayDependencies) {
    super(connection, callbackDeadLetterKind(prefix, dependencies));
  }
}

function callbackDeadLetterKind(
  prefix: string,
  dependencies: CallbackReplayDependencies | undefined,
): DeadLetterKind<CallbackDeadLetter, CallbackDropped> {
  const names = callbackTopologyNames(prefix);
  const { jobsExchange } = topologyNames(prefix);
  return {
    queue: names.callbackDeadQueue,
    describe: describeCallbackLetter,
    replay: async (channel, message, letter) => {
      if (!dependencies) throw new Error('a replay needs the webhook endpoints');
      const job = parseMessageBody(callbackJobSchema, message.content);
      if (!job) return 'dropped_malformed';
      const endpoint = await dependencies.endpoints.get(job.clientId, job.endpointId);
      if (!endpoint?.enabled || !endpoint.events.includes(job.type)) return 'dropped_endpoint_gone';
      const current: CallbackJob = { ...job, url: endpoint.url, sealedSecret: endpoint.sealedSecret };
      channel.publish(jobsExchange, names.callbackRoutingKey, Buffer.from(JSON.stringify(current)), {
        persistent: true,
        contentType: 'application/json',
        messageId: letter.jobId,
        type: job.schema,
        headers: { [CALLBACK_HEADERS.attempt]: 1 },
      });
      await channel.waitForConfirms();
      return 'replayed';
    },
  };
}
