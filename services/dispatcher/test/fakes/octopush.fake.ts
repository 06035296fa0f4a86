import type { VendorScenario } from '../providers/provider-contract.js';
import { FakeHttpServer, type CannedResponse, type CapturedRequest } from './fake-http-server.js';

const octopushAnswer = (status: number, body: Record<string, unknown>): CannedResponse => ({
  status,
  body: JSON.stringify(body),
});

/**
 * Octopush's OTP API (POST /otp/generate, JSON, api-login and api-key headers). The seed documents
 * the success body and 401/403; the refusal codes here are illustrative: only "non-zero" matters.
 */
export class OctopushFake {
  scenario: VendorScenario = 'accept';
  readonly http = new FakeHttpServer((request) => this.answer(request));

  constructor(
    private readonly login: string,
    private readonly key: string,
  ) {}

  get requests(): CapturedRequest[] {
    return this.http.requests;
  }

  async start(): Promise<this> {
    await this.http.start();
    return this;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private answer(request: CapturedRequest): CannedResponse {
    if (request.method !== 'POST' || request.path !== '/otp/generate') {
      return octopushAnswer(404, { code: 404, message: 'Not found' });
    }
    if (request.headers['api-login'] !== this.login || request.headers['api-key'] !== this.key) {
      return octopushAnswer(401, { code: 101, message: 'Unauthorized.' });
    }
    switch (this.scenario) {
      case 'accept':
        return octopushAnswer(200, {
          code: 0,
          message: 'OTP sent',
          ticket_number: 'otp-20250101-7f3a9c',
          otp_request_token: 'c0ffee0123456789',
        });
      case 'reject-number':
        return octopushAnswer(400, { code: 200, message: 'Invalid phone number' });
      case 'server-error':
        return octopushAnswer(500, { code: 500, message: 'Internal error' });
      case 'rate-limited':
        return octopushAnswer(429, { code: 429, message: 'Too many requests' });
      case 'hang':
        return { status: 200, hang: true };
      case 'garbage':
        return octopushAnswer(200, { message: 'maintenance' });
    }
  }
}
