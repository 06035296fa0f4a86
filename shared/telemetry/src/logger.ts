import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { maskPhoneNumber, maskPhoneNumbersIn } from './mask.js';

export type { Logger } from 'pino';

/**
 * Defence in depth: our code never passes a code, a message text or a credential to the logger, but if
 * an object that holds one is ever logged whole, these paths are censored. (`code` alone is not in the
 * list: it names error codes everywhere; the OTP travels as `otp` or inside `payload`/`body`.)
 */
const REDACTED_PATHS = [
  'otp',
  '*.otp',
  'payload',
  '*.payload',
  'body',
  '*.body',
  'text',
  '*.text',
  'sealed',
  '*.sealed',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers.cookie',
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'token',
  '*.token',
];

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

export function createLogger(settings: LoggerSettings, destination?: pino.DestinationStream): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: settings.service, ...settings.base },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    formatters: { level: (label) => ({ level: label }) },
    mixin: traceFields,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      phoneNumber: maskIfPhone,
      to: maskIfPhone,
      err: (error: unknown) => {
        const serialized = pino.stdSerializers.err(error as Error);
        return {
          ...serialized,
          message: maskPhoneNumbersIn(serialized.message),
          stack: maskPhoneNumbersIn(serialized.stack),
        };
      },
    },
  };
  // Asynchronous writes to stdout: a request never waits on the log pipe (pino flushes on exit).
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
