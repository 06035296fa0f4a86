import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { codeEntrySchema } from '@otpflow/mongo';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CLIENT_A_KEY,
  CLIENT_B_KEY,
  NO_SCOPE_KEY,
  startHarness,
  TEMPLATES_KEY,
  TEST_NUMBER,
  TEST_NUMBER_CODE,
  type GatewayHarness,
} from '../../services/gateway/test/gateway-harness.js';
import { codesOfNumber, numberDocuments } from '../../services/gateway/test/number-documents.js';
import { API_ROUTES } from '../../services/gateway/src/api-routes.js';
import { SCOPES, type Scope } from '../../services/gateway/src/auth/scopes.js';
import { listOperations } from '../../services/gateway/src/http/route.js';
import { canonicalPhoneNumber } from '../../services/gateway/src/otp/phone-number.js';
import { rawRequest, type RawAnswer } from '../support/raw-http.js';
import {
  anyText,
  bodyAround,
  codeText,
  headersFor,
  hugeText,
  LOCALES,
  malformedPercentEncoding,
  messageText,
  mostly,
  pathParameter,
  phoneNumber,
  POLICY_CLIENTS,
  POOL_REFERENCE,
  sessionIdText,
  TEMPLATE_IDS,
  unicodeText,
  type BodyPlan,
  type HeaderPlan,
} from './support/arbitraries.js';
import { Contract, type OpenApiDocument } from './support/contract.js';
import {
  createWebhookBody,
  ENDPOINT_REFERENCE,
  endpointId,
  updateWebhookBody,
} from './support/webhook-arbitraries.js';
import {
  allowBody,
  allowTarget,
  blockTarget,
  conversionQuery,
  fraudScope,
  listingQuery,
  throttleQuery,
} from './support/listing-fraud-arbitraries.js';

/**
 * The fixed seed makes every run send the same requests (the gateway's own randomness, ids and codes,
 * aside). FUZZ_SEED tries another; FUZZ_RUNS scales the number of requests; FUZZ_PATH, with the seed
 * and `-t <test name>`, replays the counterexample a failure printed.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_123);
const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const REPLAY_PATH = process.env.FUZZ_PATH;
/** An answer this late is a hang, and a finding. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Numbers with a fixed code and no SMS: validations with the right code reach a 204 or a `valid: true`. */
const TEST_NUMBERS = [TEST_NUMBER, ...Array.from({ length: 7 }, (_, n) => `+3460000010${n}`)];
const ALL_KEYS = [CLIENT_A_KEY, CLIENT_B_KEY, NO_SCOPE_KEY, TEMPLATES_KEY, ADMIN_KEY];
const others = (key: string) => ALL_KEYS.filter((candidate) => candidate !== key);

/** One documented operation, and how to generate requests aimed at it. */
interface Operation {
  operationId: string;
  method: string;
  template: string;
  /** The key of a client allowed to call it: most requests use it. */
  key: string;
  /** One generator per `{parameter}` of the template, in order. */
  params: fc.Arbitrary<string>[];
  body: fc.Arbitrary<BodyPlan>;
  /** The query string, encoded, for the operations that read one. */
  query?: fc.Arbitrary<string>;
  idempotency?: boolean;
  /** The body field naming the number a code is sent to, for operations that issue one. */
  phoneField?: 'phoneNumber' | 'to';
}

interface Plan {
  operation: string;
  params: string[];
  query: string;
  headers: HeaderPlan;
  body: BodyPlan;
}

interface BuiltRequest {
  operation: Operation;
  method: string;
  path: string;
  headers: Record<string, string | string[]>;
  body: string | Buffer | undefined;
  /** The number the body asks a code for, if it names one. */
  phone: string | undefined;
}

