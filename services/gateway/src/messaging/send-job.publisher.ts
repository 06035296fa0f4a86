import type { AmqpClient } from '@otpflow/amqp';
import {
  encodeSendJob,
  REQUESTED_EVENT_ROUTING_KEY,
  SEND_JOB_SCHEMA,
  type Channel,
  type JobKey,
  type SealedSendPayload,
  type SendJobFields,
  type Workflow,
} from '@otpflow/contracts';
import type { CodeEntry, CodeStateRef } from '@otpflow/mongo';
import { maskPhoneNumber } from '@otpflow/telemetry';
import { callsByVoice } from '../otp/workflow-request.js';

/** What a send job is made of: the code's identity, its entry, where it goes and what it says. */
export interface JobSubject {
  authenticationId: string;
  /** Where the code lives in `numbers`. */
  state: CodeStateRef;
  clientId: string;
  /** The canonical number. */
  e164: string;
  entry: CodeEntry;
  /** The message with the code in it. */
  text: string;
  /** The message with `{{code}}` still in it (a call with the client's own words spells the code in). */
  template: string;
  code: string;
  /** The channels the client's policy allows for this number: the dispatcher never falls back outside them. */
  allowedChannels: readonly Channel[];
  /** The channel workflow, starting on the entry's channel. */
  workflow?: Workflow;
  /** What the fraud guard judged the number and tenant on, for the dispatcher's guard of later steps. */
  fraud?: SealedSendPayload['fraud'];
}

/**
 * The workflow as the job carries it: the steps this number can be reached on (a number the policy
 * lets take SMS but not calls skips the call), or none when that leaves a single step.
 */
function deliverableWorkflow(
  workflow: Workflow | undefined,
  allowed: readonly Channel[],
): Pick<SendJobFields, 'workflow'> {
  const steps = (workflow ?? []).filter((step) => allowed.includes(step.channel));
  return steps.length > 1 ? { workflow: steps } : {};
}

const REQUESTED_BCC = [REQUESTED_EVENT_ROUTING_KEY];

/**
 * Publishes the one send job of a code and resolves only once RabbitMQ has confirmed it and routed it
 * to the send queue and, as its code's `code.requested` event, to the events exchange. The number,
 * text and code travel sealed (AES-256-GCM), and every other field of the job is bound to that seal.
 */
export class SendJobPublisher {
  constructor(
    private readonly amqp: Pick<AmqpClient, 'names' | 'publish'>,
    private readonly keys: readonly JobKey[],
  ) {}

  async publish(subject: JobSubject, correlator: string | undefined): Promise<void> {
    const { names } = this.amqp;
    const { entry } = subject;
    // The code's own channel is always among them (the policy allowed it to be asked for).
    const allowedChannels = [...new Set([entry.channel, ...subject.allowedChannels])];
    const workflow = deliverableWorkflow(subject.workflow, allowedChannels);
    const fields: SendJobFields = {
      jobId: entry.jobId,
      authenticationId: subject.authenticationId,
      clientId: subject.clientId,
      channel: entry.channel,
      countryCallingCode: entry.countryCallingCode,
      // When this code was asked for (a resend's time, not the verification's): queue lag starts here.
      createdAt: entry.requestedAt.toISOString(),
      expiresAt: entry.expiresAt.toISOString(),
      options: {
        ...(entry.senderId ? { senderId: entry.senderId } : {}),
        ...(entry.voice ? { voiceLanguage: entry.voice.language, voiceGender: entry.voice.gender } : {}),
        ...(entry.content.templateId ? { templateId: entry.content.templateId } : {}),
        ...(entry.content.locale ? { locale: entry.content.locale } : {}),
      },
      allowedChannels,
      test: entry.test,
      ...workflow,
      maskedTo: maskPhoneNumber(subject.e164),
    };
    const calls = callsByVoice(entry.channel, workflow.workflow);
    const secret = {
      to: subject.e164,
      text: subject.text,
      code: subject.code,
      variables: { ...entry.content.variables },
      // For vendors that take it (Octopush): never a template variable, which would print it or break
      // a template provider's `name:value` list.
      ...(entry.recipientIp ? { recipientIp: entry.recipientIp } : {}),
      // A call with the client's own words says them with the code spelled out (the dispatcher renders it).
      ...(calls && entry.content.message ? { voiceTemplate: subject.template } : {}),
      state: subject.state,
      // For the dispatcher's guard of later steps (a workflow's, or its SMS_FALLBACK_TO_VOICE call).
      ...(subject.fraud ? { fraud: subject.fraud } : {}),
    };
    await this.amqp.publish(
      names.jobsExchange,
      names.sendRoutingKey,
      encodeSendJob(fields, secret, this.keys),
      {
        messageId: fields.jobId,
        type: SEND_JOB_SCHEMA,
        // The requested event's key as a BCC: the job is also its code's `code.requested` on the events
        // exchange (event-message.ts), confirmed with it. BCC, not CC: the broker removes it before
        // delivery, so a job the dispatcher publishes again (a retry, a replay) announces nothing twice.
        headers: correlator ? { 'x-correlator': correlator, BCC: REQUESTED_BCC } : { BCC: REQUESTED_BCC },
      },
    );
  }
}
