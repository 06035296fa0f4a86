import { ApiError } from '@otpflow/errors';
import { SCOPES } from '../auth/scopes.js';
import { parseBody } from '../http/body.js';
import { defineRoute, type QueryParameter, type RouteGroup } from '../http/route.js';
import { jsonSchemaOf } from '../openapi/json-schema.js';
import { verificationStatusSchema } from '../native/verification.schemas.js';
import { decodeCursor, encodeCursor } from './listing-cursor.js';
import { conversionReport, verificationSummary } from './listing-views.js';
import {
  CONVERSION_GROUPS,
  conversionQuerySchema,
  conversionReportSchema,
  DEFAULT_PAGE_SIZE,
  listVerificationsQuerySchema,
  MAX_CONVERSION_RANGE_HOURS,
  MAX_PAGE_SIZE,
  verificationPageSchema,
  type VerificationPage,
} from './listing.schemas.js';

const HOUR_MS = 3_600_000;
const dateTime = { type: 'string', format: 'date-time' };
const lag =
  'Read models of the event stream: they trail sends, receipts and checks by the projector’s lag (docs/native-api.md).';
const query = (name: string, description: string, schema: object, required = false): QueryParameter => ({
  name,
  required,
  doc: { description, schema },
});

/**
 * `GET /v1/verifications`: the caller's verifications, newest first, a page at a time, from the
 * verification records the dispatcher projects from the events. The tenant is the credential's,
 * never the query's. It shares its mount with the other verification routes (VERIFICATION_ROUTES).
 */
export const listVerifications = defineRoute({
  operationId: 'listVerifications',
  method: 'GET',
  path: '/',
  scope: SCOPES.verifications,
  summary: 'The caller’s verifications, newest first',
  description: lag,
  query: [
    query('status', 'As the verification’s GET tells it', jsonSchemaOf(verificationStatusSchema, 'output')),
    query('channel', 'sms or voice', { type: 'string', enum: ['sms', 'voice'] }),
    query('country', 'Country calling code, with or without +', {
      type: 'string',
      pattern: '^\\+?[1-9][0-9]{0,2}$',
    }),
    query('from', 'Created at or after', dateTime),
    query('to', 'Created before', dateTime),
    query('pageSize', `Default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}`, {
      type: 'string',
      pattern: '^[0-9]{1,4}$',
    }),
    query('cursor', 'nextCursor of the previous page (opaque)', {
      type: 'string',
      pattern: '^[A-Za-z0-9_-]{1,200}$',
    }),
  ],
  responses: [
    {
      status: 200,
      description: 'A page of verifications',
      body: { name: 'VerificationPage', schema: verificationPageSchema },
    },
  ],
  handle:
    ({ readModels }) =>
    async ({ request, response, principal }) => {
      const {
        cursor,
        pageSize = DEFAULT_PAGE_SIZE,
        ...filters
      } = parseBody(listVerificationsQuerySchema, request.query);
      const now = new Date();
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      // One more than a page tells whether another page follows, without a count.
      const records = await readModels.list(
        principal.clientId,
        { ...filters, ...(after ? { after } : {}), limit: pageSize + 1 },
        now,
      );
      const page = records.slice(0, pageSize);
      const last = page.at(-1);
      const body: VerificationPage = {
        verifications: page.map((record) => verificationSummary(record, now)),
        nextCursor:
          records.length > pageSize && last
            ? encodeCursor({ createdAt: last.createdAt, id: last._id })
            : null,
      };
      response.json(body);
    },
});

/**
 * `GET /v1/analytics/conversion`: sent, verified, conversion and cost over a range, by country,
 * channel or provider, summed from the hourly buckets (never a scan of sessions or records).
 */
const getConversion = defineRoute({
  operationId: 'getConversion',
  method: 'GET',
  path: '/conversion',
  scope: SCOPES.verifications,
  summary: 'Sent, verified, conversion and cost',
  description: `Summed from hourly buckets (the range widens to whole hours, at most 92 days). ${lag}`,
  query: [
    query('from', 'Start of the range', dateTime, true),
    query('to', 'End of the range', dateTime, true),
    query('groupBy', 'Group the figures by', { type: 'string', enum: [...CONVERSION_GROUPS] }),
  ],
  responses: [
    {
      status: 200,
      description: 'The figures',
      body: { name: 'ConversionReport', schema: conversionReportSchema },
    },
  ],
  handle:
    ({ readModels }) =>
    async ({ request, response, principal }) => {
      const query = parseBody(conversionQuerySchema, request.query);
      // Buckets are whole hours: the range widens to the hours it touches.
      const from = new Date(Math.floor(query.from.getTime() / HOUR_MS) * HOUR_MS);
      const to = new Date(Math.ceil(query.to.getTime() / HOUR_MS) * HOUR_MS);
      if ((to.getTime() - from.getTime()) / HOUR_MS > MAX_CONVERSION_RANGE_HOURS)
        throw new ApiError('OUT_OF_RANGE', {
          message: `Client specified an invalid range. The range may span at most ${MAX_CONVERSION_RANGE_HOURS / 24} days.`,
          details: { field: 'to' },
        });
      const buckets = await readModels.buckets(principal.clientId, from, to);
      response.json(conversionReport(buckets, { from, to, groupBy: query.groupBy }));
    },
});

export const ANALYTICS_ROUTES: RouteGroup = {
  api: 'native',
  mounts: [{ prefix: '/v1/analytics', operationSuffix: '' }],
  routes: [getConversion],
};
