import { voiceLanguageSchema, type Channel, type VoiceLanguage, type Workflow } from '@otpflow/contracts';
import { ApiError } from '@otpflow/errors';
import type { ClientPolicy } from '../policies/client-policy.js';

/**
 * A verification's channel workflow, checked against the client's policy: every step's channel must
 * be one the client may use (PERMISSION_DENIED), and every timeout must run out while the code is
 * still valid, or its next step could never be used (OUT_OF_RANGE). The steps' wire form and bounds
 * are the contract's (workflowSchema), validated at the edge.
 */
export function checkedWorkflow(policy: ClientPolicy, workflow: Workflow, validitySeconds: number): Workflow {
  for (const [index, step] of workflow.entries()) {
    if (!policy.channels.includes(step.channel)) {
      throw new ApiError('PERMISSION_DENIED', {
        message: `workflow.${index}.channel: this client may not send codes by ${step.channel}.`,
        details: { field: `workflow.${index}.channel` },
      });
    }
  }
  const waited = workflow.slice(0, -1).reduce((seconds, step) => seconds + (step.timeoutSeconds ?? 0), 0);
  if (waited >= validitySeconds) {
    throw new ApiError('OUT_OF_RANGE', {
      message: `workflow: the timeouts before the last step (${waited} s) must be shorter than the code's validity (${validitySeconds} s).`,
      details: { field: 'workflow' },
    });
  }
  return workflow;
}

/** Whether any step of the code's delivery calls the number. */
export function callsByVoice(channel: Channel, workflow: Workflow | undefined): boolean {
  return channel === 'voice' || (workflow ?? []).some((step) => step.channel === 'voice');
}

/**
 * The voice of a call that the request did not choose: the verification's language (its locale),
 * as the closest text-to-speech language (`es-ES` itself, `es` as es-ES, `pt` as pt-BR), else en-US.
 */
export function voiceLanguageFor(locale: string): VoiceLanguage {
  const exact = voiceLanguageSchema.safeParse(locale);
  if (exact.success) return exact.data;
  const language = locale.split('-')[0] ?? '';
  return voiceLanguageSchema.options.find((option) => option.startsWith(`${language}-`)) ?? 'en-US';
}
