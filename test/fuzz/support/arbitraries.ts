import fc from 'fast-check';

/**
 * Generators of hostile input for the gateway's HTTP APIs. Everything here is plain data (strings,
 * numbers, byte arrays), so fast-check can shrink a failing request and print it.
 */

/** Characters Node's HTTP client will put in a header value: tab, visible ASCII and latin-1 (obs-text). */
const headerCharacter = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(0x09))
  .map((code) => String.fromCharCode(code));

/** A header value of arbitrary bytes: latin-1 text, or UTF-8 text sent as its raw bytes. */
export const headerGarbage = (maxLength = 64): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: headerCharacter, maxLength }),
    fc
      .string({ unit: 'grapheme', maxLength: Math.ceil(maxLength / 4) })
      .map((text) => Buffer.from(text, 'utf8').toString('latin1')),
  );

/** Unicode text: whole graphemes (emoji, combining marks, RTL) or any code point, lone surrogates too. */
export const unicodeText = (maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(fc.string({ unit: 'grapheme', maxLength }), fc.string({ unit: 'binary', maxLength }));

/** A string far beyond every field limit (and often beyond the 8 KB body limit), in 1 to 4 UTF-8 bytes a character. */
export const hugeText: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 200, max: 12_000 }),
    fc.constantFrom('a', '7', 'é', '€', '😀', '{{code}}', '\\', '"'),
  )
  .map(([count, unit]) => unit.repeat(count));

/** Any string a field might get: short ASCII, unicode, numbers as text, or huge. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 3, arbitrary: unicodeText(40) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: hugeText },
);

/**
 * Placeholders the request builder replaces with the id of a session created earlier in the run: any
 * session, or one sent to a test number (whose code the fuzzer knows).
 */
export const poolReference = (index: number): string => `<<session:${index}>>`;
export const testPoolReference = (index: number): string => `<<session:test:${index}>>`;
export const POOL_REFERENCE = /<<session:(test:)?(\d+)>>/g;

export const TEMPLATE_IDS = ['welcome', 'login.v2', 'reset_pw-1'];
export const LOCALES = ['en', 'es', 'es-ES', 'es-419', 'fr'];
/** Client ids a policy is stored for: client-b's changes what client-b's sends get. */
export const POLICY_CLIENTS = ['client-b', 'client-fuzz', 'client.other_1'];

/**
 * Phone numbers: a small set of valid mobiles that repeats (so per-number limits and supersession are
 * reached), fresh valid mobiles, the test numbers, numbers the number policy refuses, and non-numbers.
 */
export function phoneNumber(testNumbers: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.integer({ min: 0, max: 24 }).map((n) => `+3465500${String(n).padStart(4, '0')}`),
    },
    { weight: 3, arbitrary: fc.integer({ min: 10_000_000, max: 99_999_999 }).map((n) => `+346${n}`) },
    { weight: 3, arbitrary: fc.constantFrom(...testNumbers) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '+34912345678', // a landline: no SMS
        '+3400000', // impossible
        '+15005550006',
        '+447700900123',
        '+999999999999',
        '+1',
        '+0612345678',
      ),
    },
    { weight: 1, arbitrary: fc.stringMatching(/^\+[1-9][0-9]{4,14}$/) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('34612345678', '+34 612 345 678', '+३४६१२३४५६७८', '+34612345678\n', ''),
    },
    { weight: 1, arbitrary: anyText },
  );
}

/** A message with `{{code}}` (mostly), around unicode, of every length. */
export function messageText(maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant('{{code}} is your code') },
    {
      weight: 3,
      arbitrary: fc
        .tuple(unicodeText(maxLength / 2), unicodeText(maxLength / 2))
        .map(([before, after]) => `${before}{{code}}${after}`),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        '{{code}}',
        '{{ code }}',
        '{{CODE}}',
        '{code}',
        '{{code}}{{code}}',
        '{{name}}',
      ),
    },
    { weight: 1, arbitrary: unicodeText(maxLength) },
    { weight: 1, arbitrary: hugeText },
  );
}