const none: fc.Arbitrary<BodyPlan> = fc.oneof(
  { weight: 9, arbitrary: fc.constant<BodyPlan>({ kind: 'none' }) },
  { weight: 1, arbitrary: bodyAround(fc.constant({})) },
);
const uuidOrPool = pathParameter(sessionIdText());
const templateId = pathParameter(fc.constantFrom(...TEMPLATE_IDS));
const locale = pathParameter(fc.constantFrom(...LOCALES));
const policyClient = pathParameter(fc.constantFrom(...POLICY_CLIENTS));

const camaraSendBody = bodyAround(
  fc.record({ phoneNumber: phoneNumber(TEST_NUMBERS), message: messageText(160) }),
);
const camaraValidateBody = bodyAround(
  fc.record({ authenticationId: sessionIdText(), code: codeText(TEST_NUMBER_CODE) }),
);

const alphabetNames = mostly(
  fc.subarray(['digits', 'uppercase', 'lowercase', 'special'], { minLength: 1 }),
  fc.subarray(['digits', 'uppercase', 'emoji', 'digits']),
);
const createOptions = {
  channel: mostly(fc.constantFrom('sms', 'voice'), fc.constantFrom('fax', 'SMS', '')),
  code: fc.record(
    {
      length: mostly(fc.integer({ min: 4, max: 12 }), fc.integer({ min: -1, max: 40 })),
      alphabet: alphabetNames,
    },
    { requiredKeys: [] },
  ),
  validitySeconds: mostly(fc.integer({ min: 30, max: 3_600 }), fc.oneof(fc.integer(), fc.double())),
  maxAttempts: mostly(fc.integer({ min: 1, max: 10 }), fc.integer({ min: -1, max: 25 })),
  senderId: mostly(fc.stringMatching(/^[a-zA-Z0-9]{3,11}$/), unicodeText(14)),
  voice: fc.record(
    {
      language: mostly(fc.constantFrom('en-US', 'es-ES', 'fr-FR', 'de-DE'), fc.constantFrom('xx-XX', 'en')),
      gender: mostly(fc.constantFrom('male', 'female'), fc.constant('other')),
    },
    { requiredKeys: [] },
  ),
  message: mostly(
    fc.constantFrom('{{code}}', 'Código {{code}} ✅', 'Your code: {{code}}'),
    messageText(1_300),
  ),
  template: fc.record(
    {
      id: mostly(fc.constantFrom(...TEMPLATE_IDS), fc.oneof(fc.constant('missing'), anyText)),
      locale: mostly(fc.constantFrom(...LOCALES), fc.constantFrom('xx', 'EN', '')),
      variables: fc.dictionary(
        mostly(fc.constantFrom('name', 'app'), fc.constantFrom('code', '1x', '', 'x'.repeat(40))),
        mostly(fc.string({ maxLength: 20 }), fc.oneof(fc.constant('{{code}}'), hugeText)),
        { maxKeys: 3 },
      ),
    },
    { requiredKeys: ['id'] },
  ),
  recipientIp: mostly(fc.oneof(fc.ipV4(), fc.ipV6()), fc.string({ maxLength: 20 })),
};
const to = phoneNumber(TEST_NUMBERS);
const createBody = bodyAround(
  fc.oneof(
    // The number alone, the number and one option, or any combination: most requests reach the issuer.
    fc.record({ to }),
    fc
      .tuple(to, fc.constantFrom(...(Object.keys(createOptions) as (keyof typeof createOptions)[])))
      .chain(([number, option]) =>
        createOptions[option].map((value: unknown) => ({ to: number, [option]: value })),
      ),
    fc.record({ to, ...createOptions }, { requiredKeys: ['to'] }),
  ),
);
const checkBody = bodyAround(fc.record({ code: codeText(TEST_NUMBER_CODE) }));
const resendBody = fc.oneof(
  { weight: 3, arbitrary: fc.constant<BodyPlan>({ kind: 'none' }) },
  {
    weight: 7,
    arbitrary: bodyAround(
      fc.record(
        { channel: mostly(fc.constantFrom('sms', 'voice'), fc.constant('pigeon')) },
        { requiredKeys: [] },
      ),
    ),
  },
);
const templateBody = bodyAround(
  fc.record({
    text: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('Hi {{name}}, {{code}}', '{{app}}: {{code}}', '{{code}}') },
      { weight: 2, arbitrary: messageText(300) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('{{code}} {{1x}}', '{{code}} {{ name }}', '{{code}} {{', '{{{{code}}}}'),
      },
      { weight: 1, arbitrary: hugeText },
    ),
  }),
);
const bounds = (min: number, max: number) =>
  fc.record(
    {
      default: fc.integer({ min, max }),
      min: fc.integer({ min, max }),
      max: fc.integer({ min, max }),
    },
    { requiredKeys: [] },
  );
