import type { Collection } from 'mongodb';
import { isCodeClaim, numberDocumentOf, type NumbersCollectionDocument } from './number.model.js';

/** Where a code lives in `numbers` (docs/data-model.md): what a send job carries, sealed, for readers. */
export interface CodeStateRef {
  numberKey: string;
  tenantKey: string;
  codeId: string;
}

/**
 * Whether a job's code can still be used, for readers other than the gateway (the dead-letter replay):
 * `live` when the code is its tenant's live code, pending (no ending claim either: on FerretDB the
 * claims are the truth), unexpired, with attempts left, and the job is its current one. One `find`
 * reads the document and the code's claims; only the code's state is read, never its hash.
 */
export async function codeStateOf(
  collection: Collection<NumbersCollectionDocument>,
  ref: CodeStateRef,
  jobId: string,
  now: Date,
): Promise<'live' | 'ended'> {
  const tenant = `tenants.${ref.tenantKey}`;
  const code = `${tenant}.codes.${ref.codeId}`;
  const prefix = `${ref.numberKey}~${ref.codeId}~`;
  const documents = await collection
    .find(
      { $or: [{ _id: ref.numberKey }, { _id: { $gt: prefix, $lt: `${prefix}\x7f` } }] },
      {
        projection: {
          [`${tenant}.live`]: 1,
          [`${code}.status`]: 1,
          [`${code}.expiresAt`]: 1,
          [`${code}.attemptsLeft`]: 1,
          [`${code}.maxAttempts`]: 1,
          [`${code}.jobId`]: 1,
          outcome: 1,
        },
      },
    )
    .toArray();
  const document = numberDocumentOf(documents.find((candidate) => candidate._id === ref.numberKey) ?? null);
  const part = document?.tenants?.[ref.tenantKey];
  const entry = part?.codes?.[ref.codeId];
  if (!part || !entry || part.live !== ref.codeId) return 'ended';
  const claims = documents.filter(isCodeClaim);
  const ended = claims.some((claim) => claim.outcome !== 'wrong');
  const compared = claims.filter((claim) => claim.outcome !== 'canceled').length;
  const live =
    !ended &&
    entry.status === 'pending' &&
    entry.expiresAt > now &&
    Math.min(entry.attemptsLeft, entry.maxAttempts - compared) > 0 &&
    entry.jobId === jobId;
  return live ? 'live' : 'ended';
}
