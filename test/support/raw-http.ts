import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON; undefined when empty; the text itself when it is not JSON. */
  body: unknown;
  json: boolean;
}

export interface RawRequest {
  method: string;
  /** Sent as is: the caller encodes it (or, on purpose, does not). */
  path: string;
  /**
   * Header values as Node sends them: strings of latin-1 bytes (to send UTF-8, pass its bytes as a
   * latin-1 string), or arrays for repeated headers.
   */
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  /** Fails the request (rejects) when no complete answer came within this long: a hang is a finding. */
  timeoutMs?: number;
}

/**
 * One HTTP/1.1 request with node:http rather than fetch: fetch normalises what these tests send on
 * purpose (raw bytes in header values, repeated headers, any method, a body with any content type, a
 * path that is not valid percent-encoding) and opens an unbounded number of connections, where an
 * Agent lets a storm of thousands of requests queue on a bounded pool.
 */
export function rawRequest(baseUrl: string, options: RawRequest, agent?: Agent): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: url.hostname,
        port: url.port,
        method: options.method,
        path: options.path,
        headers: {
          ...(options.body === undefined ? {} : { 'content-length': Buffer.byteLength(options.body) }),
          ...options.headers,
        },
        agent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text === '' ? undefined : text;
          let json = false;
          try {
            if (text !== '') {
              body = JSON.parse(text) as unknown;
              json = true;
            }
          } catch {
            // Not JSON: `body` stays the text, `json` false, and the caller decides.
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body, json });
        });
      },
    );
    outgoing.on('error', reject);
    if (options.timeoutMs !== undefined) {
      const { timeoutMs } = options;
      outgoing.setTimeout(timeoutMs, () => {
        outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`));
      });
    }
    outgoing.end(options.body);
  });
}
