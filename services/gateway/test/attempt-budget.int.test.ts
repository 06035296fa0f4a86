import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseAttemptGuard } from '../src/otp/store/choose-attempt-guard.js';
import type { GuardContext } from '../src/otp/store/attempt-guard.js';
import { ClaimsGuard } from '../src/otp/store/claims.guard.js';
import { ConditionalUpdateGuard } from '../src/otp/store/conditional-update.guard.js';
import { startHarness, uniqueMobile, type GatewayHarness } from './gateway-harness.js';

const VALIDATE = '/one-time-password-sms/v1/validate-code';
const PARALLEL = 60;

/**
 * The attempt budget under concurrency, through HTTP, with the strategy the gateway picks for the
 * store it runs on (conditional updates on MongoDB, claims on FerretDB).
 */
describe('attempt budget under concurrent validations', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('budget', { MONGODB_MAX_POOL_SIZE: '20' });
  });
  afterAll(async () => {
    await harness.stop();
  });

  async function freshSession(): Promise<{ authenticationId: string; code: string; wrong: string }> {
    const authenticationId = await harness.sendCode(uniqueMobile());
    const { payload } = await harness.takeJob(authenticationId);
    return { authenticationId, code: payload.code, wrong: payload.code === '999999' ? '888888' : '999999' };
  }

  async function fire(authenticationId: string, codes: string[]): Promise<string[]> {
    const answers = await Promise.all(
      codes.map((code) => harness.post(VALIDATE, { authenticationId, code })),
    );
    return answers.map((answer) => (answer.status === 204 ? '204' : (answer.body as { code: string }).code));
  }

  const count = (outcomes: string[], outcome: string) => outcomes.filter((item) => item === outcome).length;

  /** The code as the guard sees it (on FerretDB the claims, not the entry's fields, are the truth). */
  async function current(authenticationId: string) {
    const code = await harness.session(authenticationId);
    if (!code) throw new Error(`no code ${authenticationId}`);
    return code;
  }

  it('compares exactly MAX_ATTEMPTS wrong codes however many arrive at once', async () => {
    const { authenticationId, wrong } = await freshSession();
    const outcomes = await fire(authenticationId, Array<string>(PARALLEL).fill(wrong));
    expect(count(outcomes, 'ONE_TIME_PASSWORD_SMS.INVALID_OTP')).toBe(2);
    expect(count(outcomes, 'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED')).toBe(PARALLEL - 2);
    expect((await current(authenticationId)).attemptsLeft).toBe(0);
  });

  it('validates a code at most once when many correct validations race', async () => {
    const { authenticationId, code } = await freshSession();
    const outcomes = await fire(authenticationId, Array<string>(PARALLEL).fill(code));
    expect(count(outcomes, '204')).toBe(1);
    expect(
      outcomes.every((outcome) =>
        [
          '204',
          'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED',
          'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED',
        ].includes(outcome),
      ),
    ).toBe(true);
  });

  it('never grants more than the budget to a mix of wrong and right guesses', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { authenticationId, code, wrong } = await freshSession();
      const guesses = Array.from({ length: PARALLEL }, (_, index) => (index % 5 === 0 ? code : wrong));
      const outcomes = await fire(authenticationId, guesses);
      // A comparison happened for every 204 and INVALID_OTP (and for the wrong guess that used the last
      // attempt): never more than three in all, and never more than one success.
      expect(count(outcomes, '204')).toBeLessThanOrEqual(1);
      expect(
        count(outcomes, '204') + count(outcomes, 'ONE_TIME_PASSWORD_SMS.INVALID_OTP'),
      ).toBeLessThanOrEqual(3);
      expect((await current(authenticationId)).attemptsLeft).toBeGreaterThanOrEqual(0);
    }
  });

  it('uses conditional updates only where the store applies them atomically', () => {
    const { capabilities, numbers } = harness.gateway;
    const context: GuardContext = { collection: numbers, capabilities, lockoutSeconds: 0 };
    expect(harness.gateway.guard.strategy).toBe(
      capabilities.atomicConditionalUpdates ? 'conditional-update' : 'claims',
    );
    if (capabilities.atomicConditionalUpdates) {
      expect(chooseAttemptGuard('conditional-update', capabilities, context)).toBeInstanceOf(
        ConditionalUpdateGuard,
      );
    } else {
      expect(() => chooseAttemptGuard('conditional-update', capabilities, context)).toThrow(/unsafe/);
    }
  });
});

/**
 * Both strategies give the same answers to one validation at a time, on any store; this is what keeps
 * the MongoDB strategy honest on machines whose store is FerretDB.
 */
describe.each(['conditional-update', 'claims'] as const)(
  'the %s strategy, one validation at a time',
  (strategy) => {
    let harness: GatewayHarness;
    beforeAll(async () => {
      harness = await startHarness(
        `seq-${strategy}`,
        {},
        {
          attemptGuard: (context) =>
            strategy === 'conditional-update'
              ? new ConditionalUpdateGuard(context)
              : new ClaimsGuard(context),
        },
      );
    });
    afterAll(async () => {
      await harness.stop();
    });

    it('answers INVALID_OTP, INVALID_OTP, VERIFICATION_FAILED, then FAILED for the right code', async () => {
      expect(harness.gateway.guard.strategy).toBe(strategy);
      const authenticationId = await harness.sendCode(uniqueMobile());
      const { payload } = await harness.takeJob(authenticationId);
      const wrong = payload.code === '123123' ? '321321' : '123123';
      const codes = [];
      for (const code of [wrong, wrong, wrong, payload.code]) {
        const answer = await harness.post(VALIDATE, { authenticationId, code });
        codes.push((answer.body as { code: string }).code);
      }
      expect(codes).toEqual([
        'ONE_TIME_PASSWORD_SMS.INVALID_OTP',
        'ONE_TIME_PASSWORD_SMS.INVALID_OTP',
        'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED',
        'ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED',
      ]);
    });

    it('accepts the right code after a wrong one, once', async () => {
      const authenticationId = await harness.sendCode(uniqueMobile());
      const { payload } = await harness.takeJob(authenticationId);
      const wrong = payload.code === '123123' ? '321321' : '123123';
      expect((await harness.post(VALIDATE, { authenticationId, code: wrong })).status).toBe(400);
      expect((await harness.post(VALIDATE, { authenticationId, code: payload.code })).status).toBe(204);
      expect((await harness.post(VALIDATE, { authenticationId, code: payload.code })).body).toMatchObject({
        code: 'ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED',
      });
    });
  },
);
