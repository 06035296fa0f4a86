import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { toApiError } from './error-handler.js';
import { plainJsonLength, readPlainJson } from './read-json.js';

const LIMIT = 1024;

/** A request as the HTTP server hands it over: a stream of the body bytes, with its headers. */
function request(body: Buffer, headers: Record<string, string> = {}): IncomingMessage {
  const stream = Readable.from([body], { objectMode: false });
  // body-parser skips a request it takes for already read: one with no readable socket.
  return Object.assign(stream, {
    headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers },
    complete: false,
    socket: { readable: true },
  }) as unknown as IncomingMessage;
}

type Outcome = { body: unknown } | { status: number; message: string };

function viaBodyParser(body: Buffer): Promise<Outcome> {
  const parser = express.json({ limit: LIMIT, strict: true });
  const req = request(body) as IncomingMessage & { body?: unknown };
  return new Promise((resolve) => {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- a stream standing for the request: body-parser reads its headers and its data
    parser(req, {} as never, (error?: unknown) => {
      if (error === undefined) {
        resolve({ body: req.body });
        return;
      }
      const answer = toApiError(error);
      resolve({ status: answer.status, message: answer.message });
    });
  });
}

async function viaOnePass(body: Buffer): Promise<Outcome> {
  const req = request(body);
  try {
    return { body: await readPlainJson(req, plainJsonLength(req, LIMIT) ?? -1) };
  } catch (error) {
    const answer = toApiError(error);
    return { status: answer.status, message: answer.message };
  }
}

describe('the one-pass JSON body reader', () => {
  it('answers every body as body-parser does: the value, or the same 400', async () => {
    const bodies = [
      '{"phoneNumber":"+34600000001","message":"{{code}}"}',
      ' \t\r\n{"a":[1,2]}',
      '\uFEFF{"a":1}',
      '[1,"two"]',
      '{"text":"caf\u00e9 \u{1F600}"}',
      'null',
      '"text"',
      '42',
      '{"phoneNumber":',
      '   ',
      '\uFEFF',
      '{"a":1}x',
    ].map((text) => Buffer.from(text, 'utf8'));
    bodies.push(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])); // {"a":"<invalid byte>"}
    for (const body of bodies) {
      expect(await viaOnePass(body), body.toString('utf8')).toEqual(await viaBodyParser(body));
    }
  });

  it('answers 400 to a body shorter than its Content-Length', async () => {
    const req = request(Buffer.from('{"a":1}'), { 'content-length': '20' });
    await expect(readPlainJson(req, 20)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('reads only plain JSON of a declared length within the limit, leaving the rest to body-parser', () => {
    const lengthOf = (headers: Record<string, string>) =>
      plainJsonLength(request(Buffer.alloc(10), headers), LIMIT);
    expect(lengthOf({})).toBe(10);
    expect(lengthOf({ 'content-type': 'Application/JSON; charset=UTF-8' })).toBe(10);
    expect(lengthOf({ 'content-type': 'application/json; charset=latin1' })).toBeUndefined();
    expect(lengthOf({ 'content-type': 'application/merge-patch+json' })).toBeUndefined();
    expect(lengthOf({ 'content-type': 'text/plain' })).toBeUndefined();
    expect(lengthOf({ 'content-encoding': 'gzip' })).toBeUndefined();
    expect(lengthOf({ 'transfer-encoding': 'chunked' })).toBeUndefined();
    expect(lengthOf({ 'content-length': String(LIMIT + 1) })).toBeUndefined();
    expect(lengthOf({ 'content-length': '0' })).toBeUndefined();
    expect(lengthOf({ 'content-length': '1e3' })).toBeUndefined();
  });
});
