import { describe, expect, it } from 'vitest';
import { webhookUrlProblem } from './webhook-url.js';

const production = { allowHttp: false };

describe('webhookUrlProblem', () => {
  it.each(['https://hooks.acme.example/otp', 'https://203.0.113.7/hook', 'https://[2001:db8::1]/hook'])(
    'takes %s',
    (url) => {
      expect(webhookUrlProblem(url, production)).toBeUndefined();
    },
  );

  it.each([
    ['http://hooks.acme.example/otp', /https/],
    ['https://localhost/hook', /this host/],
    ['https://api.localhost/hook', /this host/],
    ['https://127.0.0.1/hook', /internal/],
    ['https://10.1.2.3/hook', /internal/],
    ['https://169.254.169.254/latest/meta-data', /internal/],
    ['https://192.168.1.10/hook', /internal/],
    ['https://[::1]/hook', /internal/],
    ['https://[fd00::5]/hook', /internal/],
    ['https://[::ffff:10.0.0.1]/hook', /internal/],
  ])('refuses %s', (url, problem) => {
    expect(webhookUrlProblem(url, production)).toMatch(problem);
  });

  it('takes local http endpoints where the deployment allows them (development, tests)', () => {
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', { allowHttp: true })).toBeUndefined();
  });
});
