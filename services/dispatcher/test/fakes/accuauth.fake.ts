import type { CannedResponse, CapturedRequest } from './fake-http-server.js';
import { NO_ANSWER, VendorFake } from './vendor-fake.js';

let requestSerial = 0;

/** An AccuAuth answer: HTTP status plus a `status` string, a `reason` on errors and always a request_id. */
export function accuauthAnswer(
  httpStatus: number,
  status: string,
  extra: Record<string, unknown> = {},
): CannedResponse {
  requestSerial += 1;
  const request_id = `TID${requestSerial.toString(16).padStart(32, '0')}`;
  return { status: httpStatus, body: JSON.stringify({ status, request_id, ...extra }) };
}

/** AccuAuth's SMS OTP API (seed 004): POST /data/send_sms_otp, X-DF-API-ID / X-DF-API-SECRET headers. */
export class AccuAuthFake extends VendorFake {
  constructor(
    private readonly apiId: string,
    private readonly apiSecret: string,
  ) {
    super();
  }

  protected answer(request: CapturedRequest): CannedResponse {
    if (request.method !== 'POST' || request.path !== '/data/send_sms_otp')
      return accuauthAnswer(404, 'NOT_FOUND');
    if (
      request.headers['x-df-api-id'] !== this.apiId ||
      request.headers['x-df-api-secret'] !== this.apiSecret
    ) {
      return accuauthAnswer(401, 'UNAUTHORIZED', { reason: 'invalid api id or secret' });
    }
    switch (this.scenario) {
      case 'accept':
        return accuauthAnswer(200, 'OK', { charge_info: { charge: 1 } });
      case 'reject-number':
        return accuauthAnswer(400, 'INVALID_ARGUMENT', { reason: "argument 'phone_number': invalid" });
      case 'server-error':
        return accuauthAnswer(500, 'INTERNAL_ERROR');
      case 'rate-limited':
        return accuauthAnswer(403, 'RATE_LIMIT_EXCEEDED');
      case 'hang':
        return NO_ANSWER;
      case 'garbage':
        return { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Bad Gateway</html>' };
    }
  }
}
