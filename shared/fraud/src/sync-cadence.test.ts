import { describe, expect, it } from 'vitest';
import { syncIsDue } from './sync-cadence.js';

const cadence = { afterSends: 15, maxIntervalMs: 10_000 };

describe('syncIsDue', () => {
  it('waits while too few sends were counted to share a sync’s commands', () => {
    expect(syncIsDue({ sends: 14, elapsedMs: 9_999 }, cadence)).toBe(false);
    expect(syncIsDue({ sends: 0, elapsedMs: 1_000 }, cadence)).toBe(false);
  });

  it('syncs at the next tick once enough sends were counted', () => {
    expect(syncIsDue({ sends: 15, elapsedMs: 1_000 }, cadence)).toBe(true);
  });

  it('syncs after the longest interval whatever the traffic, idle included', () => {
    expect(syncIsDue({ sends: 0, elapsedMs: 10_000 }, cadence)).toBe(true);
  });

  it('syncs every tick when one send is enough', () => {
    expect(syncIsDue({ sends: 1, elapsedMs: 0 }, { afterSends: 1, maxIntervalMs: 10_000 })).toBe(true);
  });
});
