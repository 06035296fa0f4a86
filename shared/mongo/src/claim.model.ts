import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKeyError, typedCollection } from './connection.js';

/**
 * A claim is a document whose only job is to exist once. Inserting a unique `_id` is atomic on every
 * MongoDB-compatible store (unlike conditional updates on FerretDB), so "exactly one wins" decisions
 * (one comparison per attempt slot, one successful validation, one provider send per job) are made by
 * whoever inserts the claim first.
 */
export interface ClaimDocument {
  _id: string;
  createdAt: Date;
  purgeAt: Date;
  /** For claims that are leases on work: until when the claimant owns it. */
  leaseUntil?: Date;
  /** For leases: the work is finished (whatever its outcome). */
  done?: boolean;
  /** For claims that end something: how it ended. */
  status?: string;
}

const claimSchema = new Schema<ClaimDocument>(
  {
    _id: { type: String, required: true },
    createdAt: { type: Date, required: true },
    purgeAt: { type: Date, required: true },
    leaseUntil: Date,
    done: Boolean,
    status: String,
  },
  { collection: 'claims', versionKey: false },
);

export type ClaimModel = Model<ClaimDocument>;

export function claimModel(connection: Connection): ClaimModel {
  return (
    (connection.models.Claim as ClaimModel | undefined) ??
    connection.model<ClaimDocument>('Claim', claimSchema)
  );
}

/** Inserts the claim; true when this caller got it, false when it already existed. */
export async function tryClaim(
  model: ClaimModel,
  key: string,
  purgeAt: Date,
  extra: Pick<ClaimDocument, 'leaseUntil' | 'status'> = {},
): Promise<boolean> {
  try {
    await typedCollection(model).insertOne({ _id: key, createdAt: new Date(), purgeAt, ...extra });
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}
