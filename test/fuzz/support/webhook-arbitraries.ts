import { CALLBACK_EVENT_TYPES } from '@otpflow/contracts';
import fc from 'fast-check';
import {
  anyText,
  bodyAround,
  hugeText,
  mostly,
  pathParameter,
  unicodeText,
  type BodyPlan,
} from './arbitraries.js';

/**
 * Generators for the status callback endpoints (/v1/webhooks). Endpoint ids are the gateway's, so a
 * path refers to one created earlier in the run by placeholder, which the request builder replaces.
 */
export const endpointReference = (index: number): string => `<<endpoint:${index}>>`;
export const ENDPOINT_REFERENCE = /<<endpoint:(\d+)>>/g;

/** An endpoint of the run, a well-formed id nobody registered, or anything else. */
export const endpointId: fc.Arbitrary<string> = pathParameter(
  fc.oneof(
    { weight: 5, arbitrary: fc.nat().map(endpointReference) },
    { weight: 2, arbitrary: fc.stringMatching(/^ep_[A-Za-z0-9_-]{16}$/) },
    { weight: 1, arbitrary: fc.stringMatching(/^ep_[A-Za-z0-9_-]{0,20}$/) },
    { weight: 1, arbitrary: anyText },
  ),
);

/** Public https URLs, and what registration refuses: plain http, internal hosts, credentials, fragments. */
const url = mostly(
  fc.webPath().map((path) => `https://hooks.example.com${path.startsWith('/') ? path : `/${path}`}`),
  fc.oneof(
    fc.constantFrom(
      'http://hooks.example.com/a',
      'https://localhost/a',
      'https://127.0.0.1/a',
      'https://[::1]/a',
      'https://169.254.169.254/latest',
      'https://10.0.0.1/a',
      'https://[::ffff:192.168.0.1]/a',
      'https://user:pass@hooks.example.com/a',
      'https://hooks.example.com/a#fragment',
      'ftp://hooks.example.com/a',
      'not a url',
      '',
    ),
    fc.webUrl(),
    hugeText.map((text) => `https://hooks.example.com/${text}`),
  ),
);
const events = mostly(
  fc.subarray([...CALLBACK_EVENT_TYPES], { minLength: 1 }),
  fc.oneof(
    fc.constant([]),
    fc.constantFrom(...CALLBACK_EVENT_TYPES).map((type) => [type, type]),
    fc.array(fc.oneof(fc.constantFrom('verification.unknown', 'code.sent', ''), anyText), { maxLength: 3 }),
  ),
);
const description = mostly(unicodeText(60), fc.oneof(hugeText, fc.integer()));
const enabled = mostly(fc.boolean(), fc.constantFrom('true', 0, null));

export const createWebhookBody: fc.Arbitrary<BodyPlan> = bodyAround(
  fc.record({ url, events, description, enabled }, { requiredKeys: ['url', 'events'] }),
);
/** Changes: one field or several (an empty change is refused). */
export const updateWebhookBody: fc.Arbitrary<BodyPlan> = bodyAround(
  fc.record({ url, events, description, enabled }, { requiredKeys: [] }),
);
