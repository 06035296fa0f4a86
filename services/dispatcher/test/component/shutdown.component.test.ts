import { waitFor } from '@otpflow/testing';
import { describe, expect, it } from 'vitest';
import { startComponentDispatcher } from './harness.js';

/** The one shutdown: unready first, then the jobs in flight drain, then everything closes. */
describe('dispatcher shutdown', () => {
  it('turns unready, finishes the jobs in flight, and takes no new ones', async () => {
    const it_ = await startComponentDispatcher({ PREFETCH: '2' });
    // Long enough for both calls to be still in flight when shutdown begins on a loaded machine.
    it_.webhook.answer({ acceptAfterMs: 1_000 });
    const inFlight = [it_.publish(), it_.publish()];
    const waiting = it_.publish();
    await waitFor(() => it_.webhook.calls === 2, { what: 'both calls in flight' });

    const readyBefore = (await fetch(`${it_.dispatcher.url}/readyz`)).status;
    const stopping = it_.stop();
    await stopping;
    expect(readyBefore).toBe(200);
    // Both calls in flight ended as sends, recorded and acked; the third was never taken.
    for (const job of inFlight) expect(it_.store.deliveries.get(job.jobId)?.status).toBe('sent');
    expect(it_.store.deliveries.has(waiting.jobId)).toBe(false);
    expect(it_.jobs.settlements).toEqual(['acked', 'acked']);
    expect(it_.jobs.waiting).toBe(1);
    expect(it_.dispatcher.server.listening).toBe(false);
  });

  it('answers 503 on /readyz once shutdown has begun', async () => {
    const it_ = await startComponentDispatcher();
    it_.webhook.answer({ acceptAfterMs: 1_000 });
    it_.publish();
    await waitFor(() => it_.webhook.calls === 1, { what: 'the call in flight' });
    const stopping = it_.stop();
    // The listener stays open while jobs drain (closing HTTP comes after), so probes see the change.
    const ready = await fetch(`${it_.dispatcher.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ accepting: false });
    await stopping;
  });

  it('is idempotent: a second call waits for the same shutdown', async () => {
    const it_ = await startComponentDispatcher();
    const [first, second] = [it_.dispatcher.shutdown('one'), it_.dispatcher.shutdown('two')];
    expect(first).toBe(second);
    await first;
    expect(it_.dispatcher.shutdown.started).toBe(true);
  });
});
