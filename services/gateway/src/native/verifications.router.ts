import { ApiError } from '@otpflow/errors';
import type { DeliveryDocument, DeliveryModel, SessionDocument, SessionModel } from '@otpflow/mongo';
import { Router } from 'express';
import { z } from 'zod';
import type { Authenticator } from '../auth/authenticator.js';
import { SCOPES } from '../auth/scopes.js';
import { authorize, principalOf } from '../http/authorize.js';
import { acceptsJson, jsonBody, parseBody } from '../http/body.js';
import { methodNotAllowed } from '../http/error-handler.js';
import { nameRoute } from '../http/http-metrics.js';
import { idempotencyKeySchema, type IdempotencyStore } from '../http/idempotency.js';
import type { CodeChecker, CheckOutcome } from '../otp/code-checker.js';
import type { CodeIssuer } from '../otp/code-issuer.js';
import type { CodeResender } from '../otp/code-resender.js';
import type { Limits } from '../otp/limits.js';
import type { PolicyStore } from '../policies/policy.store.js';
import { nativeSendRequest } from './verification-request.js';
import { statusOf, verificationView } from './verification-view.js';
import {
  checkVerificationSchema,
  createVerificationSchema,
  resendVerificationSchema,
  type CheckResult,
} from './verification.schemas.js';

export interface VerificationsRouterOptions {
  authenticator: Authenticator;
  limits: Limits;
  policies: PolicyStore;
  issuer: CodeIssuer;
  resender: CodeResender;
  checker: CodeChecker;
  sessions: SessionModel;
  deliveries: DeliveryModel;
  idempotency: IdempotencyStore;
  bodyLimitBytes: number;
}

const idSchema = z.uuid();

function checkResult(outcome: Exclude<CheckOutcome, { kind: 'not_found' }>): CheckResult {
  const { session } = outcome;
  return {
    id: session._id,
    valid: outcome.kind === 'verified',
    // A check answers from the session alone: the delivery's progress is not worth a read here.
    status: statusOf(session, null),
    attemptsRemaining:
      outcome.kind === 'wrong_code' ? outcome.attemptsRemaining : Math.max(0, session.attemptsLeft),
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

  /** A session of the caller's, or 404 (another client's sessions do not exist for it). */
  const sessionOf = async (clientId: string, id: unknown) => {
    const parsed = idSchema.safeParse(id);
    const session = parsed.success
      ? await options.sessions.findOne({ _id: parsed.data, clientId }).lean().exec()
      : null;
    if (!session) throw new ApiError('NOT_FOUND', { message: 'There is no such verification.' });
    return options.checker.current(session);
  };

  /** The verification with its current code's delivery record. */
  const view = async (session: SessionDocument) => {
    const delivery = await options.deliveries.findOne({ _id: session.jobId }).lean<DeliveryDocument>().exec();
    return verificationView(session, delivery);
  };

  router.post('/', ...withBody, async (request, response) => {
    const principal = principalOf(response.locals);
    const body = parseBody(createVerificationSchema, request.body);
    const create = async () => {
      const { policy } = await options.policies.effective(principal.clientId);
      const session = await options.issuer.send(
        principal,
        policy,
        nativeSendRequest(policy, body, response.locals.correlator),
      );
      return { status: 201, body: verificationView(session, null) };
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
    response.json(await view(await sessionOf(principalOf(response.locals).clientId, request.params.id)));
  });

  router.post('/:id/check', ...withBody, async (request, response) => {
    const principal = principalOf(response.locals);
    const body = parseBody(checkVerificationSchema, request.body);
    const id = idSchema.safeParse(request.params.id);
    const outcome = id.success
      ? await options.checker.check(principal, id.data, body.code)
      : ({ kind: 'not_found' } as const);
    if (outcome.kind === 'not_found')
      throw new ApiError('NOT_FOUND', { message: 'There is no such verification.' });
    response.json(checkResult(outcome));
  });

  router.post('/:id/cancel', ...gate, async (request, response) => {
    const session = await sessionOf(principalOf(response.locals).clientId, request.params.id);
    if (session.status !== 'canceled' && !(await options.checker.cancel(session))) {
      throw new ApiError('CONFLICT', { message: 'The verification has already ended.' });
    }
    response.json(await view({ ...session, status: 'canceled' }));
  });

  router.post('/:id/resend', ...withOptionalBody, async (request, response) => {
    const principal = principalOf(response.locals);
    const body = parseBody(resendVerificationSchema, request.body);
    const session = await sessionOf(principal.clientId, request.params.id);
    const { policy } = await options.policies.effective(principal.clientId);
    const renewed = await options.resender.resend(
      principal,
      policy,
      session,
      body.channel ?? session.channel,
      response.locals.correlator,
    );
    response.json(verificationView(renewed, null));
  });

  router.all('/', nameRoute, methodNotAllowed(['POST']));
  router.all('/:id', nameRoute, methodNotAllowed(['GET']));
  router.all(['/:id/check', '/:id/cancel', '/:id/resend'], nameRoute, methodNotAllowed(['POST']));
  return router;
}
