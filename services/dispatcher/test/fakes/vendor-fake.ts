import type { VendorScenario } from '../providers/provider-contract.js';
import { FakeHttpServer, type CannedResponse, type CapturedRequest } from './fake-http-server.js';

/** The contract's `hang`: the fake never answers, whatever the vendor. */
export const NO_ANSWER: CannedResponse = { status: 200, hang: true };

/**
 * What every HTTP vendor fake shares: a local server that records the requests, and answers them in
 * the vendor's wire format as the contract's scenario says (`answer`, one per vendor).
 */
export abstract class VendorFake {
  scenario: VendorScenario = 'accept';
  readonly http = new FakeHttpServer((request) => this.answer(request));

  get requests(): CapturedRequest[] {
    return this.http.requests;
  }

  /** The last request's JSON body (the vendors that take JSON). */
  lastJsonBody(): unknown {
    return JSON.parse(this.requests.at(-1)?.body ?? '');
  }

  /** Back to answering as the scenario says, after a test's own responder. */
  answerAsUsual(): void {
    this.http.respondWith((request) => this.answer(request));
  }

  async start(): Promise<this> {
    await this.http.start();
    return this;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  protected abstract answer(request: CapturedRequest): CannedResponse;
}
