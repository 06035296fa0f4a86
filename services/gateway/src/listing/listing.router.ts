import { ApiError } from '@otpflow/errors';
import { Router } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import { SCOPES } from '../auth/scopes.js';
import { authorize, principalOf } from '../http/authorize.js';
import { acceptsJson, parseBody } from '../http/body.js';
import { methodNotAllowed } from '../http/error-handler.js';
import { nameRoute } from '../http/http-metrics.js';
import type { Limits } from '../otp/limits.js';
import { decodeCursor, encodeCursor } from './listing-cursor.js';
import { conversionReport, verificationSummary } from './listing-views.js';
import {
  conversionQuerySchema,
  DEFAULT_PAGE_SIZE,
  listVerificationsQuerySchema,
  MAX_CONVERSION_RANGE_HOURS,
  type VerificationPage,
} from './listing.schemas.js';
import type { ReadModelReader } from './read-models.reader.js';

export interface ListingRouterOptions {
  authenticator: Authenticator;
  limits: Limits;
  readModels: ReadModelReader;
}

const HOUR_MS = 3_600_000;

/**
 * `GET /v1/verifications`: the caller's verifications, newest first, a page at a time, from the
 * verification records the dispatcher projects from the events. The tenant is the credential's,
 * never the query's. Mounted ahead of the verifications router, which answers the other methods.
 */
export function listingRouter(options: ListingRouterOptions): Router {
  const router = Router();
  const gate = [
    nameRoute,
    authorize(options.authenticator, options.limits, SCOPES.verifications),
    acceptsJson,
  ];
  router.get('/', ...gate, async (request, response) => {
    const {
      cursor,
      pageSize = DEFAULT_PAGE_SIZE,
      ...filters
    } = parseBody(listVerificationsQuerySchema, request.query);
    const now = new Date();
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    // One more than a page tells whether another page follows, without a count.
    const records = await options.readModels.list(
      principalOf(response.locals).clientId,
      { ...filters, ...(after ? { after } : {}), limit: pageSize + 1 },
      now,
    );
    const page = records.slice(0, pageSize);
    const last = page.at(-1);
    const body: VerificationPage = {
      verifications: page.map((record) => verificationSummary(record, now)),
      nextCursor:
        records.length > pageSize && last ? encodeCursor({ createdAt: last.createdAt, id: last._id }) : null,
    };
    response.json(body);
  });
  return router;
}

/**
 * `GET /v1/analytics/conversion`: sent, verified, conversion and cost over a range, by country,
 * channel or provider, summed from the hourly buckets (never a scan of sessions or records).
 */
export function analyticsRouter(options: ListingRouterOptions): Router {
  const router = Router();
  const gate = [
    nameRoute,
    authorize(options.authenticator, options.limits, SCOPES.verifications),
    acceptsJson,
  ];
  router.get('/conversion', ...gate, async (request, response) => {
    const query = parseBody(conversionQuerySchema, request.query);
    // Buckets are whole hours: the range widens to the hours it touches.
    const from = new Date(Math.floor(query.from.getTime() / HOUR_MS) * HOUR_MS);
    const to = new Date(Math.ceil(query.to.getTime() / HOUR_MS) * HOUR_MS);
    if ((to.getTime() - from.getTime()) / HOUR_MS > MAX_CONVERSION_RANGE_HOURS)
      throw new ApiError('OUT_OF_RANGE', {
        message: `Client specified an invalid range. The range may span at most ${MAX_CONVERSION_RANGE_HOURS / 24} days.`,
        details: { field: 'to' },
      });
    const buckets = await options.readModels.buckets(principalOf(response.locals).clientId, from, to);
    response.json(conversionReport(buckets, { from, to, groupBy: query.groupBy }));
  });
  router.all('/conversion', nameRoute, methodNotAllowed(['GET']));
  return router;
}
