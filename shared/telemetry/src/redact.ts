/**
 * Defence in depth: our code never passes a code, a message text or a credential to the logger, but if
 * an object that holds one is ever logged whole, these fields are censored, at the top level of a log
 * line or one level down (`{ job: { otp } }`), and credentials in a nested `headers`. (`code` alone is
 * not in the list: it names error codes everywhere; the OTP travels as `otp` or inside
 * `payload`/`body`.)
 *
 * This replaces pino's `redact` option with the same paths (`otp`, `*.otp`, ..., `*.headers.cookie`):
 * a wildcard-first path makes pino run a redactor (a selective clone and a JSON.stringify) on every
 * value of every line, 10 µs a line for the access log's six plain fields. Here a line with nothing to
 * censor is returned as it is after one pass over its keys; only a line that holds a censored field
 * is copied (the caller's object is never changed).
 */
export const CENSORED = '[redacted]';

const SENSITIVE_FIELDS: ReadonlySet<string> = new Set([
  'otp',
  'payload',
  'body',
  'text',
  'sealed',
  'authorization',
  'password',
  'apiKey',
  'secret',
  'token',
]);
const SENSITIVE_HEADERS: readonly string[] = ['authorization', 'cookie'];

type Fields = Record<string, unknown>;

/** pino's errorKey: the field its `err` serializer turns into `{type, message, stack, ...}`. */
export const ERROR_KEY = 'err';

/**
 * Objects whose fields are looked into: not arrays, buffers or dates. A copy of one keeps its own
 * enumerable fields, which is all JSON.stringify writes of it (an Error's message and stack are not
 * enumerable, so a copied Error logs as the original did).
 */
function isInspectable(value: unknown): value is Fields {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !ArrayBuffer.isView(value) &&
    !(value instanceof Date)
  );
}

function censorHeaders(headers: Fields): Fields {
  let copy: Fields | undefined;
  for (const name of SENSITIVE_HEADERS) {
    if (headers[name] === undefined) continue;
    copy ??= { ...headers };
    copy[name] = CENSORED;
  }
  return copy ?? headers;
}

/** One level down: a nested object with sensitive fields or credential headers, censored in a copy. */
export function redactNested(value: Fields): Fields {
  let copy: Fields | undefined;
  for (const key of Object.keys(value)) {
    const field = value[key];
    if (field === undefined) continue;
    let censored = field;
    if (SENSITIVE_FIELDS.has(key)) censored = CENSORED;
    else if (key === 'headers' && isInspectable(field)) censored = censorHeaders(field);
    if (censored === field) continue;
    copy ??= { ...value };
    copy[key] = censored;
  }
  return copy ?? value;
}

/**
 * A log line's fields (or a child logger's bindings), with every sensitive field censored. `err` is
 * left to its serializer, which needs the Error itself and censors what it makes of it.
 */
export function redactLogFields(fields: Fields): Fields {
  let copy: Fields | undefined;
  for (const key of Object.keys(fields)) {
    const field = fields[key];
    if (field === undefined || key === ERROR_KEY) continue;
    let censored = field;
    if (SENSITIVE_FIELDS.has(key)) censored = CENSORED;
    else if (isInspectable(field)) censored = redactNested(field);
    if (censored === field) continue;
    copy ??= { ...fields };
    copy[key] = censored;
  }
  return copy ?? fields;
}
