import type { Channel } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import { subnetOf } from '@otpflow/fraud';
import type { Principal } from '../auth/principal.js';
import type { ClientPolicy } from '../policies/client-policy.js';
import { newCodeEntry, resendAllowedAt } from './code-entries.js';
import { deliverCode, type DeliveryDependencies, type IssuedCode } from './code-delivery.js';
import { isCaseless } from './code.js';
import type { CodeAddresses } from './keys.js';
import { canonicalPhoneNumber } from './phone-number.js';
import { messageSourceOf, type MessageRenderer } from './message-renderer.js';
import { refusalAnswer } from './refusals.js';
import type { SendRules, SessionStore, StoredCode } from './session-store.js';
import type { SendRequest } from './send-request.js';

export type { IssuedCode } from './code-delivery.js';

export interface IssuerDependencies extends DeliveryDependencies {
  store: SessionStore;
  addresses: CodeAddresses;
  renderer: MessageRenderer;
  tombstoneSeconds: number;
  /** Codes per number per window, every tenant together (NUMBER_MAX_SENDS); absent: no such cap. */
  numberCap?: { max: number; windowSeconds: number };
}

/**
 * Issues codes, first ones and resends: each finds its words and its place and says how it is stored
 * (a first code as a new entry, a resend over the pending one, each under its send rules); the rest of
 * the way is the one delivery pipeline (code-delivery.ts).
 */
export class CodeIssuer {
  constructor(private readonly deps: IssuerDependencies) {}

  async send(principal: Principal, policy: ClientPolicy, request: SendRequest): Promise<IssuedCode> {
    const { deps } = this;
    const ref = deps.addresses.fresh(request.phone.e164, principal.clientId, isCaseless(request.alphabet));
    const words = await deps.renderer.words(principal.clientId, policy, request.message);
    const address = request.recipientIp ?? request.forwardedFor;
    return deliverCode(deps, {
      principal,
      policy,
      phone: request.phone,
      channel: request.channel,
      ...(request.workflow ? { workflow: request.workflow } : {}),
      words,
      codeLength: request.codeLength,
      alphabet: request.alphabet,
      field: request.message.kind === 'template' ? 'template' : 'message',
      correlator: request.correlator,
      address,
      api: request.api,
      ref,
      store: ({ hash, test, jobId, now, checked, charge }) => {
        const entry = newCodeEntry(request, policy, words.source, {
          hash,
          test,
          jobId,
          now,
          countryCallingCode: checked.countryCallingCode,
          charge,
          tombstoneSeconds: deps.tombstoneSeconds,
          network: address ? subnetOf(address) : undefined,
        });
        return deps.store.issue(
          ref,
          entry,
          this.rules(policy, request.api === 'native' || policy.sendCodeCooldown),
          now,
        );
      },
    });
  }

  /**
   * A new code for a pending verification, on the same or another channel, once the resend interval
   * has passed; it counts like a send. The old code stops working; the attempts already used stay used.
   */
  async resend(
    principal: Principal,
    policy: ClientPolicy,
    current: StoredCode,
    channel: Channel,
    correlator: string | undefined,
  ): Promise<IssuedCode> {
    const { deps } = this;
    const now = new Date();
    const { entry } = current;
    if (
      current.status !== 'pending' ||
      !current.live ||
      entry.expiresAt <= now ||
      current.attemptsLeft <= 0
    ) {
      throw new ApiError('CONFLICT', { message: 'The verification has ended: start a new one.' });
    }
    const allowedAt = resendAllowedAt(current);
    if (allowedAt > now) throw refusalAnswer({ reason: 'cooldown', retryAt: allowedAt }, now);
    const words = await deps.renderer.words(principal.clientId, policy, messageSourceOf(entry.content));
    return deliverCode(deps, {
      principal,
      policy,
      phone: canonicalPhoneNumber(current.ref.e164),
      channel,
      words,
      codeLength: entry.codeLength,
      alphabet: entry.alphabet,
      field: 'message',
      correlator,
      address: undefined,
      api: 'native',
      ref: current.ref,
      store: ({ hash, jobId, now: sentAt, charge }) => {
        const expiresAt = new Date(sentAt.getTime() + entry.validitySeconds * 1000);
        return deps.store.reissue(
          current,
          {
            hash,
            jobId,
            channel,
            requestedAt: sentAt,
            expiresAt,
            purgeAt: new Date(expiresAt.getTime() + deps.tombstoneSeconds * 1000),
            ...(charge ? { charge } : {}),
          },
          this.rules(policy, true),
          sentAt,
        );
      },
    });
  }

  private rules(policy: ClientPolicy, cooldown: boolean): SendRules {
    return {
      tenant: policy.sends,
      ...(this.deps.numberCap ? { msisdn: this.deps.numberCap } : {}),
      cooldown,
      nextCodeAfterSeconds: policy.resendIntervalSeconds,
    };
  }
}
