import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import type { Logger } from '@otpflow/telemetry';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { httpMetrics } from './http-metrics.js';

/** A response as the middleware sees it: its status, its locals, and the `close` it waits for. */
function answered(status: number, locals: Express.Locals): Response {
  return Object.assign(new EventEmitter(), { statusCode: status, locals }) as unknown as Response;
}

describe('the HTTP metrics and access log', () => {
  it('observes each answered request once, by route template, method, status and error code', async () => {
    const registry = new Registry();
    const lines: Record<string, unknown>[] = [];
    const logger = { info: (fields: Record<string, unknown>) => lines.push(fields) } as unknown as Logger;
    const track = httpMetrics(registry, logger);
    const request = Object.assign(new EventEmitter(), { method: 'POST' }) as unknown as Request;
    const responses = [
      answered(200, { routeName: '/otpvalidation/send-code', correlator: 'c-1' }),
      answered(400, { routeName: '/otpvalidation/send-code', errorCode: 'INVALID_ARGUMENT' }),
    ];
    for (const response of responses) {
      track(request, response, () => undefined);
      response.emit('close');
    }

    const durations = await registry.getSingleMetricAsString('otpflow_http_request_duration_seconds');
    expect(durations).toContain(
      'otpflow_http_request_duration_seconds_count{route="/otpvalidation/send-code",method="POST"} 2',
    );
    const totals = (await registry.getSingleMetric('otpflow_http_requests_total')?.get())?.values;
    expect(totals?.map((value) => [value.labels, value.value])).toEqual([
      [{ route: '/otpvalidation/send-code', method: 'POST', status: '200', code: '' }, 1],
      [{ route: '/otpvalidation/send-code', method: 'POST', status: '400', code: 'INVALID_ARGUMENT' }, 1],
    ]);
    expect(lines).toEqual([
      expect.objectContaining({ route: '/otpvalidation/send-code', status: 200, correlator: 'c-1' }),
      expect.objectContaining({ status: 400, errorCode: 'INVALID_ARGUMENT' }),
    ]);
    expect(lines.every((line) => typeof line.ms === 'number' && line.ms >= 0)).toBe(true);
  });
});
