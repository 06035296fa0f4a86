import {
  isCodeClaim,
  numberDocumentOf,
  type CodeEntry,
  type NumberDocument,
  type TenantPart,
} from '@otpflow/mongo';
import { canonicalPhoneNumber } from '../src/otp/phone-number.js';
import type { CodeRef } from '../src/otp/session-store.js';
import type { RunningGateway } from '../src/gateway.js';

/**
 * Test access to numbers' documents (docs/data-model.md): what a code's entry holds as the store's
 * truth has it, and the edits tests make to it (moving expiry or a cooldown back, removing a tombstone).
 */

/** A code's entry with the truth of its state (on FerretDB the claims decide status and attempts). */
export type CodeSnapshot = CodeEntry & { live: boolean; clientId: string };

function refOf(gateway: RunningGateway, authenticationId: string, clientId: string): CodeRef {
  const ref = gateway.addresses.resolve(authenticationId, clientId);
  if (!ref) throw new Error(`${authenticationId} is not an id this gateway issued`);
  return ref;
}

export async function storedCode(
  gateway: RunningGateway,
  authenticationId: string,
  clientId = 'client-a',
): Promise<CodeSnapshot | null> {
  const ref = gateway.addresses.resolve(authenticationId, clientId);
  const code = ref ? await gateway.store.read(ref, new Date()) : undefined;
  return code
    ? { ...code.entry, status: code.status, attemptsLeft: code.attemptsLeft, live: code.live, clientId }
    : null;
}

/** Sets fields of a code's entry, and of its tenant's part (`nextCodeAt`, `lockedUntil`). */
export async function editCode(
  gateway: RunningGateway,
  authenticationId: string,
  change: { entry?: Partial<CodeEntry>; tenant?: Partial<Pick<TenantPart, 'nextCodeAt' | 'lockedUntil'>> },
  clientId = 'client-a',
): Promise<void> {
  const ref = refOf(gateway, authenticationId, clientId);
  const set = {
    ...Object.fromEntries(
      Object.entries(change.entry ?? {}).map(([field, value]) => [
        `tenants.${ref.tenantKey}.codes.${ref.codeId}.${field}`,
        value,
      ]),
    ),
    ...Object.fromEntries(
      Object.entries(change.tenant ?? {}).map(([field, value]) => [
        `tenants.${ref.tenantKey}.${field}`,
        value,
      ]),
    ),
  };
  const { matchedCount } = await gateway.numbers.updateOne({ _id: ref.numberKey }, { $set: set });
  if (matchedCount !== 1) throw new Error(`no document for ${authenticationId}`);
}

/** Removes a code's entry, as housekeeping does once its tombstone has passed. */
export async function removeCode(
  gateway: RunningGateway,
  authenticationId: string,
  clientId = 'client-a',
): Promise<void> {
  const ref = refOf(gateway, authenticationId, clientId);
  await gateway.numbers.updateOne(
    { _id: ref.numberKey },
    { $unset: { [`tenants.${ref.tenantKey}.codes.${ref.codeId}`]: '' } },
  );
}

/** Every code entry stored for a number (any tenant), by its document key. */
export async function codesOfNumber(gateway: RunningGateway, phoneNumber: string): Promise<CodeEntry[]> {
  // What is not E.164 never reaches the store (the edge refuses it): no code can exist for it.
  if (!/^\+[1-9][0-9]{4,14}$/.test(phoneNumber)) return [];
  const numberKey = gateway.addresses.numberKey(canonicalPhoneNumber(phoneNumber).e164);
  const document = numberDocumentOf(await gateway.numbers.findOne({ _id: numberKey }));
  return Object.values(document?.tenants ?? {}).flatMap((tenant) => Object.values(tenant.codes ?? {}));
}

/** Every number document of the database (claims left out), for checks over the whole store. */
export async function numberDocuments(gateway: RunningGateway): Promise<NumberDocument[]> {
  const documents = await gateway.numbers.find({}).toArray();
  return documents.filter((document): document is NumberDocument => !isCodeClaim(document));
}
