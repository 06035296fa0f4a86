/**
 * docker-compose.yml as shipped, with test/images/compose.ci.yml for what this machine cannot have
 * (see that file): podman-compose (Docker Compose where a Docker engine answers) starts MongoDB and
 * RabbitMQ stand-ins, a webhook and the three images the compose file names (built by
 * scripts/build-images.sh), on the stack's own network, published on free host ports. Then the flow a
 * user tries first: send-code, the SMS at the webhook, validate-code. And each service's healthcheck
 * command from the compose file, run inside its container.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { waitFor } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pickEngine, ROOT, type ContainerEngine } from './support/container-engine.js';
import { freePort, waitReady } from './support/otp-flow.js';

const run = promisify(execFile);
const FILES = ['-f', 'docker-compose.yml', '-f', 'test/images/compose.ci.yml'];
const STARTED = ['mongodb', 'rabbitmq', 'webhook', 'gateway', 'dispatcher', 'metrics'];
const SERVICES = ['gateway', 'dispatcher', 'metrics'] as const;
/** The development key docker-compose.yml gives the gateway. */
const DEV_KEY = 'otpflow-dev-key-change-me';

interface ComposeFile {
  services: Record<string, { healthcheck?: { test: string[] } }>;
}

describe('docker-compose.yml, started by compose with the CI override', () => {
  let engine: ContainerEngine;
  let compose: string[];
  const project = `otpflowci${randomBytes(3).toString('hex')}`;
  const ports: Record<string, number> = {};
  let env: NodeJS.ProcessEnv;
  let failed = false;

  async function composeRun(args: string[], timeoutMs: number): Promise<string> {
    const [command, ...base] = compose as [string, ...string[]];
    const { stdout, stderr } = await run(command, [...base, '-p', project, ...FILES, ...args], {
      cwd: ROOT,
      env,
      timeout: timeoutMs,
      maxBuffer: 64 * 2 ** 20,
    });
    return stdout + stderr;
  }

  /** podman-compose names containers <project>_<service>_1, Docker Compose <project>-<service>-1. */
  function container(service: string): string {
    return engine.name === 'podman' ? `${project}_${service}_1` : `${project}-${service}-1`;
  }

  beforeAll(async () => {
    engine = await pickEngine();
    compose = engine.name === 'podman' ? ['podman-compose'] : ['docker', 'compose'];
    const { stdout } = await run('test/images/compose/stand-ins.sh', [], { cwd: ROOT, timeout: 280_000 });
    const nodeImage = stdout.trim().split('\n').pop() ?? '';
    for (const name of [
      'GATEWAY_PORT',
      'DISPATCHER_PORT',
      'METRICS_PORT',
      'RABBITMQ_MANAGEMENT_PORT',
      'CI_WEBHOOK_PORT',
    ])
      ports[name] = await freePort();
    env = {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      CI_NODE_IMAGE: nodeImage,
    };
    await composeRun(['up', '-d', '--no-deps', ...STARTED], 240_000);
  }, 300_000);

  afterAll(async () => {
    if (failed) {
      for (const service of STARTED)
        console.log(`--- ${service} logs ---\n${await engine.logs(container(service))}`);
    }
    await composeRun(['down', '-v'], 120_000).catch((error: unknown) => {
      console.log(`compose down failed: ${String(error)}`);
    });
    // podman-compose 1.0.3 leaves the project's network behind (Docker Compose removes it).
    if (engine.name === 'podman')
      await engine.exec(['network', 'rm', '--force', `${project}_default`]).catch(() => '');
  }, 150_000);

  it('every service answers /readyz on its published port', async () => {
    try {
      await Promise.all([
        waitReady(`http://127.0.0.1:${String(ports.GATEWAY_PORT)}`, 150_000, 'gateway /readyz'),
        waitReady(`http://127.0.0.1:${String(ports.DISPATCHER_PORT)}`, 150_000, 'dispatcher /readyz'),
        waitReady(`http://127.0.0.1:${String(ports.METRICS_PORT)}`, 150_000, 'metrics /readyz'),
      ]);
    } catch (error) {
      failed = true;
      throw error;
    }
  }, 180_000);

  it("each service's compose healthcheck passes inside its container", async () => {
    const file = parse(readFileSync(`${ROOT}/docker-compose.yml`, 'utf8')) as ComposeFile;
    for (const service of SERVICES) {
      const test = file.services[service]?.healthcheck?.test ?? [];
      expect(test[0], `${service} healthcheck form`).toBe('CMD');
      await engine.exec(['exec', container(service), ...test.slice(1)], 20_000);
    }
  }, 60_000);

  it('a send-code SMS reaches the webhook and its code validates', async () => {
    const gateway = `http://127.0.0.1:${String(ports.GATEWAY_PORT)}`;
    const headers = { authorization: `Bearer ${DEV_KEY}`, 'content-type': 'application/json' };
    try {
      const sent = await fetch(`${gateway}/one-time-password-sms/v1/send-code`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ phoneNumber: '+34612345679', message: '{{code}} is your code' }),
      });
      expect(sent.status, await sent.clone().text()).toBe(200);
      const { authenticationId } = (await sent.json()) as { authenticationId: string };
      const sms = await waitFor(
        async () => {
          const response = await fetch(`http://127.0.0.1:${String(ports.CI_WEBHOOK_PORT)}/messages`);
          const messages = (await response.json()) as { authenticationId: string; text: string }[];
          return messages.find((message) => message.authenticationId === authenticationId);
        },
        { timeoutMs: 30_000, intervalMs: 250, what: 'the SMS at the webhook container' },
      );
      const code = /\d{4,10}/.exec(sms.text)?.[0] ?? '';
      const validated = await fetch(`${gateway}/one-time-password-sms/v1/validate-code`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ authenticationId, code }),
      });
      expect(validated.status).toBe(204);
    } catch (error) {
      failed = true;
      throw error;
    }
  }, 60_000);
});
