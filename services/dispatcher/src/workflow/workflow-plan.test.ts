import { describe, expect, it } from 'vitest';
import { sendJob } from '../../test/fakes/jobs.js';
import { firstAttemptOf, stepOf, timerAfter, workflowOf } from './workflow-plan.js';

const now = new Date('2026-01-01T00:00:00Z');
const workflow = [
  { channel: 'sms' as const, timeoutSeconds: 20 },
  { channel: 'voice' as const, timeoutSeconds: 60 },
  { channel: 'sms' as const },
];

describe('workflow steps', () => {
  it("takes the job's own workflow over the deployment default", () => {
    expect(workflowOf(sendJob({ workflow }), true)).toBe(workflow);
  });

  it('makes SMS_FALLBACK_TO_VOICE the default [sms, voice] only for SMS jobs that may call', () => {
    expect(workflowOf(sendJob(), true)).toEqual([{ channel: 'sms' }, { channel: 'voice' }]);
    expect(workflowOf(sendJob({ allowedChannels: ['sms'] }), true)).toEqual([{ channel: 'sms' }]);
    expect(workflowOf(sendJob({ channel: 'voice' }), true)).toEqual([{ channel: 'voice' }]);
    expect(workflowOf(sendJob(), false)).toEqual([{ channel: 'sms' }]);
  });

  it('reads the step from the signed attempt, with what follows it', () => {
    const job = sendJob({ workflow });
    expect(stepOf(job, { attempt: 1, run: 'first' }, false)).toEqual({
      index: 0,
      channel: 'sms',
      timeoutSeconds: 20,
      next: { index: 1, channel: 'voice' },
    });
    expect(stepOf(job, { attempt: 3, run: 'first', step: 2 }, false)).toEqual({ index: 2, channel: 'sms' });
    expect(stepOf(job, { attempt: 1, run: 'first', step: 3 }, false)).toBeUndefined();
  });

  it('times a step out in the smallest step tier that holds its timeout, never a shorter one', () => {
    const job = sendJob({ workflow, now });
    const first = stepOf(job, { attempt: 1, run: 'first' }, false);
    const second = stepOf(job, { attempt: 1, run: 'first', step: 1 }, false);
    const expiresAt = new Date(now.getTime() + 600_000);
    expect(first && timerAfter(first, now, expiresAt)).toEqual({ step: 1, tierMs: 30_000, delayMs: 20_000 });
    expect(second && timerAfter(second, now, expiresAt)).toEqual({
      step: 2,
      tierMs: 60_000,
      delayMs: 60_000,
    });
  });

  it('starts no timer for the last step, a step without timeout, or one that would fire after expiry', () => {
    const expiresAt = new Date(now.getTime() + 600_000);
    expect(timerAfter({ index: 2, channel: 'sms' }, now, expiresAt)).toBeUndefined();
    expect(
      timerAfter({ index: 0, channel: 'sms', next: { index: 1, channel: 'voice' } }, now, expiresAt),
    ).toBeUndefined();
    const late = {
      index: 0,
      channel: 'sms' as const,
      timeoutSeconds: 600,
      next: { index: 1, channel: 'voice' as const },
    };
    expect(timerAfter(late, now, expiresAt)).toBeUndefined();
  });

  it('starts a next step at its first attempt, in the current run', () => {
    expect(firstAttemptOf(2, { attempt: 4, run: 'replay-ab', step: 1 })).toEqual({
      attempt: 1,
      run: 'replay-ab',
      step: 2,
    });
  });
});
