import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '@otpflow/errors';

/** The Content-Type values (lower-cased) every JSON client sends, read here without parsing them. */
const PLAIN_JSON_TYPES: ReadonlySet<string> = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=utf-8',
]);

/** What is read of a request: its headers and its body's events. */
export interface BodyStream {
  headers: IncomingHttpHeaders;
  on(event: string, listener: (chunk: Buffer) => void): unknown;
  off(event: string, listener: (chunk: Buffer) => void): unknown;
}

const BYTE_ORDER_MARK = '\uFEFF';
/** The first character that is not JSON's whitespace (RFC 8259 section 2). */
const FIRST_VALUE_CHARACTER = /[^ \t\n\r]/;

/**
 * The body length to read in one bounded pass, or undefined when the request is not the plain case:
 * a UTF-8 JSON body of a declared length within the limit, not compressed, not chunked. Every other
 * request (another charset, a Content-Encoding, chunks, a length over the limit) goes through
 * body-parser, whose answers (415, the 400s) it keeps.
 */
export function plainJsonLength(request: BodyStream, limitBytes: number): number | undefined {
  const { headers } = request;
  if (headers['content-encoding'] !== undefined || headers['transfer-encoding'] !== undefined)
    return undefined;
  const type = headers['content-type'];
  if (type === undefined || !PLAIN_JSON_TYPES.has(type.toLowerCase())) return undefined;
  const declared = headers['content-length'];
  if (declared === undefined || !/^\d{1,9}$/.test(declared)) return undefined;
  const length = Number(declared);
  return length > 0 && length <= limitBytes ? length : undefined;
}

/**
 * Reads and parses a plain JSON body (see plainJsonLength) as body-parser does, in one pass: the
 * bytes decoded as UTF-8 with a leading byte order mark dropped, and, strictly, only an object or an
 * array at the top. A body cut short is a 400, as is one that is not JSON (with body-parser's message).
 */
export function readPlainJson(request: BodyStream, length: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanUp = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onFailure);
      request.off('close', onFailure);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    };
    const onEnd = () => {
      cleanUp();
      try {
        if (received !== length) throw new ApiError('INVALID_ARGUMENT');
        resolve(parseStrictJson(decodeUtf8(chunks, received)));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    // 'close' before 'end': the client went away mid-body (body-parser's request.aborted, a 400).
    const onFailure = () => {
      cleanUp();
      reject(new ApiError('INVALID_ARGUMENT'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onFailure);
    request.on('close', onFailure);
  });
}

function decodeUtf8(chunks: readonly Buffer[], length: number): string {
  const [only] = chunks;
  const text = (chunks.length === 1 && only ? only : Buffer.concat(chunks, length)).toString('utf8');
  return text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
}

/** body-parser's strict JSON: empty reads as `{}`; otherwise an object or an array, or a 400. */
function parseStrictJson(text: string): unknown {
  if (text.length === 0) return {};
  const first = text.charAt(text.search(FIRST_VALUE_CHARACTER));
  if (first === '{' || first === '[') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // the one answer a malformed body gets, below
    }
  }
  throw new ApiError('INVALID_ARGUMENT', { message: 'The request body is not valid JSON.' });
}
