import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { callbackJobSchema } from './callback.js';
import { EVENT_SCHEMA, otpEventSchema } from './events.js';
import { TENANT_ID_MAX_LENGTH } from './tenant-id.js';

const longest = `oidc:${'c'.repeat(TENANT_ID_MAX_LENGTH - 'oidc:'.length)}`;

describe('tenant ids in messages', () => {
  it('lets an event name the longest tenant, and no longer one', () => {
    const event = {
      schema: EVENT_SCHEMA,
      eventId: randomUUID(),
      type: 'code.requested',
      occurredAt: new Date().toISOString(),
      authenticationId: randomUUID(),
      channel: 'sms',
      countryCallingCode: '34',
      requestedAt: new Date().toISOString(),
    };
    expect(otpEventSchema.safeParse({ ...event, clientId: longest }).success).toBe(true);
    expect(otpEventSchema.safeParse({ ...event, clientId: `${longest}c` }).success).toBe(false);
  });

  it("lets a callback job's tenant be the longest too", () => {
    const shape = callbackJobSchema.shape.clientId;
    expect(shape.safeParse(longest).success).toBe(true);
    expect(shape.safeParse(`${longest}c`).success).toBe(false);
  });
});
