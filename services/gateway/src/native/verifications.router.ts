import { ApiError } from '@otpflow/errors';
import { typedCollection, type DeliveryModel } from '@otpflow/mongo';
import { forwardedFor } from '../http/forwarded-for.js';
import { Router } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import { SCOPES } from '../auth/scopes.js';
import type { Principal } from '../auth/principal.js';
import { authorize, principalOf } from '../http/authorize.js';
import { acceptsJson, jsonBody, parseBody } from '../http/body.js';
import { methodNotAllowed } from '../http/error-handler.js';
import { nameRoute } from '../http/http-metrics.js';
import { idempotencyKeySchema, type IdempotencyStore } from '../http/idempotency.js';
import type { CodeChecker } from '../otp/code-checker.js';
import type { CodeIssuer } from '../otp/code-issuer.js';
import type { Limits } from '../otp/limits.js';
import type { CheckResult, StoredCode } from '../otp/session-store.js';
import type { PolicyStore } from '../policies/policy.store.js';
import { nativeSendRequest } from './verification-request.js';
import { statusOf, verificationView } from './verification-view.js';
import {
  checkVerificationSchema,
  createVerificationSchema,
  resendVerificationSchema,
  type CheckResult as CheckAnswer,
} from './verification.schemas.js';

export interface VerificationsRouterOptions {
  authenticator: Authenticator;
  limits: Limits;
  policies: PolicyStore;
  issuer: CodeIssuer;
  checker: CodeChecker;
  deliveries: DeliveryModel;
  idempotency: IdempotencyStore;
  bodyLimitBytes: number;
}

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

/**
 * The native API, /v1/verifications: create (every option of the provider seeds, within the client's
 * policy), check, get, cancel, resend. Errors name the field at fault in `details.field`.
 */
export function verificationsRouter(options: VerificationsRouterOptions): Router {
  const router = Router();
  const gate = [
    nameRoute,
    authorize(options.authenticator, options.limits, SCOPES.verifications),
    acceptsJson,
  ];
  const withBody = [...gate, ...jsonBody(options.bodyLimitBytes)];
  const withOptionalBody = [...gate, ...jsonBody(options.bodyLimitBytes, { optional: true })];

  const deliveries = typedCollection(options.deliveries);

  /** A verification of the caller's, or 404 (another client's verifications do not exist for it). */
  const verificationOf = async (principal: Principal, id: string | string[] | undefined) => {
    const code = typeof id === 'string' ? await options.checker.current(principal, id) : undefined;
    if (!code) throw notFound();
    return code;
  };

  /** The verification with its current code's delivery record. */
  const view = async (code: StoredCode) => {
    const delivery = await deliveries.findOne({ _id: code.entry.jobId });
    return verificationView(code, delivery);
  };

  router.post('/', ...withBody, async (request, response) => {
    const principal = principalOf(response.locals);
    const body = parseBody(createVerificationSchema, request.body);
    const create = async () => {
      const { policy } = await options.policies.effective(principal.clientId);
      const { code } = await options.issuer.send(principal, policy, {
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
    const result = await options.idempotency.run(
      { clientId: principal.clientId, key: parsedKey.data, operation: 'create-verification', request: body },
      create,
    );
    if (result.replayed) response.setHeader('Idempotent-Replayed', 'true');
    response.status(result.status).json(result.body);
  });

  router.get('/:id', ...gate, async (request, response) => {
    response.json(await view(await verificationOf(principalOf(response.locals), request.params.id)));
  });

  router.post('/:id/check', ...withBody, async (request, response) => {
    const principal = principalOf(response.locals);
    const body = parseBody(checkVerificationSchema, request.body);
    const outcome = await options.checker.check(principal, String(request.params.id), body.code);
    if (outcome.kind === 'not_found') throw notFound();
    response.json(checkAnswer(outcome));
  });

  router.post('/:id/cancel', ...gate, async (request, response) => {
    const outcome = await options.checker.cancel(principalOf(response.locals), String(request.params.id));
    if (outcome.kind === 'not_found') throw notFound();
    // Canceling twice is harmless; canceling what ended otherwise is a conflict.
    if (outcome.code.status !== 'canceled') {
      throw new ApiError('CONFLICT', { message: 'The verification has already ended.' });
    }
    response.json(await view(outcome.code));
  });

  router.post('/:id/resend', ...withOptionalBody, async (request, response) => {
    const principal = principalOf(response.locals);
    const body = parseBody(resendVerificationSchema, request.body);
    const current = await verificationOf(principal, request.params.id);
    const { policy } = await options.policies.effective(principal.clientId);
    const { code } = await options.issuer.resend(
      principal,
      policy,
      current,
      body.channel ?? current.entry.channel,
      response.locals.correlator,
    );
    response.json(verificationView(code, null));
  });

  // GET / is the listing (listing/listing.router.ts, mounted ahead of this router).
  router.all('/', nameRoute, methodNotAllowed(['GET', 'POST']));
  router.all('/:id', nameRoute, methodNotAllowed(['GET']));
  router.all(['/:id/check', '/:id/cancel', '/:id/resend'], nameRoute, methodNotAllowed(['POST']));
  return router;
}
