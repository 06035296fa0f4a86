type JsonObject = Record<string, unknown>;

/**
 * An error answer as OpenAPI documents it: the API's error schema, narrowed to the status and the
 * codes this answer may carry, with the x-correlator header every answer has.
 */
export function errorResponse(error: {
  description: string;
  /** The error body's schema component: CAMARA's `ErrorInfo` or the native `NativeErrorInfo`. */
  info: string;
  status: number;
  codes: readonly string[];
  examples?: JsonObject;
}): JsonObject {
  return {
    description: error.description,
    headers: { 'x-correlator': { $ref: '#/components/headers/x-correlator' } },
    content: {
      'application/json': {
        schema: {
          allOf: [
            { $ref: `#/components/schemas/${error.info}` },
            { type: 'object', properties: { status: { enum: [error.status] }, code: { enum: error.codes } } },
          ],
        },
        ...(error.examples ? { examples: error.examples } : {}),
      },
    },
  };
}