/** A code as a user might type it, or not. */
export function codeText(rightCode: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(rightCode) },
    { weight: 3, arbitrary: fc.stringMatching(/^[0-9]{4,10}$/) },
    { weight: 2, arbitrary: anyText },
  );
}

/** The id of a session of the run, a valid uuid nobody issued, or anything else. */
export function sessionIdText(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.nat().map(poolReference) },
    { weight: 3, arbitrary: fc.nat().map(testPoolReference) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: anyText },
  );
}

/** A request body: what the request builder turns into bytes. */
export type BodyPlan =
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'none' };

const keysOf = (value: Record<string, unknown>) => Object.keys(value);

/**
 * Bodies around a structured value: the value itself (so requests reach the operation), a field left
 * out, a field of the wrong type, extra fields, `__proto__`, duplicated keys, truncated or corrupted
 * JSON, any JSON at all, deep nesting, raw bytes, a huge field, and no body.
 */
export function bodyAround(value: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<BodyPlan> {
  const json = (body: unknown): BodyPlan => ({ kind: 'json', value: body });
  const text = (body: string): BodyPlan => ({ kind: 'text', text: body });
  return fc.oneof(
    { weight: 24, arbitrary: value.map(json) },
    {
      weight: 2,
      arbitrary: fc.tuple(value, fc.nat()).map(([body, index]) => {
        const keys = keysOf(body);
        const dropped = keys[index % Math.max(1, keys.length)];
        return json(Object.fromEntries(Object.entries(body).filter(([key]) => key !== dropped)));
      }),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(value, fc.nat(), fc.jsonValue({ maxDepth: 2 })).map(([body, index, wrong]) => {
        const keys = keysOf(body);
        const key = keys[index % Math.max(1, keys.length)] ?? 'field';
        return json({ ...body, [key]: wrong });
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          value,
          fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
        )
        .map(([body, extra]) => json({ ...extra, ...body })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(value, fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.jsonValue({ maxDepth: 1 }))
        .map(([body, key, injected]) =>
          text(
            `{"${key}":${JSON.stringify(injected)}${keysOf(body).length > 0 ? ',' : ''}${JSON.stringify(body).slice(1)}`,
          ),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(value, value).map(([first, second]) => {
        // Every key twice: JSON.parse keeps the last, a careless validator might read the first.
        const a = JSON.stringify(first).slice(1, -1);
        const b = JSON.stringify(second).slice(1, -1);
        return text(`{${a}${a && b ? ',' : ''}${b}}`);
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(value, fc.nat(), fc.string({ unit: headerCharacter, maxLength: 8 }))
        .map(([body, cut, garbage]) => {
          const whole = JSON.stringify(body);
          const at = cut % (whole.length + 1);
          return text(`${whole.slice(0, at)}${garbage}`);
        }),
    },
    { weight: 2, arbitrary: fc.jsonValue().map(json) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 1, max: 4_000 }), fc.constantFrom('[', '{"a":'))
        .map(([depth, open]) => text(open.repeat(depth) + '1' + (open === '[' ? ']' : '}').repeat(depth))),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 256 }).map((bytes): BodyPlan => ({ kind: 'bytes', bytes })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(value, fc.nat(), hugeText).map(([body, index, huge]) => {
        const keys = keysOf(body);
        const key = keys[index % Math.max(1, keys.length)] ?? 'field';
        return json({ ...body, [key]: huge });
      }),
    },
    { weight: 1, arbitrary: fc.constant<BodyPlan>({ kind: 'none' }) },
  );
}

export type HeaderValue = string | string[] | undefined;
export type HeaderPlan = Record<string, HeaderValue>;

/** Correlators: none, valid ones of every length, empty, too long, malformed, repeated. */
export const correlatorHeader: fc.Arbitrary<HeaderValue> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: fc.stringMatching(/^[a-zA-Z0-9\-_:;./<>{}]{1,256}$/) },
  { weight: 1, arbitrary: fc.constantFrom('', 'b4333c46-49c0-4f62-80d7-f0ef930f1c46', 'a'.repeat(256)) },
  { weight: 1, arbitrary: fc.integer({ min: 257, max: 600 }).map((length) => 'c'.repeat(length)) },
  { weight: 2, arbitrary: headerGarbage(80) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constant('abc'), fc.constant('def')).map((pair): HeaderValue => [...pair]),
  },
);

