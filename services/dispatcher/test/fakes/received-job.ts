import type { ReceivedJob } from '../../src/consume/job-source.js';

export type ReceivedCall = 'ack' | 'requeue' | 'reject' | 'retry' | 'deadLetter';

/** A received job message that records what the handler did with it; moves can be refused. */
export function recordingReceivedJob(
  options: { body?: Buffer; headers?: Record<string, unknown>; refuseMoves?: boolean } = {},
): { received: ReceivedJob; calls: ReceivedCall[] } {
  const calls: ReceivedCall[] = [];
  const move = (call: ReceivedCall) => {
    calls.push(call);
    return options.refuseMoves ? Promise.reject(new Error('not confirmed')) : Promise.resolve();
  };
  return {
    calls,
    received: {
      body: options.body ?? Buffer.from('{}'),
      headers: options.headers ?? {},
      ack: () => calls.push('ack'),
      requeue: () => calls.push('requeue'),
      reject: () => calls.push('reject'),
      retry: () => move('retry'),
      deadLetter: () => move('deadLetter'),
    },
  };
}
