import type { VendorScenario } from '../providers/provider-contract.js';
import { FakeHttpServer, type CannedResponse, type CapturedRequest } from './fake-http-server.js';

/** One Vonage SMS API answer: always HTTP 200, the verdict in each message's `status`. */
export function vonageAnswer(
  parts: { status: string; 'message-id'?: string; 'error-text'?: string }[],
): CannedResponse {
  const messages = parts.map((part) => ({ to: '34612345678', ...part }));
  return { status: 200, body: JSON.stringify({ 'message-count': String(parts.length), messages }) };
}

/**
 * The Vonage SMS API (POST /sms/json, form body, credentials in the body). Like the real one it answers
 * 200 with status "4" for bad credentials and "3" for an invalid destination.
 */
export class VonageFake {
  scenario: VendorScenario = 'accept';
  readonly http = new FakeHttpServer((request) => this.answer(request));

  constructor(
    private readonly apiKey: string,
    private readonly apiSecret: string,
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
    if (request.method !== 'POST' || request.path !== '/sms/json') return { status: 404, body: '' };
    const form = new URLSearchParams(request.body);
    if (form.get('api_key') !== this.apiKey || form.get('api_secret') !== this.apiSecret) {
      return vonageAnswer([{ status: '4', 'error-text': 'Bad Credentials' }]);
    }
    switch (this.scenario) {
      case 'accept':
        return vonageAnswer([{ status: '0', 'message-id': '0A0000000123ABCD1' }]);
      case 'reject-number':
        return vonageAnswer([{ status: '3', 'error-text': 'Invalid to parameter' }]);
      case 'server-error':
        return { status: 503, body: '' };
      case 'rate-limited':
        return vonageAnswer([
          { status: '1', 'error-text': 'Throughput Rate Exceeded - please wait [ 10 ] and retry' },
        ]);
      case 'hang':
        return { status: 200, hang: true };
      case 'garbage':
        return { status: 200, body: JSON.stringify({ 'message-count': '1' }) };
    }
  }
}
