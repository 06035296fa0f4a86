import { randomUUID } from 'node:crypto';
import type { CodeEntry } from '@otpflow/mongo';
import { describe, expect, it } from 'vitest';
import { CodeHasher, DIGITS_ONLY } from '../src/otp/code.js';
import { CodeAddresses } from '../src/otp/keys.js';
import type { CodeRef, SendRules, SessionStore, StoredCode } from '../src/otp/session-store.js';

const SECRET = 'session-store-contract-secret-0123456789';
/** The lockout every store under contract is made with. */
export const LOCKOUT_SECONDS = 600;
const RULES: SendRules = {
  tenant: { max: 3, windowSeconds: 900 },
  msisdn: { max: 4, windowSeconds: 900 },
  cooldown: false,
  nextCodeAfterSeconds: 30,
};

/** What one run of the contract needs: a store (with a lockout of LOCKOUT_SECONDS) and its cleanup. */
export interface ContractStore {
  store: SessionStore;
  close(): Promise<void>;
}

export interface ContractOptions {
  /**
   * Whether concurrent checks can run against it (asked when the test runs, once the store is known):
   * false for conditional updates on FerretDB, whose updates are not isolated.
   */
  concurrent: () => boolean;
}

let sequence = 0;
/** A distinct valid number for every call. */
function freshNumber(): string {
  sequence += 1;
  return `+3461${String(sequence % 1000).padStart(3, '0')}${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
}

/**
 * The SessionStore contract: the same behaviour from every implementation (in memory, MongoDB with
 * conditional updates, MongoDB or FerretDB with claims), as the provider contract suite does for
 * providers. `make` opens a fresh store for the suite.
 */
export function sessionStoreContract(
  name: string,
  make: () => Promise<ContractStore>,
  options: ContractOptions,
) {
  describe(`SessionStore contract: ${name}`, () => {
    const addresses = new CodeAddresses(SECRET);
    const hasher = new CodeHasher(SECRET);

    const entryFor = (
      ref: CodeRef,
      code: string,
      now: Date,
      overrides: Partial<CodeEntry> = {},
    ): CodeEntry => ({
      hash: hasher.hash(ref.authenticationId, code),
      status: 'pending',
      maxAttempts: 3,
      attemptsLeft: 3,
      createdAt: now,
      requestedAt: now,
      expiresAt: new Date(now.getTime() + 300_000),
      validitySeconds: 300,
      purgeAt: new Date(now.getTime() + 300_000 + 86_400_000),
      channel: 'sms',
      countryCallingCode: '34',
      jobId: randomUUID(),
      sends: 1,
      test: false,
      codeLength: 6,
      alphabet: DIGITS_ONLY,
      content: {},
      resendIntervalSeconds: 30,
      ...overrides,
    });

    async function issued(
      store: SessionStore,
      phone: string,
      clientId = 'acme',
      rules = RULES,
      overrides: Partial<CodeEntry> = {},
    ): Promise<{ ref: CodeRef; code: string }> {
      const ref = addresses.fresh(phone, clientId);
      const now = new Date();
      const result = await store.issue(ref, entryFor(ref, '123456', now, overrides), rules, now);
      if (result.kind !== 'issued') throw new Error(`refused: ${JSON.stringify(result)}`);
      return { ref, code: '123456' };
    }
    const check = (store: SessionStore, ref: CodeRef, code: string) =>
      store.check(ref, hasher.hash(ref.authenticationId, code, ref.caseless), new Date());
    const withStore = (test: (store: SessionStore) => Promise<void>) => async () => {
      const opened = await make();
      try {
        await test(opened.store);
      } finally {
        await opened.close();
      }
    };

    it(
      'verifies the right code once, and answers ended after',
      withStore(async (store) => {
        const { ref, code } = await issued(store, freshNumber());
        expect((await check(store, ref, code)).kind).toBe('verified');
        expect((await check(store, ref, code)).kind).toBe('ended');
        expect((await store.read(ref, new Date()))?.status).toBe('verified');
      }),
    );

    it(
      'takes an attempt per wrong code, spends the last one once, then refuses even the right code',
      withStore(async (store) => {
        const { ref, code } = await issued(store, freshNumber());
        const kinds = [];
        for (let index = 0; index < 3; index += 1) {
          const result = await check(store, ref, '000000');
          kinds.push(result.kind === 'exhausted' ? `exhausted:${String(result.spentNow)}` : result.kind);
        }
        expect(kinds).toEqual(['wrong', 'wrong', 'exhausted:true']);
        const after = await check(store, ref, code);
        expect(after).toMatchObject({ kind: 'exhausted', spentNow: false });
        expect((await store.read(ref, new Date()))?.attemptsLeft).toBe(0);
      }),
    );

    it(
      'locks the number out for the tenant after the last attempt, not for another tenant',
      withStore(async (store) => {
        const phone = freshNumber();
        const { ref } = await issued(store, phone);
        for (let index = 0; index < 3; index += 1) await check(store, ref, '000000');
        const again = addresses.fresh(phone, 'acme');
        const now = new Date();
        const refused = await store.issue(again, entryFor(again, '1', now), RULES, now);
        expect(refused.kind).toBe('refused');
        if (refused.kind === 'refused') {
          expect(refused.refusal.reason).toBe('locked');
          expect(refused.refusal.retryAt.getTime() - now.getTime()).toBeGreaterThan(
            (LOCKOUT_SECONDS - 5) * 1000,
          );
        }
        await issued(store, phone, 'globex');
      }),
    );

    it(
      'supersedes the tenant’s previous code, never another tenant’s',
      withStore(async (store) => {
        const phone = freshNumber();
        const first = await issued(store, phone);
        const other = await issued(store, phone, 'globex');
        const second = await issued(store, phone);
        expect((await check(store, first.ref, first.code)).kind).toBe('ended');
        expect((await store.read(first.ref, new Date()))?.live).toBe(false);
        expect((await check(store, other.ref, other.code)).kind).toBe('verified');
        expect((await check(store, second.ref, second.code)).kind).toBe('verified');
      }),
    );

    it(
      'counts codes per number against the tenant’s cap and the number’s, with the window’s end to retry at',
      withStore(async (store) => {
        const phone = freshNumber();
        for (let index = 0; index < 3; index += 1) await issued(store, phone);
        const ref = addresses.fresh(phone, 'acme');
        const now = new Date();
        const tenantCap = await store.issue(ref, entryFor(ref, '1', now), RULES, now);
        expect(tenantCap).toMatchObject({ kind: 'refused', refusal: { reason: 'tenant_cap' } });
        if (tenantCap.kind === 'refused')
          expect(tenantCap.refusal.retryAt.getTime()).toBeGreaterThan(now.getTime());
        // Another tenant has its own cap, but the number's (4) counts every tenant.
        await issued(store, phone, 'globex');
        const numberCap = addresses.fresh(phone, 'initech');
        expect(await store.issue(numberCap, entryFor(numberCap, '1', now), RULES, now)).toMatchObject({
          kind: 'refused',
          refusal: { reason: 'msisdn_cap' },
        });
        // Another number is not affected.
        await issued(store, freshNumber());
      }),
    );

    it(
      'holds a new code to the cooldown only when the rules say so',
      withStore(async (store) => {
        const phone = freshNumber();
        await issued(store, phone);
        await issued(store, phone);
        const ref = addresses.fresh(phone, 'acme');
        const now = new Date();
        expect(
          await store.issue(ref, entryFor(ref, '1', now), { ...RULES, cooldown: true }, now),
        ).toMatchObject({
          kind: 'refused',
          refusal: { reason: 'cooldown' },
        });
      }),
    );

    it(
      'never gives back attempts used while a resend was on its way (it writes no attempts)',
      withStore(async (store) => {
        const { ref } = await issued(store, freshNumber(), 'acme', { ...RULES, nextCodeAfterSeconds: 0 });
        const readByResend = (await store.read(ref, new Date())) as StoredCode;
        expect((await check(store, ref, '000000')).kind).toBe('wrong');
        const now = new Date();
        const resent = await store.reissue(
          readByResend,
          {
            hash: hasher.hash(ref.authenticationId, '654321'),
            jobId: randomUUID(),
            channel: 'voice',
            requestedAt: now,
            expiresAt: new Date(now.getTime() + 300_000),
            purgeAt: new Date(now.getTime() + 400_000),
          },
          { ...RULES, cooldown: true },
          now,
        );
        expect(resent.kind).toBe('issued');
        const after = await store.read(ref, new Date());
        expect(after?.attemptsLeft).toBe(2);
        expect(after?.entry).toMatchObject({ channel: 'voice', sends: 2 });
        expect((await check(store, ref, '123456')).kind).toBe('wrong');
        expect((await check(store, ref, '654321')).kind).toBe('verified');
      }),
    );

    it(
      'withdraws a code whose job could not be sent: the previous code is live again and the counts given back',
      withStore(async (store) => {
        const phone = freshNumber();
        const first = await issued(store, phone);
        const ref = addresses.fresh(phone, 'acme');
        const now = new Date();
        const result = await store.issue(ref, entryFor(ref, '222222', now), RULES, now);
        if (result.kind !== 'issued') throw new Error('refused');
        await store.withdraw(result.issued);
        expect(await store.read(ref, new Date())).toBeUndefined();
        expect((await check(store, first.ref, first.code)).kind).toBe('verified');
        // Two codes counted (of 3): one more is admitted, then the cap.
        await issued(store, phone);
        await issued(store, phone);
        const capped = addresses.fresh(phone, 'acme');
        expect((await store.issue(capped, entryFor(capped, '1', now), RULES, now)).kind).toBe('refused');
      }),
    );

    it(
      'cancels a pending code once; a canceled code never verifies, a verified one cannot be canceled',
      withStore(async (store) => {
        const { ref, code } = await issued(store, freshNumber());
        expect((await store.cancel(ref, new Date())).kind).toBe('canceled');
        expect(await store.cancel(ref, new Date())).toMatchObject({
          kind: 'ended',
          code: { status: 'canceled' },
        });
        expect((await check(store, ref, code)).kind).toBe('ended');
        const other = await issued(store, freshNumber());
        expect((await check(store, other.ref, other.code)).kind).toBe('verified');
        expect(await store.cancel(other.ref, new Date())).toMatchObject({
          kind: 'ended',
          code: { status: 'verified' },
        });
      }),
    );

    it(
      'answers ended once a code has expired, and not found past its tombstone or for another tenant',
      withStore(async (store) => {
        const now = Date.now();
        const expired = await issued(store, freshNumber(), 'acme', RULES, {
          expiresAt: new Date(now - 1000),
          purgeAt: new Date(now + 60_000),
        });
        expect((await check(store, expired.ref, expired.code)).kind).toBe('ended');
        const gone = await issued(store, freshNumber(), 'acme', RULES, {
          expiresAt: new Date(now - 2000),
          purgeAt: new Date(now - 1000),
        });
        expect((await check(store, gone.ref, gone.code)).kind).toBe('not_found');
        const live = await issued(store, freshNumber());
        const stranger = addresses.resolve(live.ref.authenticationId, 'globex');
        expect(stranger && (await check(store, stranger, live.code)).kind).toBe('not_found');
      }),
    );

    it('compares at most maxAttempts codes and verifies once, whatever arrives at once', async (context) => {
      if (!options.concurrent()) {
        context.skip();
        return;
      }
      await withStore(async (store) => {
        const wrong = await issued(store, freshNumber());
        const wrongs = await Promise.all(Array.from({ length: 30 }, () => check(store, wrong.ref, '000000')));
        expect(wrongs.filter((result) => result.kind === 'wrong')).toHaveLength(2);
        expect(wrongs.filter((result) => result.kind === 'exhausted' && result.spentNow)).toHaveLength(1);
        const right = await issued(store, freshNumber());
        const rights = await Promise.all(
          Array.from({ length: 30 }, () => check(store, right.ref, right.code)),
        );
        expect(rights.filter((result) => result.kind === 'verified')).toHaveLength(1);
        const raced = await issued(store, freshNumber());
        const mixed = await Promise.all([
          ...Array.from({ length: 10 }, () => check(store, raced.ref, raced.code)),
          store.cancel(raced.ref, new Date()),
        ]);
        const winners = mixed.filter((result) => result.kind === 'verified' || result.kind === 'canceled');
        expect(winners).toHaveLength(1);
      })();
    });
  });
}