/** Stored policies: mostly one coherent change (so some are stored), sometimes anything at all. */
const policyBody = bodyAround(
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.record({ resendIntervalSeconds: fc.integer({ min: 0, max: 60 }) }),
        fc.record({
          sends: fc.record({
            max: fc.integer({ min: 1, max: 20 }),
            windowSeconds: fc.integer({ min: 1, max: 900 }),
          }),
        }),
        fc.record({ channels: fc.subarray(['sms', 'voice'], { minLength: 1 }) }),
        fc.record({ countries: fc.subarray(['34', '1', '44'], { minLength: 1 }) }),
        fc.record({
          maxAttempts: fc.constantFrom({ default: 3, min: 1, max: 5 }, { default: 1, min: 1, max: 1 }),
        }),
        fc.record({ senderIds: fc.array(fc.stringMatching(/^[a-zA-Z0-9]{3,11}$/), { maxLength: 3 }) }),
        fc.record({ defaultLocale: fc.constantFrom(...LOCALES) }),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.record(
        {
          code: fc.record({ length: fc.integer({ min: 0, max: 40 }), alphabet: alphabetNames }),
          codeLength: fc.record({
            min: fc.integer({ min: 0, max: 40 }),
            max: fc.integer({ min: 0, max: 40 }),
          }),
          validitySeconds: bounds(0, 100_000),
          maxAttempts: bounds(0, 25),
          sends: fc.record({
            max: mostly(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 2_000 })),
            windowSeconds: fc.integer({ min: 0, max: 1_000_000 }),
          }),
          resendIntervalSeconds: mostly(fc.integer({ min: 0, max: 60 }), fc.integer({ min: -1, max: 4_000 })),
          channels: mostly(fc.subarray(['sms', 'voice'], { minLength: 1 }), fc.subarray(['sms', 'fax'])),
          countries: fc.array(mostly(fc.constantFrom('34', '1', '44'), fc.constantFrom('0', 'x', '')), {
            maxLength: 3,
          }),
          senderId: mostly(
            fc.stringMatching(/^[a-zA-Z0-9]{3,11}$/),
            fc.stringMatching(/^[a-zA-Z0-9]{0,13}$/),
          ),
          senderIds: fc.array(fc.stringMatching(/^[a-zA-Z0-9]{3,11}$/), { maxLength: 3 }),
          defaultTemplate: fc.record({
            id: fc.constantFrom(...TEMPLATE_IDS, 'missing'),
            locale: fc.constantFrom(...LOCALES),
          }),
          defaultLocale: mostly(fc.constantFrom(...LOCALES), fc.constant('xx-yy')),
        },
        { requiredKeys: [] },
      ),
    },
  ),
);

