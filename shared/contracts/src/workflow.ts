import { z } from 'zod';
import { channelSchema } from './channel.js';

/**
 * A verification's channel workflow: ordered steps, each a channel and how long to wait for the code
 * to be verified before the next step runs. The next step also runs at once when a step fails for good
 * (every provider refused it, or its delivery receipt says undelivered). A step without a timeout is
 * followed only on failure. Every step sends the same code (see docs/delivery.md, "Channel workflows").
 */
export const MAX_WORKFLOW_STEPS = 4;
export const MIN_STEP_TIMEOUT_SECONDS = 15;
export const MAX_STEP_TIMEOUT_SECONDS = 900;

export const workflowStepSchema = z.object({
  channel: channelSchema,
  timeoutSeconds: z.number().int().min(MIN_STEP_TIMEOUT_SECONDS).max(MAX_STEP_TIMEOUT_SECONDS).optional(),
});
export type WorkflowStep = z.infer<typeof workflowStepSchema>;

export const workflowSchema = z.array(workflowStepSchema).min(1).max(MAX_WORKFLOW_STEPS);
export type Workflow = z.infer<typeof workflowSchema>;

/**
 * How long a workflow waits, at most, before its last step runs: the timeouts of the steps before it.
 * A code must stay valid longer than that, or its last step could never be used.
 */
export function secondsBeforeLastStep(workflow: Workflow): number {
  return workflow.slice(0, -1).reduce((seconds, step) => seconds + (step.timeoutSeconds ?? 0), 0);
}
