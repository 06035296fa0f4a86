import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { maskPhoneNumber, maskPhoneNumbersIn } from './mask.js';
import { redactLogFields, redactNested } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerSettings {
  service: string;
  level: string;
  /** Extra fields on every line (version, instance). */
  base?: Record<string, unknown>;
}

/** Adds the active trace and span ids to every line, so a log line leads to its trace. */
function traceFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  const spanContext = span?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}

const maskIfPhone = (value: unknown) => (typeof value === 'string' ? maskPhoneNumber(value) : value);

/** pino's error serializer, with phone numbers masked in the text and sensitive fields censored. */
function serializeError(error: unknown): unknown {
  const serialized: unknown = pino.stdSerializers.err(error as Error);
  if (typeof serialized !== 'object' || serialized === null) return serialized;
  const fields = serialized as Record<string, unknown>;
  const mask = (text: unknown) => (typeof text === 'string' ? maskPhoneNumbersIn(text) : text);
  return redactNested({ ...fields, message: mask(fields.message), stack: mask(fields.stack) });
}

export function createLogger(settings: LoggerSettings, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: settings.service, ...settings.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    // Censoring happens here rather than with pino's `redact` (see redact.ts for why).
    formatters: { level: (label) => ({ level: label }), log: redactLogFields, bindings: redactLogFields },
    mixin: traceFields,
    serializers: { phoneNumber: maskIfPhone, to: maskIfPhone, err: serializeError },
  };
  const stdout = destination ? undefined : bufferedStdout();
  if (stdout) options.hooks = { logMethod: flushUrgentLines(stdout) };
  return censorChildBindings(pino(options, destination ?? stdout));
}

/**
 * Lines are gathered up to LOG_BUFFER_BYTES and written to stdout asynchronously, at the latest
 * LOG_FLUSH_INTERVAL_MS after they were logged. A request never waits on the log pipe, and the access
 * log costs one write for a dozen requests instead of one each: every asynchronous write is a trip
 * through libuv's thread pool and back, two thread wake-ups, which on the benchmark machine cost more
 * than formatting the line (bench/http-layer.mjs). pino flushes what is buffered when the process
 * exits; a process killed with SIGKILL loses at most the last interval's lines.
 */
const LOG_BUFFER_BYTES = 4096;
const LOG_FLUSH_INTERVAL_MS = 500;
/** warn and above are written at once: they are read when something goes wrong. */
const URGENT_LEVEL = 40;

function bufferedStdout() {
  return pino.destination({
    dest: 1,
    sync: false,
    minLength: LOG_BUFFER_BYTES,
    periodicFlush: LOG_FLUSH_INTERVAL_MS,
  });
}

function flushUrgentLines(stdout: { flush(): void }): NonNullable<LoggerOptions['hooks']>['logMethod'] {
  return function (this: Logger, args, method, level) {
    method.apply(this, args);
    if (level >= URGENT_LEVEL) stdout.flush();
  };
}

type ChildOf = (this: unknown, bindings: pino.Bindings, options?: pino.ChildLoggerOptions) => Logger;

/**
 * pino applies `formatters.bindings` to the base fields only, not to a child's bindings, so children
 * are made through a `child` that censors them first. A child is `Object.create(parent)`: it, and its
 * own children, inherit this method from the root.
 */
function censorChildBindings(logger: Logger): Logger {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with each child's own `this`
  const child = logger.child as unknown as ChildOf;
  const censored: ChildOf = function (bindings, childOptions) {
    return child.call(this, redactLogFields(bindings), childOptions);
  };
  logger.child = censored as unknown as Logger['child'];
  return logger;
}