/** How to aim requests at each route of the table, by its operation id (at every mount). */
const GENERATORS: Record<string, Pick<Operation, 'params' | 'body' | 'query' | 'phoneField'>> = {
  sendCode: { params: [], body: camaraSendBody, phoneField: 'phoneNumber' },
  validateCode: { params: [], body: camaraValidateBody },
  createVerification: { params: [], body: createBody, phoneField: 'to' },
  getVerification: { params: [uuidOrPool], body: none },
  checkVerification: { params: [uuidOrPool], body: checkBody },
  cancelVerification: { params: [uuidOrPool], body: none },
  resendVerification: { params: [uuidOrPool], body: resendBody },
  listTemplates: { params: [], body: none },
  getOwnPolicy: { params: [], body: none },
  getTemplate: { params: [templateId, locale], body: none },
  putTemplate: { params: [templateId, locale], body: templateBody },
  deleteTemplate: { params: [templateId, locale], body: none },
  getPolicy: { params: [policyClient], body: none },
  putPolicy: { params: [policyClient], body: policyBody },
  deletePolicy: { params: [policyClient], body: none },
  listWebhooks: { params: [], body: none },
  createWebhook: { params: [], body: createWebhookBody },
  getWebhook: { params: [endpointId], body: none },
  updateWebhook: { params: [endpointId], body: updateWebhookBody },
  deleteWebhook: { params: [endpointId], body: none },
  rotateWebhookSecret: { params: [endpointId], body: none },
  listVerifications: { params: [], body: none, query: listingQuery },
  getConversion: { params: [], body: none, query: conversionQuery },
  listFraudBlocks: { params: [], body: none },
  liftFraudBlock: { params: [fraudScope, blockTarget], body: none },
  listFraudAllowList: { params: [], body: none },
  allowFraudTarget: { params: [fraudScope, allowTarget], body: allowBody },
  removeFraudAllow: { params: [fraudScope, allowTarget], body: none },
  listFraudThrottles: { params: [], body: none, query: throttleQuery },
};

/** A key of a client that holds the scope: most requests use it. */
const KEY_WITH_SCOPE: Record<Scope, string> = {
  [SCOPES.camara]: CLIENT_A_KEY,
  [SCOPES.verifications]: CLIENT_A_KEY,
  [SCOPES.templates]: TEMPLATES_KEY,
  [SCOPES.admin]: ADMIN_KEY,
};

/** Every operation of the gateway's route table: a new route fails here until it has its generators. */
const OPERATIONS: Operation[] = listOperations(API_ROUTES).map(({ method, template, scope, route }) => {
  const generators = GENERATORS[route.operationId];
  if (!generators) throw new Error(`no fuzz generators for ${route.operationId}`);
  if (generators.params.length !== (route.parameters ?? []).length)
    throw new Error(`${route.operationId}: one generator per path parameter`);
  return {
    operationId: route.operationId,
    method,
    template,
    key: KEY_WITH_SCOPE[scope],
    ...generators,
    ...(route.idempotent ? { idempotency: true } : {}),
  };
});
const CAMARA_OPERATIONS = OPERATIONS.filter((operation) => !operation.template.startsWith('/v1/')).map(
  nameOf,
);
const OPERATION_BY_NAME = new Map(OPERATIONS.map((operation) => [nameOf(operation), operation]));

function nameOf(operation: { method: string; template: string }): string {
  return `${operation.method} ${operation.template}`;
}

function operationNamed(name: string): Operation {
  const operation = OPERATION_BY_NAME.get(name);
  if (!operation) throw new Error(`no operation ${name}`);
  return operation;
}

/** Requests aimed at one operation: its parameters, its body, and headers for its family. */
function plansFor(
  operation: Operation,
  overrides: { params?: fc.Arbitrary<string[]> } = {},
): fc.Arbitrary<Plan> {
  return fc.record({
    operation: fc.constant(nameOf(operation)),
    params: overrides.params ?? fc.tuple(...operation.params),
    query: operation.query ?? fc.constant(''),
    headers: headersFor(operation.key, others(operation.key), { idempotency: operation.idempotency }),
    body: operation.body,
  });
}

const plansOf = (names: string[]) => fc.oneof(...names.map((name) => plansFor(operationNamed(name))));

const shorten = (text: string, max = 300) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;

/**
 * Random, malformed and hostile requests on every documented operation, over real HTTP, against a
 * gateway on the real broker and database. The gateway's own /openapi.json is the oracle: only the
 * statuses it documents for an operation, with the documented bodies, never a 500. Each property
 * covers one family of operations or one kind of abuse, so a bug found in one does not stop the
 * others from exploring. At the end the database must hold exactly the sessions the gateway said it
 * created, each complete. Requests go one at a time: the shared FerretDB must never see a storm.
 */