/** Credentials: mostly the right key for the operation, sometimes another client's, or none, or junk. */
export function authorizationHeader(preferredKey: string, otherKeys: string[]): fc.Arbitrary<HeaderValue> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${preferredKey}`) },
    { weight: 2, arbitrary: fc.constantFrom(...otherKeys).map((key) => `Bearer ${key}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'Bearer',
        'Bearer ',
        `bearer ${preferredKey}`,
        `Bearer  ${preferredKey}`,
        `Token ${preferredKey}`,
        `Basic ${Buffer.from(`${preferredKey}:x`).toString('base64')}`,
        'Bearer aaaa.bbbb.cccc',
        `Bearer ${preferredKey}x`,
        `Bearer ${preferredKey.slice(0, -1)}`,
      ),
    },
    { weight: 1, arbitrary: headerGarbage(64).map((junk) => `Bearer ${junk}`) },
    { weight: 1, arbitrary: headerGarbage(64) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 4_000, max: 6_000 }).map((length) => `Bearer ${'k'.repeat(length)}`),
    },
    {
      weight: 1,
      arbitrary: fc.constant<HeaderValue>([`Bearer ${preferredKey}`, 'Bearer another-key-0000000000']),
    },
  );
}

/** Content types: JSON mostly, with odd charsets and parameters, other types, junk, none, repeated. */
export const contentTypeHeader: fc.Arbitrary<HeaderValue> = fc.oneof(
  { weight: 10, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/json; charset=nonsense',
      'application/json; charset="',
      'application/json;;;',
      'application/merge-patch+json',
      'application/problem+json',
      'text/plain',
      'text/json',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      '*/*',
      '/',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: headerGarbage(40) },
  { weight: 1, arbitrary: fc.constant<HeaderValue>(['application/json', 'text/plain']) },
);

/** Accept: none (most clients), JSON, wildcards, types without JSON, q=0, junk. */
export const acceptHeader: fc.Arbitrary<HeaderValue> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'application/json',
      '*/*',
      'application/*',
      'application/json, text/plain;q=0.5',
      'text/html',
      'application/json;q=0',
      'text/html, application/xml;q=0.9',
      'application/problem+json',
      ';;;,,q=x',
      '',
    ),
  },
  { weight: 1, arbitrary: headerGarbage(40) },
);

/** Idempotency keys: none, a few that repeat (replays and conflicts), valid, too long, not ASCII, empty. */
export const idempotencyKeyHeader: fc.Arbitrary<HeaderValue> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 5 }).map((n) => `fuzz-key-${n}`) },
  { weight: 2, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,255}$/) },
  { weight: 1, arbitrary: fc.integer({ min: 256, max: 400 }).map((length) => 'k'.repeat(length)) },
  { weight: 1, arbitrary: headerGarbage(40) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'has space') },
  { weight: 1, arbitrary: fc.constant<HeaderValue>(['fuzz-key-1', 'fuzz-key-2']) },
);

