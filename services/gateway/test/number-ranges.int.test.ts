import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CLIENT_B_KEY,
  startHarness,
  TEST_NUMBER_CODE,
  type GatewayHarness,
} from './gateway-harness.js';

/** Numbers of each range no OTP needs (libphonenumber's types in the comments). */
const SATELLITE = '+881612345678'; // +881 GMSS, MOBILE
const INTERNATIONAL_NETWORK = '+882167890123'; // +882, VOIP
const INTERNATIONAL_NETWORK_883 = '+883120000000'; // +883, VOIP
const UK_PERSONAL = '+447012345678'; // PERSONAL_NUMBER
const PREMIUM = '+34803123456'; // PREMIUM_RATE
const SHARED_COST = '+34901123456'; // SHARED_COST
const UAN = '+443001234567'; // UAN
const PAGER = '+447640123456'; // PAGER
const GB_VOIP = '+445600123456'; // VOIP
/** Test numbers in refused ranges: they never reach a provider, so they keep working. */
const TEST_SATELLITE = '+881612340001';
const TEST_PREMIUM = '+34803120001';

/**
 * Toll-fraud-safe defaults: international networks (+870, +881, +882, +883) and premium, shared-cost,
 * UAN and pager lines for every channel, VoIP and personal numbers for voice, are refused with
 * PHONE_NUMBER_NOT_ALLOWED unless the client's policy allows them; test numbers keep working.
 */
describe('number ranges refused by default', () => {
  let harness: GatewayHarness;
  beforeAll(async () => {
    harness = await startHarness('number-ranges', {
      POLICY_CACHE_SECONDS: '1',
      TEST_NUMBERS: [TEST_SATELLITE, TEST_PREMIUM].map((number) => `${number}:${TEST_NUMBER_CODE}`).join(','),
    });
  });
  afterAll(async () => {
    await harness.stop();
  });

  const camara = (phoneNumber: string, key?: string) =>
    harness.post(
      '/one-time-password-sms/v1/send-code',
      { phoneNumber, message: '{{code}}' },
      key ? { key } : {},
    );
  const native = (to: string, channel: 'sms' | 'voice', key?: string) =>
    harness.post('/v1/verifications', { to, channel }, key ? { key } : {});
  const notAllowed = { status: 403, body: { code: 'ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_NOT_ALLOWED' } };

  it('refuses satellite and international-network numbers by SMS', async () => {
    for (const number of [SATELLITE, INTERNATIONAL_NETWORK, INTERNATIONAL_NETWORK_883]) {
      expect(await camara(number), number).toMatchObject(notAllowed);
      expect(await native(number, 'sms'), number).toMatchObject(notAllowed);
    }
  });

  it('refuses international networks, VoIP and personal numbers by voice', async () => {
    for (const number of [
      SATELLITE,
      INTERNATIONAL_NETWORK,
      INTERNATIONAL_NETWORK_883,
      UK_PERSONAL,
      GB_VOIP,
    ]) {
      expect(await native(number, 'voice'), number).toMatchObject(notAllowed);
    }
  });

  it('refuses premium-rate, shared-cost, UAN and pager lines on every channel', async () => {
    for (const number of [PREMIUM, SHARED_COST, UAN, PAGER]) {
      expect(await native(number, 'voice'), number).toMatchObject(notAllowed);
      expect(await native(number, 'sms'), number).toMatchObject(notAllowed);
    }
  });

  it('keeps test numbers working, whatever their range', async () => {
    for (const number of [TEST_SATELLITE, TEST_PREMIUM]) {
      const sent = await camara(number);
      expect(sent.status, number).toBe(200);
      const { authenticationId } = sent.body as { authenticationId: string };
      expect(
        (
          await harness.post('/one-time-password-sms/v1/validate-code', {
            authenticationId,
            code: TEST_NUMBER_CODE,
          })
        ).status,
      ).toBe(204);
    }
  });

  it('serves them to a client whose policy allows them, and to that client only', async () => {
    const put = await harness.call(
      'PUT',
      '/v1/admin/policies/client-b',
      {
        internationalNetworks: ['+881', '+882'],
        voiceNumberTypes: ['MOBILE', 'FIXED_LINE', 'FIXED_LINE_OR_MOBILE', 'VOIP', 'PERSONAL_NUMBER'],
      },
      { key: ADMIN_KEY },
    );
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    expect((await camara(SATELLITE, CLIENT_B_KEY)).status).toBe(200);
    expect((await native(INTERNATIONAL_NETWORK, 'voice', CLIENT_B_KEY)).status).toBe(201);
    expect((await native(UK_PERSONAL, 'voice', CLIENT_B_KEY)).status).toBe(201);
    // +883 is not in its list; premium-rate is not in its line types; other clients are unchanged.
    expect(await native(INTERNATIONAL_NETWORK_883, 'voice', CLIENT_B_KEY)).toMatchObject(notAllowed);
    expect(await native(PREMIUM, 'voice', CLIENT_B_KEY)).toMatchObject(notAllowed);
    expect(await camara(SATELLITE)).toMatchObject(notAllowed);
    expect(await native(UK_PERSONAL, 'voice')).toMatchObject(notAllowed);
  });

  it('refuses an allowance that is not one of the ranges refused by default', async () => {
    const answer = await harness.call(
      'PUT',
      '/v1/admin/policies/client-b',
      { internationalNetworks: ['+34'] },
      { key: ADMIN_KEY },
    );
    expect(answer).toMatchObject({ status: 400, body: { details: { field: 'internationalNetworks.0' } } });
  });
});
