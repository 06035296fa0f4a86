import { ApiError } from '@otpflow/errors';
import { typedCollection, type DeliveryModel } from '@otpflow/mongo';
import type { Principal } from '../auth/principal.js';
import { SCOPES } from '../auth/scopes.js';
import { idempotencyKeySchema } from '../http/idempotency.js';
import { listVerifications } from '../listing/listing.routes.js';
import { forwardedFor } from '../http/forwarded-for.js';
import { defineRoute, type PathParameter, type RouteDependencies, type RouteGroup } from '../http/route.js';
import type { CheckResult, StoredCode } from '../otp/session-store.js';
import { nativeSendRequest } from './verification-request.js';
import { statusOf, verificationView } from './verification-view.js';
import {
  checkResultSchema,
  checkVerificationSchema,
  createVerificationSchema,
  resendVerificationSchema,
  verificationSchema,
  type CheckResult as CheckAnswer,
} from './verification.schemas.js';

const notFound = () => new ApiError('NOT_FOUND', { message: 'There is no such verification.' });

function checkAnswer(outcome: Exclude<CheckResult, { kind: 'not_found' }>): CheckAnswer {
  const { code } = outcome;
  return {
    id: code.ref.authenticationId,
    valid: outcome.kind === 'verified',
    // A check answers from the code alone (as it stands after this check): the delivery's progress
    // is not worth a read here.
    status: statusOf(code, null),
    attemptsRemaining: Math.max(0, code.attemptsLeft),
  };
}

/** A verification of the caller's, or 404 (another client's verifications do not exist for it). */
async function verificationOf(deps: RouteDependencies, principal: Principal, id: string) {
  const code = await deps.checker.current(principal, id);
  if (!code) throw notFound();
  return code;
}

/** The verification with its current code's delivery record. */
async function viewWithDelivery(deliveries: DeliveryModel, code: StoredCode) {
  const delivery = await typedCollection(deliveries).findOne({ _id: code.entry.jobId });
  return verificationView(code, delivery);
}

/** Not checked at the edge: an id that is no verification's is a 404, whatever its shape. */
const idParameter: PathParameter<'id'> = {
  name: 'id',
  doc: {
    description:
      'The verification id: 36 characters shaped like a UUID (the encrypted address of its code, not a random UUID)',
    schema: { type: 'string', format: 'uuid' },
  },
};

const verification = { name: 'Verification', schema: verificationSchema };
const scope = SCOPES.verifications;

const createVerification = defineRoute({
  operationId: 'createVerification',
  method: 'POST',
  path: '/',
  scope,
  summary: 'Send a code by SMS or voice, with every option',
  idempotent: true,
  body: { schema: createVerificationSchema, name: 'CreateVerification' },
  responses: [{ status: 201, description: 'Created; the code is on its way', body: verification }],
  errors: ['Conflict'],
  handle:
    ({ policies, issuer, idempotency }) =>
    async ({ request, response, principal, body }) => {
      const create = async () => {
        const { policy } = await policies.effective(principal.clientId);
        const { code } = await issuer.send(principal, policy, {
          ...nativeSendRequest(policy, body, response.locals.correlator),
          ...forwardedFor(request),
        });
        return { status: 201, body: verificationView(code, null) };
      };
      const key = request.headers['idempotency-key'];
      if (key === undefined) {
        const created = await create();
        response.status(created.status).json(created.body);
        return;
      }
      const parsedKey = idempotencyKeySchema.safeParse(key);
      if (!parsedKey.success) {
        throw new ApiError('INVALID_ARGUMENT', {
          message: 'Idempotency-Key: must be 1-255 visible ASCII characters.',
          details: { field: 'Idempotency-Key' },
        });
      }
      const result = await idempotency.run(
        {
          clientId: principal.clientId,
          key: parsedKey.data,
          operation: 'create-verification',
          request: body,
        },
        create,
      );
      if (result.replayed) response.setHeader('Idempotent-Replayed', 'true');
      response.status(result.status).json(result.body);
    },
});

const getVerification = defineRoute({
  operationId: 'getVerification',
  method: 'GET',
  path: '/:id',
  scope,
  summary: 'Status, attempts and delivery',
  parameters: [idParameter],
  responses: [{ status: 200, description: 'The verification', body: verification }],
  errors: ['NotFound'],
  handle:
    (deps) =>
    async ({ response, principal, params }) => {
      response.json(
        await viewWithDelivery(deps.deliveries, await verificationOf(deps, principal, params.id)),
      );
    },
});

const checkVerification = defineRoute({
  operationId: 'checkVerification',
  method: 'POST',
  path: '/:id/check',
  scope,
  summary: 'Check a code; answers the attempts remaining',
  parameters: [idParameter],
  body: { schema: checkVerificationSchema, name: 'CheckVerification' },
  responses: [
    {
      status: 200,
      description: 'Whether the code was valid',
      body: { name: 'CheckResult', schema: checkResultSchema },
    },
  ],
  errors: ['NotFound'],
  handle:
    ({ checker }) =>
    async ({ response, principal, params, body }) => {
      const outcome = await checker.check(principal, params.id, body.code);
      if (outcome.kind === 'not_found') throw notFound();
      response.json(checkAnswer(outcome));
    },
});

const cancelVerification = defineRoute({
  operationId: 'cancelVerification',
  method: 'POST',
  path: '/:id/cancel',
  scope,
  summary: 'Cancel: the code never validates after this',
  parameters: [idParameter],
  responses: [{ status: 200, description: 'Canceled', body: verification }],
  errors: ['NotFound', 'Conflict'],
  handle:
    ({ checker, deliveries }) =>
    async ({ response, principal, params }) => {
      const outcome = await checker.cancel(principal, params.id);
      if (outcome.kind === 'not_found') throw notFound();
      // Canceling twice is harmless; canceling what ended otherwise is a conflict.
      if (outcome.code.status !== 'canceled') {
        throw new ApiError('CONFLICT', { message: 'The verification has already ended.' });
      }
      response.json(await viewWithDelivery(deliveries, outcome.code));
    },
});

const resendVerification = defineRoute({
  operationId: 'resendVerification',
  method: 'POST',
  path: '/:id/resend',
  scope,
  summary: 'Send a new code, on the same or another channel',
  parameters: [idParameter],
  body: { schema: resendVerificationSchema, name: 'ResendVerification', optional: true },
  responses: [{ status: 200, description: 'A new code is on its way', body: verification }],
  errors: ['NotFound', 'Conflict'],
  handle:
    (deps) =>
    async ({ response, principal, params, body }) => {
      const current = await verificationOf(deps, principal, params.id);
      const { policy } = await deps.policies.effective(principal.clientId);
      const { code } = await deps.issuer.resend(
        principal,
        policy,
        current,
        body.channel ?? current.entry.channel,
        response.locals.correlator,
      );
      response.json(verificationView(code, null));
    },
});

/**
 * The native API, /v1/verifications: create (every option of the provider seeds, within the client's
 * policy), check, get, cancel, resend. Errors name the field at fault in `details.field`.
 */
export const VERIFICATION_ROUTES: RouteGroup = {
  api: 'native',
  mounts: [{ prefix: '/v1/verifications', operationSuffix: '' }],
  routes: [
    listVerifications,
    createVerification,
    getVerification,
    checkVerification,
    cancelVerification,
    resendVerification,
  ],
};