/** The headers of one request, keyed by lower-case name; undefined leaves a header out. */
export function headersFor(
  preferredKey: string,
  otherKeys: string[],
  { idempotency = false }: { idempotency?: boolean } = {},
): fc.Arbitrary<HeaderPlan> {
  // What a well-behaved client sends, so that many requests get through to the operation itself.
  const clean: fc.Arbitrary<HeaderPlan> = fc.record({
    authorization: fc.constant(`Bearer ${preferredKey}`),
    'x-correlator': fc.oneof(
      fc.constant(undefined),
      fc.stringMatching(/^[a-zA-Z0-9\-_:;./<>{}]{1,64}$/),
      fc.uuid(),
    ),
    'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-8'),
    accept: fc.constantFrom(undefined, 'application/json', '*/*'),
    'idempotency-key': idempotency
      ? fc.oneof(
          { weight: 3, arbitrary: fc.constant(undefined) },
          { weight: 2, arbitrary: fc.integer({ min: 0, max: 5 }).map((n) => `fuzz-key-${n}`) },
          { weight: 1, arbitrary: fc.uuid() },
        )
      : fc.constant(undefined),
  });
  const hostile: fc.Arbitrary<HeaderPlan> = fc.record({
    authorization: authorizationHeader(preferredKey, otherKeys),
    'x-correlator': correlatorHeader,
    'content-type': contentTypeHeader,
    accept: acceptHeader,
    'idempotency-key': idempotencyKeyHeader,
  });
  const names = ['authorization', 'x-correlator', 'content-type', 'accept', 'idempotency-key'];
  return fc.oneof(
    { weight: 7, arbitrary: clean },
    // One header abused at a time: a failure then points at that header.
    {
      weight: 4,
      arbitrary: fc
        .tuple(clean, hostile, fc.constantFrom(...names))
        .map(([base, abuse, name]) => ({ ...base, [name]: abuse[name] })),
    },
    { weight: 1, arbitrary: hostile },
  );
}

/** Mostly a valid value, sometimes a hostile one: a record of these reaches deep into an operation. */
export const mostly = <T, U>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<U>): fc.Arbitrary<T | U> =>
  fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: hostile });

/**
 * Node's HTTP server refuses a request line and headers over 16 KB with its own 431, before the gateway
 * sees it: a path parameter is kept under 4 KB encoded, so the request reaches the API.
 */
const PATH_PARAMETER_MAX_BYTES = 4_000;

function encodePathParameter(value: string): string {
  // A placeholder of the run (a session's or an endpoint's id) is replaced, not sent.
  if (/^<<(session|endpoint):/.test(value)) return value;
  // encodeURIComponent refuses lone surrogates; a client library sends U+FFFD for them.
  // Code points, not UTF-16 units: cutting between two halves of a pair would make a lone surrogate.
  let characters = Array.from(value.toWellFormed());
  let encoded = encodeURIComponent(characters.join(''));
  while (encoded.length > PATH_PARAMETER_MAX_BYTES) {
    characters = characters.slice(0, Math.floor(characters.length / 2));
    encoded = encodeURIComponent(characters.join(''));
  }
  return encoded === '' ? 'x' : encoded;
}

/**
 * A path parameter, percent-encoded as a client library would: a session id of the run (for `{id}`),
 * a valid value, unicode, a long value, dot segments, an encoded slash.
 */
export function pathParameter(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .oneof(
      { weight: 6, arbitrary: valid },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }) },
      { weight: 1, arbitrary: fc.integer({ min: 100, max: 2_000 }).map((length) => 'p'.repeat(length)) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('.', '..', 'a/b', ' ', '%', '+', 'null', 'undefined', '__proto__'),
      },
    )
    .map(encodePathParameter);
}

/** Percent-encoding no decoder accepts: a lone `%`, bad hex, cut-off or invalid UTF-8 sequences. */
export const malformedPercentEncoding: fc.Arbitrary<string> = fc
  .tuple(
    fc.stringMatching(/^[a-z0-9]{0,8}$/),
    fc.constantFrom('%', '%z', '%zz', '%4', '%E0%A4%A', '%C3', '%FF', '%ED%A0%80', '%C0%AF', '%%'),
    fc.stringMatching(/^[a-z0-9]{0,8}$/),
  )
  .map(([before, bad, after]) => `${before}${bad}${after}`);