describe('fuzzing the CAMARA and native APIs over HTTP', () => {
  let harness: GatewayHarness;
  let contract: Contract;
  /** Sessions the gateway said it created, in order: what `<<session:n>>` in a plan refers to. */
  const sessions: { id: string; phone: string | undefined }[] = [];
  /** Callback endpoints the gateway said it registered: what `<<endpoint:n>>` in a plan refers to. */
  const endpoints: string[] = [];
  /** For every number a send named: the ids of the sessions accepted for it, and how often it was refused. */
  const byPhone = new Map<string, { accepted: Set<string>; refused: number }>();
  const tally = new Map<string, number>();
  let requests = 0;

  beforeAll(async () => {
    // Requests are sequential (one in flight at a time), so the shared MongoDB-compatible server sees
    // nothing like a storm; the limits stay at the harness's (MAX_SENDS 5 per number) so they are fuzzed too.
    harness = await startHarness('fuzz', {
      TEST_NUMBERS: TEST_NUMBERS.map((number) => `${number}:${TEST_NUMBER_CODE}`).join(','),
    });
    const answer = await fetch(`${harness.url}/openapi.json`);
    contract = new Contract((await answer.json()) as OpenApiDocument);
    // Without a resend interval, a resend of a fresh session reaches the resender instead of a 429.
    const policy = await harness.call(
      'PUT',
      '/v1/admin/policies/client-a',
      { resendIntervalSeconds: 0 },
      { key: ADMIN_KEY },
    );
    expect(policy.status).toBe(200);
  });

  afterAll(async () => {
    const lines = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `  ${key}: ${n}`);
    console.log(
      `[fuzz] ${requests} requests, seed ${SEED}; answers by operation and status:\n${lines.join('\n')}`,
    );
    await harness.stop();
  });

  function resolve(text: string): string {
    return text
      .replace(
        ENDPOINT_REFERENCE,
        // Before any endpoint exists, a well-formed id that was never registered.
        (_match, index: string) =>
          endpoints[Number(index) % Math.max(1, endpoints.length)] ?? 'ep_neverregistered0',
      )
      .replace(POOL_REFERENCE, (_match, test: string | undefined, index: string) => {
        const pool = test
          ? sessions.filter((session) => session.phone !== undefined && TEST_NUMBERS.includes(session.phone))
          : sessions;
        const session = pool.length > 0 ? pool[Number(index) % pool.length] : undefined;
        // Before any session exists, a well-formed id that was never issued.
        return session?.id ?? '00000000-0000-4000-8000-000000000000';
      });
  }

  function build(plan: Plan, method?: string): BuiltRequest {
    const operation = operationNamed(plan.operation);
    let index = 0;
    const route = operation.template.replace(/\{[^}]+\}/g, () => plan.params[index++] ?? 'x');
    const path = resolve(plan.query === '' ? route : `${route}?${plan.query}`);
    let body: string | Buffer | undefined;
    if (plan.body.kind === 'json') body = resolve(JSON.stringify(plan.body.value));
    else if (plan.body.kind === 'text') body = resolve(plan.body.text);
    else if (plan.body.kind === 'bytes') body = Buffer.from(plan.body.bytes);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(plan.headers)) if (value !== undefined) headers[name] = value;
    let phone: string | undefined;
    if (operation.phoneField && body !== undefined) {
      try {
        const parsed = JSON.parse(body.toString()) as unknown;
        const value = (parsed as Record<string, unknown> | null)?.[operation.phoneField];
        if (typeof value === 'string') phone = value;
      } catch {
        // Not JSON: it names no number.
      }
    }
    return { operation, method: method ?? operation.method, path, headers, body, phone };
  }

  async function send(request: BuiltRequest): Promise<RawAnswer> {
    requests += 1;
    const answer = await rawRequest(harness.url, {
      method: request.method,
      path: request.path,
      headers: request.headers,
      body: request.body,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    const code = (answer.body as { code?: unknown } | undefined)?.code;
    const key = `${request.method} ${request.operation.template} ${answer.status}${typeof code === 'string' ? ` ${code}` : ''}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    record(request, answer);
    return answer;
  }

  /** Remembers what a send did to which number, for the database checks at the end. */
  function record(request: BuiltRequest, answer: RawAnswer): void {
    if (
      request.operation.operationId === 'createWebhook' &&
      request.method === 'POST' &&
      answer.status === 201
    ) {
      const id = (answer.body as { id?: unknown } | undefined)?.id;
      if (typeof id !== 'string') throw new Error(`a 201 without an id: ${answer.text}`);
      endpoints.push(id);
    }
    if (!request.operation.phoneField || request.method !== request.operation.method) return;
    const created = answer.status === 200 || answer.status === 201;
    const body = answer.body as { authenticationId?: unknown; id?: unknown } | undefined;
    const id = created ? (body?.authenticationId ?? body?.id) : undefined;
    if (created && typeof id !== 'string')
      throw new Error(`a ${answer.status} without an id: ${answer.text}`);
    if (typeof id === 'string' && !sessions.some((session) => session.id === id))
      sessions.push({ id, phone: request.phone });
    if (request.phone === undefined) return;
    // By the canonical form: two spellings of one number are one number.
    const phone = canonicalPhoneNumber(request.phone).e164;
    const entry = byPhone.get(phone) ?? { accepted: new Set<string>(), refused: 0 };
    if (typeof id === 'string') entry.accepted.add(id);
    else entry.refused += 1;
    byPhone.set(phone, entry);
  }

  function describeRequest(request: BuiltRequest): string {
    const body =
      request.body === undefined
        ? '(none)'
        : Buffer.isBuffer(request.body)
          ? `<${request.body.length} bytes ${request.body.toString('hex').slice(0, 80)}>`
          : JSON.stringify(shorten(request.body));
    return `${request.method} ${shorten(request.path, 200)} headers ${shorten(JSON.stringify(request.headers))} body ${body}`;
  }

  /** Sends a request and throws, with the request and the answer, if the answer is not documented. */
  async function expectDocumented(request: BuiltRequest): Promise<void> {
    const answer = await send(request);
    const problems = contract.problems(
      { method: request.method, template: request.operation.template, headers: request.headers },
      answer,
    );
    if (problems.length > 0) {
      throw new Error(
        `${problems.join('; ')}\n    request: ${describeRequest(request)}\n    answer: ${answer.status} ${shorten(answer.text)}`,
      );
    }
  }

  /** Runs a property with the fixed seed; on failure prints the seed, the replay path and the counterexample. */
  async function fuzz<T>(
    name: string,
    plans: fc.Arbitrary<T>,
    runs: number,
    property: (plan: T) => Promise<void>,
  ) {
    const started = performance.now();
    const numRuns = Math.max(1, Math.round(runs * SCALE));
    const details = await fc.check(fc.asyncProperty(plans, property), {
      seed: SEED,
      numRuns,
      ...(REPLAY_PATH ? { path: REPLAY_PATH } : {}),
    });
    if (details.failed) {
      // The report names the counterexample; the error it threw says what was wrong with the answer.
      const report =
        `${fc.defaultReportMessage(details) ?? 'the property failed'}\n${String(details.errorInstance)}`
          .split('\n')
          .map((line) => shorten(line, 3_000))
          .join('\n');
      console.error(
        `[fuzz] ${name} FAILED (seed ${details.seed}, path ${details.counterexamplePath ?? '?'}; replay with ` +
          `FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''} and -t "${name}")\n${report}`,
      );
      throw new Error(`${name}: ${report}`);
    }
    console.log(
      `[fuzz] ${name}: ${details.numRuns} runs in ${Math.round(performance.now() - started)} ms, seed ${details.seed}`,
    );
  }

  const documented = (plan: Plan) => expectDocumented(build(plan));

  it('plans requests for every documented operation, and only for those', () => {
    expect(OPERATIONS.map(nameOf).sort()).toEqual(contract.operations().sort());
  });

  // Administration first: policies stored for client-b then shape what client-b's sends get below.
  it('template and policy administration answers only as documented', async () => {
    await fuzz(
      'administration',
      plansOf([
        'PUT /v1/templates/{id}/{locale}',
        'GET /v1/templates/{id}/{locale}',
        'DELETE /v1/templates/{id}/{locale}',
        'PUT /v1/admin/policies/{clientId}',
        'GET /v1/admin/policies/{clientId}',
        'DELETE /v1/admin/policies/{clientId}',
      ]),
      400,
      documented,
    );
  }, 60_000);

  it('callback endpoint administration answers only as documented', async () => {
    await fuzz(
      'webhooks',
      plansOf([
        'GET /v1/webhooks',
        'POST /v1/webhooks',
        'GET /v1/webhooks/{id}',
        'PATCH /v1/webhooks/{id}',
        'DELETE /v1/webhooks/{id}',
        'POST /v1/webhooks/{id}/secret',
      ]),
      300,
      documented,
    );
    // Registrations reached the store, so the later operations also met endpoints that exist.
    expect(endpoints.length).toBeGreaterThan(0);
  }, 60_000);

  it('fraud guard administration answers only as documented', async () => {
    await fuzz(
      'fraud administration',
      plansOf([
        'GET /v1/admin/fraud/blocks',
        'DELETE /v1/admin/fraud/blocks/{scope}/{target}',
        'GET /v1/admin/fraud/allow',
        'PUT /v1/admin/fraud/allow/{scope}/{target}',
        'DELETE /v1/admin/fraud/allow/{scope}/{target}',
        'GET /v1/admin/fraud/throttles',
      ]),
      200,
      documented,
    );
  }, 60_000);

  it('CAMARA send-code and validate-code, at both mounts, answer only as documented', async () => {
    await fuzz('camara', plansOf(CAMARA_OPERATIONS), 1_000, documented);
  }, 60_000);

  it('the native verification operations answer only as documented', async () => {
    await fuzz(
      'verifications',
      plansOf([
        'POST /v1/verifications',
        'GET /v1/verifications/{id}',
        'POST /v1/verifications/{id}/check',
        'POST /v1/verifications/{id}/cancel',
        'POST /v1/verifications/{id}/resend',
      ]),
      1_000,
      documented,
    );
  }, 60_000);

  // After the sends, so that the listing and the buckets may hold something (the projector is the
  // dispatcher's, which this harness does not run: the read models answer empty pages and zeros).
  it('listing verifications and the conversion figures answer only as documented', async () => {
    await fuzz(
      'listing and conversion',
      plansOf(['GET /v1/verifications', 'GET /v1/analytics/conversion']),
      200,
      documented,
    );
  }, 60_000);

  it('listing templates and reading the own policy answer only as documented', async () => {
    await fuzz(
      'template list and own policy',
      plansOf(['GET /v1/templates', 'GET /v1/policy']),
      80,
      documented,
    );
  }, 30_000);

  it('a path parameter that is not valid percent-encoding is a client error', async () => {
    const withParameters = OPERATIONS.filter((operation) => operation.params.length > 0);
    const plans = fc.oneof(
      ...withParameters.map((operation) =>
        plansFor(operation, {
          params: fc
            .tuple(fc.tuple(...operation.params), fc.nat(), malformedPercentEncoding)
            .map(([params, which, bad]) =>
              params.map((value, index) => (index === which % params.length ? bad : value)),
            ),
        }),
      ),
    );
    await fuzz('malformed path parameters', plans, 150, documented);
  }, 30_000);

  it('a body whose Content-Encoding is wrong or unknown is a client error', async () => {
    const encode: Record<string, (body: Buffer) => Buffer> = {
      gzip: (body) => gzipSync(body),
      deflate: (body) => deflateSync(body),
      br: (body) => brotliCompressSync(body),
      identity: (body) => body,
    };
    const plans = fc.record({
      plan: plansOf(['POST /one-time-password-sms/v1/send-code', 'POST /v1/verifications']),
      declared: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip', 'GZIP', ''),
      actual: fc.constantFrom('gzip', 'deflate', 'br', 'identity'),
    });
    await fuzz('content encodings', plans, 150, async ({ plan, declared, actual }) => {
      const request = build(plan);
      request.headers['content-encoding'] = declared;
      if (request.body !== undefined)
        request.body = encode[actual]?.(Buffer.from(request.body)) ?? request.body;
      await expectDocumented(request);
    });
  }, 30_000);

  it('a method an operation does not take is a 405 naming the methods it does', async () => {
    const plans = fc.record({
      plan: fc.oneof(...OPERATIONS.map((operation) => plansFor(operation))),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
    });
    await fuzz('other methods', plans, 200, async ({ plan, method }) => {
      const request = build(plan, method);
      if (contract.methods(request.operation.template).includes(method)) return;
      await expectDocumented(request);
    });
  }, 30_000);

  it('left no half-written code, and none for a number that was refused', async () => {
    const documents = await numberDocuments(harness.gateway);
    const incomplete: string[] = [];
    /** `<numberKey>/<tenantKey>/<codeId>` of every stored code. */
    const storedCodes = new Set<string>();
    for (const document of documents) {
      for (const [tenantKey, tenant] of Object.entries(document.tenants ?? {})) {
        for (const [codeId, entry] of Object.entries(tenant.codes ?? {})) {
          storedCodes.add(`${document._id}/${tenantKey}/${codeId}`);
          // Types, enums and required fields: the stored entry against the model's own schema.
          const checked = codeEntrySchema.safeParse(entry);
          if (!checked.success) incomplete.push(`${document._id}/${codeId}: ${checked.error.message}`);
        }
      }
    }
    expect(incomplete).toEqual([]);

    // Exactly the codes the gateway answered 200/201 for: none behind a refusal, none lost. Only the
    // clients with the send scopes (A and B) created any.
    const { addresses } = harness.gateway;
    const placeOf = (id: string) =>
      ['client-a', 'client-b']
        .map((clientId) => addresses.resolve(id, clientId))
        .map((ref) => (ref ? `${ref.numberKey}/${ref.tenantKey}/${ref.codeId}` : undefined))
        .find((place) => place !== undefined && storedCodes.has(place));
    const lost = sessions.filter((session) => placeOf(session.id) === undefined).map((session) => session.id);
    expect(lost).toEqual([]);
    const acceptedPlaces = new Set(sessions.map((session) => placeOf(session.id)));
    expect([...storedCodes].filter((place) => !acceptedPlaces.has(place))).toEqual([]);
    for (const session of sessions) {
      // The id names the canonical form of the number the request gave.
      if (session.phone !== undefined)
        expect(addresses.resolve(session.id, 'client-a')?.e164, session.id).toBe(
          canonicalPhoneNumber(session.phone).e164,
        );
    }
    // A number every request for which was refused has no code at all.
    const refusedOnly = [...byPhone].filter(([, entry]) => entry.accepted.size === 0).map(([phone]) => phone);
    const behindRefusals = (
      await Promise.all(refusedOnly.map((phone) => codesOfNumber(harness.gateway, phone)))
    ).flat();
    expect(behindRefusals).toEqual([]);

    const refusals = [...byPhone.values()].reduce((sum, entry) => sum + entry.refused, 0);
    console.log(
      `[fuzz] database: ${storedCodes.size} codes in ${documents.length} numbers, all complete; ${byPhone.size} numbers named by sends, ` +
        `${refusedOnly.length} only ever refused (${refusals} refusals in all), no code behind any of them`,
    );
    expect(storedCodes.size).toBeGreaterThan(0);
  }, 30_000);
});
