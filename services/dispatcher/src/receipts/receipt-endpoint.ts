import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@otpflow/telemetry';
import type { Clock } from '../clock.js';
import type { DeliveryStore } from '../delivery/delivery-store.js';
import type { DispatcherMetrics } from '../dispatcher-metrics.js';
import type { EventSink } from '../events/event-sink.js';
import { boundedReceiptCode, type DeliveryReceipt, type ReceiptVerifier } from './delivery-receipt.js';

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

export interface ReceiptEndpointDeps {
  verifiers: readonly ReceiptVerifier[];
  store: DeliveryStore;
  events: EventSink;
  metrics: DispatcherMetrics;
  logger: Logger;
  clock: Clock;
  publicBaseUrl: string | undefined;
}

/**
 * POST /v1/receipts/{provider}: delivery receipt callbacks. Each is authenticated by its provider's
 * verifier (signature or shared secret) before anything is read; a final receipt moves the delivery to
 * delivered or undelivered once and in order (a repeat or an older word changes nothing), and only a
 * receipt that changed the delivery tells the metrics. Unknown message ids are accepted and ignored,
 * so a provider does not retry them forever.
 */
export function receiptEndpoint(deps: ReceiptEndpointDeps) {
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
    await record(deps, verifier.provider, receipt);
    reply(response, 204);
    return true;
  };
}

async function record(deps: ReceiptEndpointDeps, provider: string, receipt: DeliveryReceipt): Promise<void> {
  if (receipt.outcome === 'pending') {
    deps.metrics.receipts.inc({ provider, outcome: 'pending' });
    return;
  }
  const result = await deps.store.recordReceipt({
    provider,
    providerMessageId: receipt.providerMessageId,
    outcome: receipt.outcome,
    ...(receipt.errorCode !== undefined ? { errorCode: receipt.errorCode } : {}),
    at: receipt.at ?? deps.clock.now(),
  });
  if (!result.applied) {
    deps.metrics.receipts.inc({ provider, outcome: result.why });
    deps.logger.info({ provider, why: result.why }, 'receipt changed nothing: ignored');
    return;
  }
  const { delivery } = result;
  deps.metrics.receipts.inc({ provider, outcome: receipt.outcome });
  deps.events.emit({
    type: receipt.outcome === 'delivered' ? 'code.delivered' : 'code.undelivered',
    authenticationId: delivery.authenticationId,
    clientId: delivery.clientId,
    channel: delivery.channel,
    countryCallingCode: delivery.countryCallingCode,
    requestedAt: new Date(delivery.requestedAt).toISOString(),
    provider,
    ...(delivery.sentAt ? { sentAt: new Date(delivery.sentAt).toISOString() } : {}),
    ...(receipt.outcome === 'undelivered'
      ? { reason: `receipt_${boundedReceiptCode(receipt.errorCode ?? receipt.vendorStatus)}` }
      : {}),
  });
}
