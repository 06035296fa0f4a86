import { describe, expect, it } from 'vitest';
import { webhookUrlProblem } from './webhook-url.js';

const production = { allowHttp: false, allowPrivateAddresses: false };

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
    ['https://127.0.0.1/hook', /internal address \(loopback\)/],
    ['https://0.0.0.0/hook', /internal address \(unspecified\)/],
    ['https://10.1.2.3/hook', /internal address \(private\)/],
    ['https://100.64.1.1/hook', /internal address \(cgnat\)/],
    ['https://169.254.169.254/latest/meta-data', /internal address \(link-local\)/],
    ['https://192.168.1.10/hook', /internal/],
    ['https://[::1]/hook', /internal address \(loopback\)/],
    ['https://[fd00::5]/hook', /internal address \(unique-local\)/],
    ['https://[::ffff:10.0.0.1]/hook', /internal address \(private\)/],
    ['https://[::ffff:169.254.169.254]/hook', /internal address \(link-local\)/],
    // WHATWG URL parsing turns these into 127.0.0.1 before the check sees them.
    ['https://2130706433/hook', /internal address \(loopback\)/],
    ['https://0x7f.1/hook', /internal address \(loopback\)/],
  ])('refuses %s', (url, problem) => {
    expect(webhookUrlProblem(url, production)).toMatch(problem);
  });

  it('takes plain http to a public host where the deployment allows http, not an internal one', () => {
    const httpOnly = { allowHttp: true, allowPrivateAddresses: false };
    expect(webhookUrlProblem('http://hooks.acme.example/otp', httpOnly)).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', httpOnly)).toMatch(/internal/);
  });

  it('takes local endpoints where the deployment allows both (development, tests)', () => {
    const local = { allowHttp: true, allowPrivateAddresses: true };
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', local)).toBeUndefined();
    expect(webhookUrlProblem('https://localhost/hook', { ...local, allowHttp: false })).toBeUndefined();
  });
});
