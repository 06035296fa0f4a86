/**
 * The soak's traffic: a steady mix of what clients do, every request with the one answer it should
 * get. Codes to real numbers go through RabbitMQ and the dispatcher to the webhook; codes to test
 * numbers (TEST_NUMBERS: a fixed code, no SMS) are the ones validated with the right code.
 */
export const MIX = [
  { kind: 'send-real', weight: 30, expect: '200' },
  { kind: 'send-test', weight: 15, expect: '200' },
  { kind: 'validate-right', weight: 15, expect: '204' },
  { kind: 'validate-wrong', weight: 15, expect: '400 ONE_TIME_PASSWORD_SMS.INVALID_OTP' },
  { kind: 'create', weight: 15, expect: '201' },
  { kind: 'check', weight: 10, expect: '200' },
];

export const SOAK_CODE = '424242';

/** The `n`-th of `count` Spanish mobiles (valid under the strict number checks), cycling. */
export const realNumber = (n, count) => `+3466${String(n % count).padStart(7, '0')}`;
/** The `n`-th of `count` test numbers, cycling. */
export const testNumber = (n, count) => `+3460000${String(n % count).padStart(4, '0')}`;

/**
 * Smooth weighted round robin (as nginx balances upstreams): each kind comes up in proportion to its
 * weight, evenly spread, and the same sequence every run.
 */
export class KindScheduler {
  constructor(mix) {
    this.entries = mix.map((entry) => ({ ...entry, current: 0 }));
    this.total = mix.reduce((sum, entry) => sum + entry.weight, 0);
  }

  next() {
    let best;
    for (const entry of this.entries) {
      entry.current += entry.weight;
      if (!best || entry.current > best.current) best = entry;
    }
    best.current -= this.total;
    return best.kind;
  }
}

/** What each answer was, against what it should have been. */
export function outcomeOf(status, body) {
  let code = '';
  if (status >= 400) {
    try {
      code = JSON.parse(body).code ?? '';
    } catch {
      code = 'not-json';
    }
  }
  return code ? `${status} ${code}` : String(status);
}
