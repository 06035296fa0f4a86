import { SchemaError } from '@otpflow/errors';

/**
 * Why a send job cannot be opened, as the dead-letter queue records it. Closed: each is a fact about
 * the message, never retried, since a message that cannot be read now will not be readable later.
 * - `malformed`: not JSON, or not the send job schema;
 * - `unsupported_version`: a send job of a wire version this dispatcher does not read;
 * - `unknown_key`: sealed with a key id none of JOB_ENCRYPTION_KEYS has (a key retired too early);
 * - `tampered`: the sealed payload, an envelope field bound to it, or a signed attempt header does not
 *   authenticate: the message was changed after it was sealed (or sealed with other key material).
 */
export const JOB_REJECTIONS = ['malformed', 'unsupported_version', 'unknown_key', 'tampered'] as const;
export type JobRejection = (typeof JOB_REJECTIONS)[number];

export class JobRejectedError extends SchemaError {
  constructor(
    readonly rejection: JobRejection,
    message: string,
    context: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(message, { ...context, rejection }, cause);
  }
}
