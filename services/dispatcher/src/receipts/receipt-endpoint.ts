import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@otpflow/telemetry';
import type { DispatcherMetrics } from '../dispatcher-metrics.js';
import type { ReceiptVerifier } from './delivery-receipt.js';
import type { ReceiptRecorder } from './receipt-recorder.js';

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
  recorder: ReceiptRecorder;
  metrics: DispatcherMetrics;
  logger: Logger;
  publicBaseUrl: string | undefined;
}

/**
 * POST /v1/receipts/{provider}: delivery receipt callbacks. Each is authenticated by its provider's
 * verifier (signature, shared secret or token) before anything is read, then recorded (once, in
 * order: receipt-recorder.ts). Unknown message ids are accepted and ignored, so a provider does not
 * retry them forever; a provider without a verifier (none configured, or a vendor that sends no
 * receipts) is 404.
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
        message: 'The receipt is not authenticated.',
      });
      return true;
    }
    try {
      await deps.recorder.record(verifier.provider, receipt);
    } catch (error) {
      // The store could not take it: a 5xx makes every vendor send it again later.
      deps.logger.warn(
        { err: error, provider: verifier.provider },
        'receipt not recorded: store unavailable',
      );
      reply(response, 503, {
        status: 503,
        code: 'UNAVAILABLE',
        message: 'The receipt cannot be recorded now: send it again later.',
      });
      return true;
    }
    reply(response, 204);
    return true;
  };
}
