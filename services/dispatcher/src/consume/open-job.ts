import { JobRejectedError, openSendJob, parseSendJob, readAttempt, type JobKey } from '@otpflow/contracts';
import type { OpenedJob, UnopenedJob } from './outcome.js';

/**
 * Opens a job message: parses the envelope, decrypts the sealed part (which authenticates every
 * envelope field) and checks the signed attempt headers. Anything that fails is an UnopenedJob with
 * its rejection; nothing of such a message is acted on.
 */
export function openJob(
  message: { body: Buffer; headers: Readonly<Record<string, unknown>> },
  keys: readonly JobKey[],
): OpenedJob | UnopenedJob {
  try {
    const job = parseSendJob(message.body);
    const payload = openSendJob(job, keys);
    return { job, payload, attempt: readAttempt(job.jobId, message.headers, keys) };
  } catch (error) {
    if (error instanceof JobRejectedError) return { rejection: error.rejection, error: error.message };
    throw error;
  }
}
