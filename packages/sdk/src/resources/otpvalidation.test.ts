import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../client.js';
import { BadRequestError } from '../errors.js';
import { json, LocalServer } from '../testing/local-server.js';

const AUTHENTICATION_ID = 'ea0840f3-3663-4149-bd10-c7c6b8912105';

describe('client.otpvalidation (CAMARA, as the seed SDK)', () => {
  let server: LocalServer;
  let client: Client;
  beforeAll(async () => {
    server = await LocalServer.start();
    client = new Client({ bearerToken: 'camara-token', baseURL: server.url });
  });
  afterAll(async () => {
    await server.close();
  });

  it('sendCode POSTs message and phoneNumber to /otpvalidation/send-code and answers the authenticationId', async () => {
    server.respond(json(200, { authenticationId: AUTHENTICATION_ID }));
    const response = await client.otpvalidation.sendCode({
      message: '{{code}} is your short code to authenticate with Cool App via SMS',
      phoneNumber: '+346661113334',
    });
    expect(response.authenticationId).toBe(AUTHENTICATION_ID);
    expect(server.last).toMatchObject({ method: 'POST', url: '/otpvalidation/send-code' });
    expect(JSON.parse(server.last.body)).toEqual({
      message: '{{code}} is your short code to authenticate with Cool App via SMS',
      phoneNumber: '+346661113334',
    });
  });

  it('sends xCorrelator as the x-correlator header, never in the body', async () => {
    server.respond(json(200, { authenticationId: AUTHENTICATION_ID }));
    await client.otpvalidation.sendCode({
      message: '{{code}}',
      phoneNumber: '+346661113334',
      xCorrelator: 'abc-123',
    });
    expect(server.last.headers['x-correlator']).toBe('abc-123');
    expect(JSON.parse(server.last.body)).not.toHaveProperty('xCorrelator');
  });

  it('validateCode POSTs to /otpvalidation/validate-code and resolves to nothing on 204', async () => {
    server.respond(json(204));
    await expect(
      client.otpvalidation.validateCode({
        authenticationId: AUTHENTICATION_ID,
        code: 'AJY3',
        xCorrelator: 'c-1',
      }),
    ).resolves.toBeUndefined();
    expect(server.last).toMatchObject({
      method: 'POST',
      url: '/otpvalidation/validate-code',
      headers: { 'x-correlator': 'c-1' },
    });
    expect(JSON.parse(server.last.body)).toEqual({ authenticationId: AUTHENTICATION_ID, code: 'AJY3' });
  });

  it('rejects a wrong code with the CAMARA error', async () => {
    const body = {
      status: 400,
      code: 'ONE_TIME_PASSWORD_SMS.INVALID_OTP',
      message: 'The provided OTP is not valid for this authenticationId',
    };
    server.respond(json(400, body));
    await expect(
      client.otpvalidation.validateCode({ authenticationId: AUTHENTICATION_ID, code: '000000' }),
    ).rejects.toSatisfy((error) => error instanceof BadRequestError && error.code === body.code);
  });
});
