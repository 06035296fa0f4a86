import { waitFor } from './wait-for.js';

interface ReadyzBody {
  checks?: Record<string, string>;
}

/**
 * Whether a service is ready and reaches every dependency. /readyz answers 200 as soon as the process
 * accepts traffic, whatever its dependencies say (docs/deployment.md, "Readiness"): its body reports
 * them. A test that sends a code must also wait for the broker connection, or its first send-code can
 * meet a gateway still connecting and get the 503 it is designed to answer.
 */
export async function servesWithDependencies(url: string): Promise<boolean> {
  const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(
    () => undefined,
  );
  if (response?.status !== 200) {
    await response?.arrayBuffer();
    return false;
  }
  const { checks = {} } = (await response.json()) as ReadyzBody;
  return Object.values(checks).every((state) => state === 'up');
}

/**
 * Waits until {@link servesWithDependencies}. `output` (a child process's log, say) is read when the
 * wait times out, and joins the error, so a service that never got there says why.
 */
export async function waitUntilServing(
  url: string,
  options: { timeoutMs: number; what: string; output?: () => string },
): Promise<void> {
  try {
    await waitFor(() => servesWithDependencies(url), {
      timeoutMs: options.timeoutMs,
      intervalMs: 100,
      what: options.what,
    });
  } catch (error) {
    if (!options.output) throw error;
    throw new Error(`${options.what}: ${options.output().slice(-2_000)}`, { cause: error });
  }
}
