import { randomUUID } from 'node:crypto';
import type { Channel, Workflow } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import type { CodeAlphabet, CodeEntry } from '@otpflow/mongo';
import type { Principal } from '../auth/principal.js';
import { fraudAnswer } from '../fraud/fraud-answer.js';
import type { FraudGuard, SendFacts } from '@otpflow/fraud';
import type { ClientPolicy } from '../policies/client-policy.js';
import { dispatchCode, type DispatchDependencies } from './code-dispatch.js';
import { alphabetOf, generateCode, type CodeHasher } from './code.js';
import type { Limits } from './limits.js';
import type { MessageRenderer, MessageWords } from './message-renderer.js';
import type { CheckedPhoneNumber, PhonePolicy } from './phone-policy.js';
import type { PhoneNumber } from './phone-number.js';
import { checkRecipient, type CheckedRecipient } from './recipient.js';
import { refusalAnswer } from './refusals.js';
import type { CodeRef, Issued, IssueResult, StoredCode } from './session-store.js';
import type { SendRequest } from './send-request.js';
import type { TestNumbers } from './test-numbers.js';
import { callsByVoice } from './workflow-request.js';

export interface DeliveryDependencies extends DispatchDependencies {
  phonePolicy: PhonePolicy;
  hasher: CodeHasher;
  limits: Pick<Limits, 'takeQuota'>;
  testNumbers: TestNumbers;
  renderer: Pick<MessageRenderer, 'render'>;
  /** Every send passes it, after the number policy and before anything is spent or stored. */
  fraud: FraudGuard;
}

/** A code that went out: its place, its state, and the words it said. */
export interface IssuedCode {
  ref: CodeRef;
  code: StoredCode;
}

/** What differs between a first code and a resend; the rest of the way is one pipeline. */
export interface Delivery {
  principal: Principal;
  policy: ClientPolicy;
  phone: PhoneNumber;
  channel: Channel;
  /** A first code's channel workflow (a resend is one step on its channel). */
  workflow?: Workflow;
  words: MessageWords;
  codeLength: number;
  alphabet: CodeAlphabet;
  /** The field a message that is too long is blamed on. */
  field: string;
  correlator: string | undefined;
  /** The end user's address, for the fraud guard. */
  address: string | undefined;
  api: SendRequest['api'];
  ref: CodeRef;
  /** Stores the code (as one write), given its hash and the text's charge. */
  store(code: CodeFacts): Promise<IssueResult | { kind: 'conflict' }>;
}

/** What the pipeline learnt about a code before it is stored (never the code itself). */
export interface CodeFacts {
  hash: string;
  test: boolean;
  jobId: string;
  now: Date;
  checked: CheckedPhoneNumber;
  charge: CodeEntry['charge'];
}

/**
 * The one pipeline of a code: check the recipient, pass the fraud guard, generate the code, render the
 * text as it will be sent (its length and SMS parts checked on it), take the client's quota, store the
 * code in one write (caps, lockout, cooldown and supersede decided there; the quota given back if it
 * is refused), then dispatch its send job. A send stopped after the guard allowed it is withdrawn from
 * the guard's counts.
 */
export async function deliverCode(deps: DeliveryDependencies, delivery: Delivery): Promise<IssuedCode> {
  const { principal, policy, phone, channel } = delivery;
  const testCode = deps.testNumbers.codeFor(phone.e164);
  const testNumber = testCode !== undefined;
  const checked = checkRecipient(deps.phonePolicy, policy, phone, channel, testNumber);
  const { lineType } = phone;
  const send: SendFacts = {
    clientId: principal.clientId,
    e164: checked.e164,
    countryCallingCode: checked.countryCallingCode,
    lineType,
    address: delivery.address,
    testNumber,
    tenant: policy.fraud,
    channel,
  };
  const decision = deps.fraud.assess(send);
  if (decision.action !== 'allow') throw fraudAnswer(decision, delivery.api);
  try {
    return await issueAllowed(deps, delivery, { checked, testCode, lineType });
  } catch (error) {
    // Allowed, then stopped (a cap, the quota, a conflict, a failure): the guard must not count it.
    deps.fraud.withdrawn(send);
    throw error;
  }
}

/** Whether a later step of the workflow calls the number with the message's words. */
function callsLater(
  channel: Channel,
  workflow: Workflow | undefined,
  deliverable: readonly Channel[],
): boolean {
  return channel !== 'voice' && callsByVoice(channel, workflow) && deliverable.includes('voice');
}

/** What follows the guard's allow: the code, its text, the quota, the one write, the send job. */
async function issueAllowed(
  deps: DeliveryDependencies,
  delivery: Delivery,
  {
    checked,
    testCode,
    lineType,
  }: { checked: CheckedRecipient; testCode: string | undefined; lineType: string | undefined },
): Promise<IssuedCode> {
  const { principal, policy, phone, channel } = delivery;
  const testNumber = testCode !== undefined;
  const code = testCode ?? generateCode(delivery.codeLength, alphabetOf(delivery.alphabet));
  const message = deps.renderer.render(delivery.words, code, channel, delivery.field, {
    // A call says the client's own words (a template's or the standard text are not: it reads its script).
    calledLater:
      delivery.words.source.message !== undefined &&
      callsLater(channel, delivery.workflow, checked.deliverableChannels),
  });
  const charge = message.charge
    ? { encoding: message.charge.encoding, parts: message.charge.parts }
    : undefined;

  const releaseQuota = await deps.limits.takeQuota(principal.clientId);
  let issued: Issued;
  try {
    const result = await delivery.store({
      hash: deps.hasher.hash(delivery.ref.authenticationId, code, delivery.ref.caseless),
      test: testNumber,
      jobId: randomUUID(),
      now: new Date(),
      checked,
      charge,
    });
    if (result.kind === 'conflict')
      throw new ApiError('CONFLICT', { message: 'The verification changed meanwhile: try again.' });
    if (result.kind === 'refused') throw refusalAnswer(result.refusal, new Date());
    issued = result.issued;
  } catch (error) {
    await releaseQuota();
    throw error;
  }

  await dispatchCode(deps, {
    clientId: principal.clientId,
    phone,
    issued,
    message,
    code,
    allowedChannels: checked.deliverableChannels,
    workflow: delivery.workflow,
    // What the dispatcher's guard judges a later workflow step on, as this one was judged.
    fraud: { ...(lineType ? { lineType } : {}), ...policy.fraud },
    correlator: delivery.correlator,
    releaseQuota,
  });
  return { ref: issued.code.ref, code: issued.code };
}
