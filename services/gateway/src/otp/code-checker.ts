import type { EventPublisher } from '@otpflow/amqp';
import type { Principal } from '../auth/principal.js';
import type { FraudGuard } from '@otpflow/fraud';
import type { CodeHasher } from './code.js';
import type { CodeAddresses } from './keys.js';
import { standingOf } from './number-rules.js';
import type { CancelResult, CheckResult, CodeRef, SessionStore, StoredCode } from './session-store.js';
import { endedReason, eventOf, rejectionOf } from './verification-events.js';

/**
 * Checks codes and ends verifications. A check takes one attempt from the code's budget before its
 * outcome counts (the store makes that atomic, whatever the interleaving), and ends the code through
 * the store, which lets exactly one caller end it: one validation wins, and a cancel and a validation
 * racing cannot both succeed. Every outcome emits its event here, once.
 */
export class CodeChecker {
  constructor(
    private readonly store: SessionStore,
    private readonly addresses: CodeAddresses,
    private readonly hasher: CodeHasher,
    private readonly events: Pick<EventPublisher, 'emit'>,
    private readonly fraud: Pick<FraudGuard, 'verified'>,
  ) {}

  /** Where an authenticationId leads for this client; undefined for one it was never given. */
  resolve(principal: Principal, authenticationId: string): CodeRef | undefined {
    return this.addresses.resolve(authenticationId, principal.clientId);
  }

  async check(principal: Principal, authenticationId: string, code: string): Promise<CheckResult> {
    const ref = this.resolve(principal, authenticationId);
    if (!ref) return { kind: 'not_found' };
    const presented = this.hasher.hash(ref.authenticationId, code, ref.caseless);
    const result = await this.store.check(ref, presented, new Date());
    if (result.kind === 'not_found') return result;
    const subject = {
      authenticationId: ref.authenticationId,
      clientId: principal.clientId,
      code: result.code,
    };
    const event = {
      verified: () => eventOf('code.verified', subject),
      wrong: () => rejectionOf(subject, 'invalid_otp'),
      exhausted: () => rejectionOf(subject, 'max_attempts_exceeded'),
      ended: () => rejectionOf(subject, endedReason(result.code)),
    }[result.kind];
    this.events.emit(event());
    if (result.kind === 'verified')
      this.fraud.verified({
        clientId: principal.clientId,
        e164: ref.e164,
        countryCallingCode: result.code.entry.countryCallingCode,
        sentAt: result.code.entry.requestedAt,
        ...(result.code.entry.network
          ? { network: { subnet: result.code.entry.network, sentAt: result.code.entry.createdAt } }
          : {}),
      });
    return result;
  }

  /** The code an id leads to, as it truly stands. */
  async current(principal: Principal, authenticationId: string): Promise<StoredCode | undefined> {
    const ref = this.resolve(principal, authenticationId);
    if (!ref) return undefined;
    const now = new Date();
    const code = await this.store.read(ref, now);
    // Past its tombstone a code is gone, whether or not its entry has been removed yet.
    return code && standingOf(code, now) !== 'gone' ? code : undefined;
  }

  /** Ends a pending verification as canceled. */
  async cancel(principal: Principal, authenticationId: string): Promise<CancelResult> {
    const ref = this.resolve(principal, authenticationId);
    if (!ref) return { kind: 'not_found' };
    const result = await this.store.cancel(ref, new Date());
    if (result.kind === 'canceled')
      this.events.emit(
        eventOf('code.canceled', {
          authenticationId: ref.authenticationId,
          clientId: principal.clientId,
          code: result.code,
        }),
      );
    return result;
  }
}
