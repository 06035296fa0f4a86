import { SchemaError } from '@otpflow/errors';
import { openJson, sealJson, type JobKey } from './job-crypto.js';
import {
  SEND_JOB_SCHEMA,
  sealedSendPayloadSchema,
  sendJobSchema,
  type SealedSendPayload,
  type SendJob,
} from './send-job.js';

export type SendJobFields = Omit<SendJob, 'schema' | 'sealed'>;

const associatedData = (job: Pick<SendJob, 'jobId' | 'authenticationId' | 'expiresAt'>) =>
  `${SEND_JOB_SCHEMA}|${job.jobId}|${job.authenticationId}|${job.expiresAt}`;

/** Builds the wire form of a send job, sealing the secret part. */
export function encodeSendJob(
  fields: SendJobFields,
  secret: SealedSendPayload,
  keys: readonly JobKey[],
): Buffer {
  const job: SendJob = {
    schema: SEND_JOB_SCHEMA,
    ...fields,
    sealed: sealJson(sealedSendPayloadSchema.parse(secret), keys, associatedData(fields)),
  };
  return Buffer.from(JSON.stringify(job));
}

/** Parses the envelope only (no decryption): enough to route, dead-letter or report a job. */
export function parseSendJob(body: Buffer): SendJob {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw new SchemaError('send job is not JSON', {}, cause);
  }
  const parsed = sendJobSchema.safeParse(raw);
  if (!parsed.success) {
    throw new SchemaError('send job does not match its schema', {
      issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    });
  }
  return parsed.data;
}

/** Decrypts and validates the secret part of a parsed job. */
export function openSendJob(job: SendJob, keys: readonly JobKey[]): SealedSendPayload {
  const parsed = sealedSendPayloadSchema.safeParse(openJson(job.sealed, keys, associatedData(job)));
  if (!parsed.success) throw new SchemaError('sealed payload does not match its schema');
  return parsed.data;
}
