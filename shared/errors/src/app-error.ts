/**
 * The one error base of otpflow. `code` is machine-readable and stable; `retryable` is what retry logic
 * looks at (never the message text); `context` carries safe diagnostic fields (never a code or a full
 * phone number).
 */
export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly code: string;
  readonly retryable: boolean;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
    message: string,
    options: { retryable?: boolean; context?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
  }
}

/** A wire message (job or event) that does not match its schema. Never retried: it goes to dead letters. */
export class SchemaError extends AppError {
  override readonly name = 'SchemaError';

  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super('SCHEMA_INVALID', message, { retryable: false, context, cause });
  }
}

/** A dependency (database, broker) is unreachable or timed out: the caller may try again later. */
export class DependencyUnavailableError extends AppError {
  override readonly name = 'DependencyUnavailableError';

  constructor(dependency: 'mongodb' | 'rabbitmq' | 'identity-provider', message: string, cause?: unknown) {
    super('DEPENDENCY_UNAVAILABLE', message, { retryable: true, context: { dependency }, cause });
  }
}
