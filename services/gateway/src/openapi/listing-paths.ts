import { z } from 'zod';
import { SCOPES } from '../auth/scopes.js';
import {
  CONVERSION_GROUPS,
  conversionReportSchema,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  verificationPageSchema,
} from '../listing/listing.schemas.js';
import { verificationStatusSchema } from '../native/verification.schemas.js';

type JsonObject = Record<string, unknown>;

const output = (schema: z.ZodType): JsonObject => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
  }) as JsonObject;
  return rest;
};

/** The schemas of the listing and conversion answers, from the zod schemas the gateway answers with. */
export function listingSchemas(): Record<string, JsonObject> {
  return {
    VerificationPage: output(verificationPageSchema),
    ConversionReport: output(conversionReportSchema),
  };
}

const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });
const query = (name: string, description: string, schema: JsonObject, required = false) => ({
  name,
  in: 'query',
  required,
  description,
  schema,
});
const answer = (schema: string, description: string) => ({
  description,
  headers: { 'x-correlator': { $ref: '#/components/headers/x-correlator' } },
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
});
const errors = {
  '400': ref('NativeBadRequest'),
  '401': ref('NativeUnauthenticated'),
  '403': ref('NativeForbidden'),
  '406': ref('NativeNotAcceptable'),
  '429': ref('NativeTooManyRequests'),
  '503': ref('NativeUnavailable'),
};
const dateTime = { type: 'string', format: 'date-time' };
const lag =
  'Read models of the event stream: they trail sends, receipts and checks by the projector’s lag (docs/native-api.md).';

/** The listing's and the analytics' paths; `/v1/verifications` also has the create (native-paths.ts). */
export function listingOperations(
  operation: (
    id: string,
    summary: string,
    scope: typeof SCOPES.verifications,
    extra: JsonObject,
  ) => JsonObject,
): { list: JsonObject; paths: Record<string, JsonObject> } {
  const parameters = [{ $ref: '#/components/parameters/x-correlator' }];
  return {
    list: operation('listVerifications', 'The caller’s verifications, newest first', SCOPES.verifications, {
      description: `Needs the scope \`${SCOPES.verifications}\`. ${lag}`,
      parameters: [
        ...parameters,
        query('status', 'As the verification’s GET tells it', output(verificationStatusSchema)),
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
      responses: { '200': answer('VerificationPage', 'A page of verifications'), ...errors },
    }),
    paths: {
      '/v1/analytics/conversion': {
        get: operation('getConversion', 'Sent, verified, conversion and cost', SCOPES.verifications, {
          description: `Needs the scope \`${SCOPES.verifications}\`. Summed from hourly buckets (the range widens to whole hours, at most 92 days). ${lag}`,
          parameters: [
            ...parameters,
            query('from', 'Start of the range', dateTime, true),
            query('to', 'End of the range', dateTime, true),
            query('groupBy', 'Group the figures by', { type: 'string', enum: [...CONVERSION_GROUPS] }),
          ],
          responses: { '200': answer('ConversionReport', 'The figures'), ...errors },
        }),
      },
    },
  };
}
