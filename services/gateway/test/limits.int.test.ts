import { ApiError } from '@otpflow/errors';
import { createTestContext, type TestContext } from '@otpflow/testing';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Limits } from '../src/otp/limits.js';

/**
 * The limits against the real store, as two gateway replicas see them: leases take points in batches,
 * yet the replicas together never admit more than the limit.
 */
describe('limits shared by replicas', () => {
  let context: TestContext;
  let client: MongoClient;
  beforeAll(async () => {
    context = createTestContext('limits');
    client = await new MongoClient(context.mongoUrl).connect();
  });
  afterAll(async () => {
    await client.close();
    await context.dispose();
  });

  const replica = (points: number, leaseSize: number) =>
    new Limits(client.db(context.databaseName), {
      requestRate: { points, windowSeconds: 60 },
      quota: { points, windowSeconds: 60 },
      leaseSize,
    });

  async function admitted(limits: Limits[], requests: number, clientId: string): Promise<number> {
    let count = 0;
    for (let index = 0; index < requests; index += 1) {
      try {
        await limits[index % limits.length]?.checkRequestRate(clientId);
        count += 1;
      } catch (error) {
        expect((error as ApiError).code).toBe('TOO_MANY_REQUESTS');
        expect((error as ApiError).retryAfterSeconds).toBeGreaterThan(0);
      }
    }
    return count;
  }

  it('admits exactly the limit across two replicas leasing points in batches', async () => {
    expect(await admitted([replica(100, 10), replica(100, 10)], 160, 'acme')).toBe(100);
  });

  it('admits exactly the limit when it is not a multiple of the lease', async () => {
    expect(await admitted([replica(95, 10), replica(95, 10), replica(95, 10)], 150, 'globex')).toBe(95);
  });

  it('gives a point back to the lease when a request fails before sending', async () => {
    const limits = replica(10, 1);
    const releases = [];
    for (let index = 0; index < 10; index += 1) releases.push(await limits.takeQuota('initech'));
    await expect(limits.takeQuota('initech')).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    await releases[0]?.();
    await expect(limits.takeQuota('initech')).resolves.toBeTypeOf('function');
  });
});
