import type { IncomingMessage, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createOpsHandler, type ReadinessCheck } from './ops-endpoints.js';

interface Answer {
  status: number;
  body: string;
}

/** Calls the handler with a GET of `path` and returns what it wrote (no socket involved). */
async function get(handler: ReturnType<typeof createOpsHandler>, path: string): Promise<Answer> {
  const answer: Answer = { status: 0, body: '' };
  const response = {
    writeHead(status: number) {
      answer.status = status;
      return this;
    },
    end(body?: string) {
      answer.body = body ?? '';
      return this;
    },
  } as unknown as ServerResponse;
  const request = { method: 'GET', url: path } as unknown as IncomingMessage;
  const handled = await handler(request, response);
  expect(handled).toBe(true);
  return answer;
}

function opsWith(checks: Record<string, ReadinessCheck>, accepting = { value: true }) {
  const registry = new Registry();
  const handler = createOpsHandler({
    registry,
    checks,
    isAccepting: () => accepting.value,
    checkTimeoutMs: 50,
  });
  return { handler, accepting };
}

const up: ReadinessCheck = () => Promise.resolve(true);
const down: ReadinessCheck = () => Promise.resolve(false);
const hangs: ReadinessCheck = () => new Promise(() => undefined);
const throws: ReadinessCheck = () => Promise.reject(new Error('connection refused'));

describe('/readyz', () => {
  it('stays ready while a shared dependency is down, and says which one', async () => {
    const { handler } = opsWith({ mongodb: up, rabbitmq: down });
    const answer = await get(handler, '/readyz');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      status: 'ready',
      accepting: true,
      checks: { mongodb: 'up', rabbitmq: 'down' },
    });
  });

  it('reports a check that hangs or throws as down, within its timeout', async () => {
    const { handler } = opsWith({ mongodb: hangs, rabbitmq: throws });
    const started = performance.now();
    const answer = await get(handler, '/readyz');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(JSON.parse(answer.body)).toMatchObject({ checks: { mongodb: 'down', rabbitmq: 'down' } });
    expect(answer.status).toBe(200);
  });

  it('turns unready once shutdown begins', async () => {
    const { handler, accepting } = opsWith({ mongodb: up });
    accepting.value = false;
    const answer = await get(handler, '/readyz');
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'not ready', accepting: false });
  });
});

describe('otpflow_dependency_up', () => {
  it('is 1 for a dependency that answers and 0 for one that does not, at every scrape', async () => {
    const state = { rabbitmq: true };
    const { handler } = opsWith({ mongodb: hangs, rabbitmq: () => Promise.resolve(state.rabbitmq) });
    const gauge = async () =>
      (await get(handler, '/metrics')).body
        .split('\n')
        .filter((line) => line.startsWith('otpflow_dependency_up{'));
    expect(await gauge()).toEqual([
      'otpflow_dependency_up{dependency="mongodb"} 0',
      'otpflow_dependency_up{dependency="rabbitmq"} 1',
    ]);
    state.rabbitmq = false;
    expect(await gauge()).toContain('otpflow_dependency_up{dependency="rabbitmq"} 0');
  });
});
