import { waitFor } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, startStack, type Stack } from '../support/stack.js';

const OTHER_KEY = 'e2e-other-tenant-key-0002';
let sequence = 0;
const unique = () =>
  `${String(Date.now() % 100_000).padStart(5, '0')}${String((sequence += 1) % 100).padStart(2, '0')}`;
/** French and Spanish mobiles, unique to this run. */
const french = () => `+3361${unique()}`;
const spanish = () => `+3466${unique()}`;

interface Summary {
  id: string;
  status: string;
  channel: string;
  to: string | null;
  country: string;
  provider: string | null;
  createdAt: string;
  cost: { smsParts: number; billedParts: number; price: unknown[] };
}
interface Page {
  verifications: Summary[];
  nextCursor: string | null;
}
interface Figures {
  requested: number;
  sent: number;
  verified: number;
  conversion: number | null;
  cost: { smsParts: number };
}

/**
 * The listing and the conversion analytics end to end: codes sent through the real gateway, broker
 * and dispatcher (webhook provider), validated or not, then read back from the read models the
 * dispatcher's projector keeps from the events, for the calling tenant only.
 */
describe('verifications listing and conversion', () => {
  let stack: Stack;
  const french3Verified: string[] = [];
  const all: string[] = [];

  const get = async (path: string, key = API_KEY) => {
    const response = await fetch(`${stack.gateway.url}${path}`, {
      headers: { authorization: `Bearer ${key}` },
    });
    return { status: response.status, body: await response.json() };
  };
  const page = async (query: string, key = API_KEY) => {
    const answer = await get(`/v1/verifications?${query}`, key);
    expect(answer.status).toBe(200);
    return answer.body as Page;
  };

  beforeAll(async () => {
    stack = await startStack('listing', {
      gatewayEnv: { API_KEYS: `${API_KEY}:e2e-client,${OTHER_KEY}:other-client` },
    });
    // A known mix: five French codes (three verified), two Spanish (none verified).
    const frenchIds = [];
    for (let index = 0; index < 5; index += 1) frenchIds.push(await stack.sendCode(french()));
    const spanishIds = [await stack.sendCode(spanish()), await stack.sendCode(spanish())];
    all.push(...frenchIds, ...spanishIds);
    for (const id of frenchIds.slice(0, 3)) {
      expect(await stack.validateCode(id, await stack.codeFor(id))).toBe(204);
      french3Verified.push(id);
    }
    for (const id of spanishIds) await stack.codeFor(id);
    // The read models trail the events: wait until the projector has folded them all.
    await waitFor(
      async () => {
        const listed = await page('pageSize=100');
        const verified = listed.verifications.filter((item) => item.status === 'verified').length;
        const sent = listed.verifications.filter((item) => item.provider === 'webhook').length;
        return listed.verifications.length === 7 && verified === 3 && sent === 7 ? true : undefined;
      },
      { timeoutMs: 20_000, what: 'the seven verifications in the listing' },
    );
  }, 60_000);
  afterAll(async () => {
    await stack.stop();
  });

  it('lists the tenant’s verifications newest first, numbers masked, with status and provider', async () => {
    const { verifications, nextCursor } = await page('');
    expect(nextCursor).toBeNull();
    expect(verifications.map((item) => item.id).sort()).toEqual([...all].sort());
    const created = verifications.map((item) => item.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    for (const item of verifications) {
      expect(item.to).toMatch(/^\+3[34][0-9]\*+[0-9]{2}$/);
      expect(item).toMatchObject({ channel: 'sms', provider: 'webhook' });
      expect(item.cost.smsParts).toBe(1);
    }
    expect(
      verifications
        .filter((item) => item.status === 'verified')
        .map((item) => item.id)
        .sort(),
    ).toEqual([...french3Verified].sort());
  });

  it('pages with an opaque cursor: every verification once, in order, pages bounded', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const next: Page = await page(`pageSize=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(next.verifications.length).toBeLessThanOrEqual(2);
      seen.push(...next.verifications.map((item) => item.id));
      cursor = next.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(4);
    expect(seen).toEqual((await page('')).verifications.map((item) => item.id));
  });

  it('filters by status, channel, country and creation range', async () => {
    expect((await page('status=verified')).verifications).toHaveLength(3);
    expect((await page('status=sent')).verifications).toHaveLength(4);
    expect((await page('country=33')).verifications).toHaveLength(5);
    expect((await page('country=%2B34&status=verified')).verifications).toHaveLength(0);
    expect((await page('channel=voice')).verifications).toHaveLength(0);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await page(`from=${future}`)).verifications).toHaveLength(0);
    expect((await page(`to=${future}&channel=sms`)).verifications).toHaveLength(7);
  });

  it('shows another tenant nothing', async () => {
    expect((await page('', OTHER_KEY)).verifications).toEqual([]);
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const report = (await get(`/v1/analytics/conversion?from=${from}&to=${to}`, OTHER_KEY)).body as {
      total: Figures;
    };
    expect(report.total).toMatchObject({ requested: 0, sent: 0, verified: 0, conversion: null });
  });

  it('sums conversion and cost from the hourly buckets, by country and by provider', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const answer = await get(`/v1/analytics/conversion?from=${from}&to=${to}&groupBy=country`);
    expect(answer.status).toBe(200);
    const report = answer.body as { groups: (Figures & { key: string })[]; total: Figures };
    expect(report.groups).toEqual([
      expect.objectContaining({ key: '33', requested: 5, sent: 5, verified: 3, conversion: 0.6 }),
      expect.objectContaining({ key: '34', requested: 2, sent: 2, verified: 0, conversion: 0 }),
    ]);
    expect(report.total).toMatchObject({ sent: 7, verified: 3, cost: { smsParts: 7 } });
    const byProvider = (await get(`/v1/analytics/conversion?from=${from}&to=${to}&groupBy=provider`))
      .body as { groups: (Figures & { key: string })[] };
    expect(byProvider.groups).toEqual([expect.objectContaining({ key: 'webhook', sent: 7, verified: 3 })]);
  });

  it('answers bad queries with the native error format', async () => {
    for (const [query, field] of [
      ['pageSize=0', 'pageSize'],
      ['pageSize=101', 'pageSize'],
      ['status=lost', 'status'],
      ['country=FR', 'country'],
      ['from=yesterday', 'from'],
      ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['clientId=other-client', ''],
    ] as const) {
      const answer = await get(`/v1/verifications?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
      if (field) expect(answer.body).toMatchObject({ details: { field } });
    }
    const now = Date.now();
    const range = (days: number) =>
      `from=${new Date(now - days * 86_400_000).toISOString()}&to=${new Date(now).toISOString()}`;
    expect((await get(`/v1/analytics/conversion?${range(100)}`)).body).toMatchObject({
      code: 'OUT_OF_RANGE',
    });
    expect((await get(`/v1/analytics/conversion?${range(1)}&groupBy=client`)).status).toBe(400);
    expect((await get('/v1/analytics/conversion')).status).toBe(400);
  });
});
