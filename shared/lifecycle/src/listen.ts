import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '@otpflow/errors';
import type { Logger } from '@otpflow/telemetry';

const REASONS: Record<string, string> = {
  EADDRINUSE: 'is already in use',
  EACCES: 'needs privileges this process does not have',
  EADDRNOTAVAIL: 'is not an address of this machine',
};

/** The HTTP listener could not open its port: a start-up failure, never retried. */
export class ListenError extends AppError {
  override readonly name = 'ListenError';

  constructor(
    readonly port: number,
    readonly host: string,
    readonly systemCode: string,
    cause: unknown,
  ) {
    const reason = REASONS[systemCode] ?? `cannot be opened (${systemCode})`;
    super('LISTEN_FAILED', `${host}:${port} ${reason}: set PORT (and HOST) to a free port`, {
      context: { port, host, systemCode },
      cause,
    });
  }
}

/**
 * Opens the server's port. Resolves with the port bound (PORT=0 picks a free one); rejects with a
 * ListenError instead of the unhandled 'error' event (and its stack trace) a busy port would raise.
 */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(new ListenError(port, host, error.code ?? 'UNKNOWN', error));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Runs a service's start-up; a port it cannot open ends the process with one log line and exit code 1
 * (the operator's problem is the port, not the code). Any other failure propagates unchanged.
 */
export async function startOrExit<T>(
  start: () => Promise<T>,
  logger: Logger,
  exit: (code: number) => never = (code) => process.exit(code),
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if (!(error instanceof ListenError)) throw error;
    logger.fatal({ port: error.port, host: error.host, code: error.systemCode }, error.message);
    return exit(1);
  }
}
