import { pathSegment, type RequestOptions, type Transport } from '../core/transport.js';
import type { Channel, CodeAlphabet, WorkflowStep } from './shared.js';

/**
 * A client's policy: the defaults a verification gets when the request says nothing (a CAMARA request
 * never does), and the bounds a native request must stay within.
 */
export interface ClientPolicy {
  code: { length: number; alphabet: readonly CodeAlphabet[] };
  codeLength: { min: number; max: number };
  validitySeconds: { default: number; min: number; max: number };
  maxAttempts: { default: number; min: number; max: number };
  /** Codes per phone number per window, for this client. */
  sends: { max: number; windowSeconds: number };
  resendIntervalSeconds: number;
  channels: readonly Channel[];
  /** Country calling codes the client may send to (`"34"`, `"1"`); empty: wherever the deployment serves. */
  countries: readonly string[];
  /**
   * Line types (libphonenumber's: `MOBILE`, `FIXED_LINE`, `VOIP`, `PREMIUM_RATE`…) the client may reach
   * by SMS and by voice. Premium-rate, shared-cost, UAN and pager lines, and VoIP and personal numbers by
   * voice, are refused unless listed here.
   */
  smsNumberTypes: readonly string[];
  voiceNumberTypes: readonly string[];
  /** International networks (`+870`, `+881`, `+882`, `+883`, or a prefix within one) the client may reach. */
  internationalNetworks: readonly string[];
  senderId?: string;
  /** Sender ids a request may ask for; the default sender id is always allowed. */
  senderIds: readonly string[];
  defaultTemplate?: { id: string; locale: string };
  defaultLocale: string;
  /** The channel workflow of verifications that name none (CAMARA send-code always does). */
  workflow?: readonly WorkflowStep[];
}

/** What an operator stores: any subset of a policy, each field replaced whole. */
export type StoredPolicy = Partial<ClientPolicy>;

export interface PolicyResponse {
  clientId: string;
  /** The policy in force: the stored fields over the deployment's defaults. */
  policy: ClientPolicy;
  stored: StoredPolicy;
}

/**
 * /v1/admin/policies/{clientId}: any client's policy, platform administration (scope `otpflow:admin`,
 * which grants nothing else). Every call is safe to repeat, so all are retried on transient failures.
 */
export class Policies {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** GET: the effective policy and what is stored. */
  retrieve(clientId: string, options?: RequestOptions): Promise<PolicyResponse> {
    return this.#transport.request({ method: 'GET', path: policyPath(clientId), idempotent: true, options });
  }

  /** PUT: replaces the stored policy, checked as a whole. Gateways apply it within their policy cache time. */
  update(clientId: string, policy: StoredPolicy, options?: RequestOptions): Promise<PolicyResponse> {
    return this.#transport.request({
      method: 'PUT',
      path: policyPath(clientId),
      body: policy,
      idempotent: true,
      options,
    });
  }

  /** DELETE: the client returns to the deployment's defaults. */
  async delete(clientId: string, options?: RequestOptions): Promise<void> {
    await this.#transport.request<undefined>({
      method: 'DELETE',
      path: policyPath(clientId),
      idempotent: true,
      options,
    });
  }
}

function policyPath(clientId: string): string {
  return `/v1/admin/policies/${pathSegment(clientId, 'clientId')}`;
}

/**
 * /v1/policy: the calling client's own policy, read-only (scope `otpflow:templates`, a tenant's own
 * administration). Changing it is platform administration: `client.admin.policies`.
 */
export class OwnPolicy {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** GET: the policy in force for the calling client, and what is stored for it. */
  retrieve(options?: RequestOptions): Promise<PolicyResponse> {
    return this.#transport.request({ method: 'GET', path: '/v1/policy', idempotent: true, options });
  }
}
