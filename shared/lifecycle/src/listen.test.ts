import type { Logger } from '@otpflow/telemetry';
import { describe, expect, it, vi } from 'vitest';
import { ListenError, startOrExit } from './listen.js';

function recordingLogger() {
  const fatal = vi.fn();
  return { logger: { fatal } as unknown as Logger, fatal };
}

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
const exit = (code: number): never => {
  throw new Exited(code);
};

describe('startOrExit', () => {
  it('returns what the start-up returns', async () => {
    const { logger } = recordingLogger();
    await expect(startOrExit(() => Promise.resolve('started'), logger, exit)).resolves.toBe('started');
  });

  it('ends a start-up whose port is taken with one fatal line naming it, and exit code 1', async () => {
    const { logger, fatal } = recordingLogger();
    const busy = new ListenError(8081, '0.0.0.0', 'EADDRINUSE', new Error('listen EADDRINUSE'));
    await expect(startOrExit(() => Promise.reject(busy), logger, exit)).rejects.toEqual(new Exited(1));
    expect(fatal).toHaveBeenCalledTimes(1);
    expect(fatal).toHaveBeenCalledWith(
      { port: 8081, host: '0.0.0.0', code: 'EADDRINUSE' },
      '0.0.0.0:8081 is already in use: set PORT (and HOST) to a free port',
    );
  });

  it('lets any other start-up failure through', async () => {
    const { logger, fatal } = recordingLogger();
    const failure = new Error('database refused');
    await expect(startOrExit(() => Promise.reject(failure), logger, exit)).rejects.toBe(failure);
    expect(fatal).not.toHaveBeenCalled();
  });
});
