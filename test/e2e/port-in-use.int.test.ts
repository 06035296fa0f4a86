import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { createTestContext, waitFor, type TestContext } from '@otpflow/testing';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildService } from '../support/child-service.js';
import { sharedEnv } from '../support/stack.js';

/**
 * A service whose port is taken stops at start-up with one log line that names the port, and exit
 * code 1: no unhandled 'error' event, no stack trace (the one-command stack starts three services, and
 * the operator must see which port to change).
 */
describe('a service whose port is taken', () => {
  let context: TestContext;
  let blocker: Server;
  let port: number;

  beforeAll(async () => {
    context = createTestContext('portinuse');
    blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    port = (blocker.address() as { port: number }).port;
  });

  afterAll(async () => {
    blocker.close();
    await context.dispose();
  });

  it('scripts/stack.sh names the variable of a taken port and starts nothing', async () => {
    const script = fileURLToPath(new URL('../../scripts/stack.sh', import.meta.url));
    const run = promisify(execFile)(script, [], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DISPATCHER_PORT: String(port) },
      timeout: 10_000,
    });
    const failure = await run.then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(
      `DISPATCHER_PORT=${port} is taken: something already listens on port ${port} (set DISPATCHER_PORT to a free port)`,
    );
  });

  it('scripts/stack.sh refuses two services on one port (PORT is the gateway port)', async () => {
    const script = fileURLToPath(new URL('../../scripts/stack.sh', import.meta.url));
    const failure = await promisify(execFile)(script, [], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: '49151',
        METRICS_PORT: '49151',
      },
      timeout: 10_000,
    }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('METRICS_PORT=49151 is also the port of another service');
  });

  for (const service of ['gateway', 'dispatcher', 'metrics'] as const) {
    it(`${service} exits 1 with one line naming the port`, async () => {
      const child = new ChildService(service, {
        ...sharedEnv(context),
        LOG_LEVEL: 'info',
        PORT: String(port),
      }).start();
      const exitCode = await waitFor(() => child.exitCode, {
        timeoutMs: 20_000,
        what: `${service} to exit`,
      });
      const output = child.output.join('');
      expect(exitCode, output).toBe(1);
      expect(output).not.toMatch(/^\s+at /m);
      const fatal = output
        .split('\n')
        .filter((line) => line.includes('"level":60') || line.includes('"level":"fatal"'));
      expect(fatal, output).toHaveLength(1);
      expect(fatal[0]).toContain(`127.0.0.1:${port} is already in use`);
    });
  }
});
