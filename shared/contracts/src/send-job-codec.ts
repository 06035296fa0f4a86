import { canonicalJson } from './canonical-json.js';
import { openJson, sealJson, type JobKey } from './job-crypto.js';
import { JobRejectedError } from './job-rejection.js';
import {
  envelopeConflicts,
  SEND_JOB_SCHEMA,
  sealedSendPayloadSchema,
  sendJobSchema,
  type SealedSendPayload,
  type SendJob,
  type SendJobEnvelope,
} from './send-job.js';

export type SendJobFields = Omit<SendJob, 'schema' | 'sealed'>;

/**
 * The associated data of a job's sealed part: every envelope field, in canonical form, so a changed
 * channel, sender, test flag, client, country, allowed channel or date makes the job fail to open. It
 * is computed from the parsed envelope on both sides (defaults applied, unknown fields dropped), so
 * what is authenticated is exactly what the dispatcher acts on.
 */
function associatedData(job: SendJobEnvelope | SendJob): string {
  const { sealed: _sealed, ...envelope } = { sealed: undefined, ...job };
  return canonicalJson(envelope);
}

/**
 * Builds the wire form of a send job, sealing the secret part over the whole envelope. Nothing here is
 * parsed again: the fields are typed, and every value in them comes from the gateway's own making or
 * from input its edge validated with the contract's own schemas (sender ids, workflows, voices,
 * template ids and locales, IP addresses). The job's edge is the dispatcher, which parses what it
 * receives (`parseSendJob`, `openSendJob`). Parsing the job here as well cost a send-code more than
 * sealing it (bench/findings.md). The conflicts the job schema refines on are checked, as a job that
 * contradicts itself is a gateway bug the dispatcher would only dead-letter. The wire form is the
 * associated data itself (the canonical envelope) with the seal added as its last member: serialised
 * once, read by any JSON parser as before.
 */
export function encodeSendJob(
  fields: SendJobFields,
  secret: SealedSendPayload,
  keys: readonly JobKey[],
): Buffer {
  const envelope: SendJobEnvelope = { schema: SEND_JOB_SCHEMA, ...fields };
  const conflicts = envelopeConflicts(envelope);
  if (conflicts.length > 0) {
    throw new Error(`the send job contradicts itself: ${conflicts.map(({ message }) => message).join('; ')}`);
  }
  const bound = associatedData(envelope);
  const sealed = sealJson(secret, keys, bound);
  return Buffer.from(`${bound.slice(0, -1)},"sealed":${JSON.stringify(sealed)}}`);
}

/**
 * Parses the envelope only (no decryption): enough to route, dead-letter or report a job. Its fields
 * are not authenticated until `openSendJob` succeeds.
 */
export function parseSendJob(body: Buffer): SendJob {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw new JobRejectedError('malformed', 'send job is not JSON', {}, cause);
  }
  const schema = (raw as { schema?: unknown } | null)?.schema;
  if (typeof schema === 'string' && schema !== SEND_JOB_SCHEMA && schema.startsWith('otpflow.send-job.')) {
    throw new JobRejectedError('unsupported_version', `send job version ${schema} is not read here`, {
      schema: schema.slice(0, 64),
    });
  }
  const parsed = sendJobSchema.safeParse(raw);
  if (!parsed.success) {
    throw new JobRejectedError('malformed', 'send job does not match its schema', {
      issues: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    });
  }
  return parsed.data;
}

/** Decrypts and validates the secret part of a parsed job, authenticating every envelope field. */
export function openSendJob(job: SendJob, keys: readonly JobKey[]): SealedSendPayload {
  const parsed = sealedSendPayloadSchema.safeParse(openJson(job.sealed, keys, associatedData(job)));
  if (!parsed.success) throw new JobRejectedError('malformed', 'sealed payload does not match its schema');
  return parsed.data;
}
