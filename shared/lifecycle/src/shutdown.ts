import type { Logger } from '@otpflow/telemetry';

export interface ShutdownStep {
  name: string;
  run(): Promise<void> | void;
  /** How long this step may take before shutdown moves on. */
  timeoutMs?: number;
}

export interface Shutdown {
  /** Runs the steps in order, once; later calls return the same promise. */
  (reason: string): Promise<void>;
  readonly started: boolean;
}

const DEFAULT_STEP_TIMEOUT_MS = 10_000;

function withTimeout(promise: Promise<void>, ms: number, name: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`shutdown step "${name}" timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/**
 * The one shutdown of a service: not ready -> stop intake -> drain -> close connections -> flush
 * telemetry, in the order given. Idempotent, and a failing or hanging step does not stop the others.
 */
export function createShutdown(logger: Logger, steps: readonly ShutdownStep[]): Shutdown {
  let running: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    running ??= (async () => {
      logger.info({ reason }, 'shutting down');
      for (const step of steps) {
        try {
          await withTimeout(
            Promise.resolve(step.run()),
            step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
            step.name,
          );
        } catch (error) {
          logger.error({ err: error, step: step.name }, 'shutdown step failed');
        }
      }
      logger.info('shutdown complete');
    })();
    return running;
  };
  return Object.defineProperty(shutdown, 'started', { get: () => running !== undefined }) as Shutdown;
}

/** Wires SIGTERM and SIGINT to the shutdown, then exits. A second signal exits at once. */
export function exitOnSignals(shutdown: Shutdown, logger: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (shutdown.started) {
      logger.warn({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    void shutdown(signal).then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * Runs a service's config loader; a bad environment prints every problem and exits 1, without a stack
 * trace in the operator's face.
 */
export function loadConfigOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof Error && error.name === 'ConfigError') {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
