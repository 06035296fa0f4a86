import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventPublisher } from '@otpflow/amqp';
import type { Logger } from '@otpflow/telemetry';
import type { DeliveryStore } from '../delivery/delivery-store.js';
import type { DispatcherMetrics } from '../dispatcher-metrics.js';
import type { ReceiptVerifier } from './delivery-receipt.js';

const MAX_BODY_BYTES = 64 * 1024;
const PATH = /^\/v1\/receipts\/([a-z0-9_-]+)$/;

function reply(response: ServerResponse, status: number, body?: unknown): void {
  response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * POST /v1/receipts/{provider}: delivery receipt callbacks. Each is authenticated by its provider's
 * verifier (signature or shared secret) before anything is read; the session's delivery status becomes
 * delivered or undelivered, and an event tells the metrics. Unknown message ids are accepted and
 * ignored, so a provider does not retry them forever.
 */
export function receiptEndpoint(deps: {
  verifiers: readonly ReceiptVerifier[];
  store: DeliveryStore;
  events: EventPublisher;
  metrics: DispatcherMetrics;
  logger: Logger;
  publicBaseUrl: string | undefined;
}) {
  const byProvider = new Map(deps.verifiers.map((verifier) => [verifier.provider, verifier]));
  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const match = PATH.exec(path);
    if (!match) return false;
    const verifier = byProvider.get(match[1] ?? '');
    if (!verifier) {
      reply(response, 404, {
        status: 404,
        code: 'NOT_FOUND',
        message: 'No receipts are taken for this provider.',
      });
      return true;
    }
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      reply(response, 405, { status: 405, code: 'METHOD_NOT_ALLOWED', message: 'Receipts are POSTed.' });
      return true;
    }
    const body = await readBody(request);
    if (body === undefined) {
      reply(response, 400, { status: 400, code: 'INVALID_ARGUMENT', message: 'The receipt is too large.' });
      return true;
    }
    const base = deps.publicBaseUrl ?? `http://${request.headers.host ?? 'localhost'}`;
    let receipt;
    try {
      receipt = verifier.verify({
        url: new URL(request.url ?? '', base).toString(),
        headers: request.headers,
        body,
      });
    } catch {
      deps.metrics.receipts.inc({ provider: verifier.provider, outcome: 'rejected' });
      reply(response, 400, { status: 400, code: 'INVALID_ARGUMENT', message: 'The receipt cannot be read.' });
      return true;
    }
    if (!receipt) {
      deps.metrics.receipts.inc({ provider: verifier.provider, outcome: 'rejected' });
      reply(response, 401, {
        status: 401,
        code: 'UNAUTHENTICATED',
        message: 'The receipt signature is not valid.',
      });
      return true;
    }
    if (receipt.outcome === 'pending') {
      deps.metrics.receipts.inc({ provider: verifier.provider, outcome: 'pending' });
      reply(response, 204);
      return true;
    }
    const delivery = await deps.store.recordReceipt(
      verifier.provider,
      receipt.providerMessageId,
      receipt.outcome,
      receipt.errorCode,
    );
    deps.metrics.receipts.inc({
      provider: verifier.provider,
      outcome: delivery ? receipt.outcome : 'unknown_message',
    });
    if (delivery) {
      deps.events.emit({
        type: receipt.outcome === 'delivered' ? 'code.delivered' : 'code.undelivered',
        authenticationId: delivery.authenticationId,
        clientId: delivery.clientId,
        channel: delivery.channel,
        countryCallingCode: delivery.countryCallingCode,
        requestedAt: new Date(delivery.requestedAt).toISOString(),
        provider: verifier.provider,
        ...(delivery.sentAt ? { sentAt: new Date(delivery.sentAt).toISOString() } : {}),
        ...(receipt.outcome === 'undelivered'
          ? { reason: `receipt_${receipt.errorCode ?? receipt.vendorStatus}`.slice(0, 64) }
          : {}),
      });
    } else {
      deps.logger.info({ provider: verifier.provider }, 'receipt for an unknown message ignored');
    }
    reply(response, 204);
    return true;
  };
}
