import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { RawAnswer } from '../../support/raw-http.js';

interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema?: unknown }>;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { responses?: Record<string, ResponseObject> } | undefined>>;
  components: { responses: Record<string, ResponseObject> };
}

/** What the checks need to know about the request an answer belongs to. */
export interface SentRequest {
  method: string;
  /** The documented path template the request was aimed at, e.g. `/v1/verifications/{id}/check`. */
  template: string;
  headers: Record<string, string | string[] | undefined>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const ERROR_KEYS = ['status', 'code', 'message'];
const NATIVE_ERROR_KEYS = [...ERROR_KEYS, 'details'];

const pointer = (...parts: string[]) =>
  parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** How Node's HTTP server presents a header the client sent: trimmed, repeated values joined. */
export function receivedHeader(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trim = (text: string) => text.replace(/^[ \t]+|[ \t]+$/g, '');
  return Array.isArray(value) ? value.map(trim).join(', ') : trim(value);
}

/**
 * The gateway's own OpenAPI document as the oracle: an answer conforms when its status is one the
 * document lists for the operation, its body matches the documented schema, an error body is exactly
 * `{status, code, message[, details]}` with `status` equal to the HTTP status, and the x-correlator
 * rules of CAMARA hold.
 */
export class Contract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly correlatorSchema: ValidateFunction;

  constructor(readonly document: OpenApiDocument) {
    this.ajv.addSchema(document, 'openapi.json');
    this.correlatorSchema = this.ajv.compile({ $ref: 'openapi.json#/components/schemas/XCorrelator' });
  }

  /** The methods the document defines on a path template, upper case. */
  methods(template: string): string[] {
    const item = this.document.paths[template];
    if (!item) throw new Error(`${template} is not in the OpenAPI document`);
    return Object.keys(item)
      .filter((key) => HTTP_METHODS.includes(key))
      .map((key) => key.toUpperCase());
  }

  /** Every documented operation, as `METHOD template`. */
  operations(): string[] {
    return Object.keys(this.document.paths).flatMap((template) =>
      this.methods(template).map((method) => `${method} ${template}`),
    );
  }

  correlatorValid(value: string): boolean {
    return this.correlatorSchema(value);
  }

  private validator(schemaPointer: string): ValidateFunction {
    let validate = this.validators.get(schemaPointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi.json#${schemaPointer}` });
      this.validators.set(schemaPointer, validate);
    }
    return validate;
  }

  /**
   * What is wrong with an answer to a documented operation; empty when nothing is. A method the path
   * does not take must answer 405 with `Allow` listing the documented methods (the document has no
   * operation for it, so its 405 body is checked against the API's generic 405 response).
   */
  problems(request: SentRequest, answer: RawAnswer): string[] {
    const problems: string[] = [];
    const camara = !request.template.startsWith('/v1/');
    const correlatorProblems = this.correlatorProblems(request, answer);
    problems.push(...correlatorProblems.problems);

    const item = this.document.paths[request.template];
    const operation = item?.[request.method.toLowerCase()];
    let schemaPointer: string | undefined;
    if (!operation) {
      if (correlatorProblems.malformed) {
        // The correlator is checked first on every route: a 400 is the right answer here.
      } else if (answer.status !== 405) {
        problems.push(`${request.method} is not an operation of ${request.template}: expected 405`);
      } else {
        const allow = (answer.headers.allow ?? '')
          .split(',')
          .map((method) => method.trim())
          .filter(Boolean)
          .sort();
        const documented = this.methods(request.template).sort();
        if (allow.join(',') !== documented.join(','))
          problems.push(`405 with Allow "${allow.join(', ')}", documented ${documented.join(', ')}`);
        const component = camara ? 'Generic405' : 'NativeMethodNotAllowed';
        schemaPointer = `/${pointer('components', 'responses', component, 'content', 'application/json', 'schema')}`;
      }
    } else {
      const documented = operation.responses?.[String(answer.status)];
      if (!documented) {
        problems.push(
          `status ${answer.status} is not documented for ${request.method} ${request.template} ` +
            `(documented: ${Object.keys(operation.responses ?? {}).join(', ')})`,
        );
      } else {
        schemaPointer = documented.$ref
          ? `${documented.$ref.slice(1)}/content/application~1json/schema`
          : `/${pointer('paths', request.template, request.method.toLowerCase(), 'responses', String(answer.status), 'content', 'application/json', 'schema')}`;
      }
    }

    if (answer.status === 204 && answer.text !== '') problems.push('a 204 with a body');
    if (answer.text !== '') {
      const type = answer.headers['content-type'] ?? '';
      if (!type.startsWith('application/json')) problems.push(`a body of type "${type}", not JSON`);
    }
    if (answer.status >= 400) problems.push(...this.errorBodyProblems(answer, camara));
    if (schemaPointer && answer.text !== '') {
      const validate = this.validator(schemaPointer);
      if (!validate(answer.body))
        problems.push(`the body does not match the documented schema: ${JSON.stringify(validate.errors)}`);
    }
    return problems;
  }

  private errorBodyProblems(answer: RawAnswer, camara: boolean): string[] {
    const body = answer.body;
    if (!answer.json || typeof body !== 'object' || body === null || Array.isArray(body))
      return ['an error answer without a JSON object body'];
    const problems: string[] = [];
    const fields = body as Record<string, unknown>;
    const allowed = camara ? ERROR_KEYS : NATIVE_ERROR_KEYS;
    const extra = Object.keys(fields).filter((key) => !allowed.includes(key));
    if (extra.length > 0) problems.push(`error body with extra fields: ${extra.join(', ')}`);
    if (fields.status !== answer.status)
      problems.push(`error body status ${JSON.stringify(fields.status)} on an HTTP ${answer.status}`);
    if (typeof fields.code !== 'string' || fields.code === '') problems.push('error body without a code');
    if (typeof fields.message !== 'string' || fields.message === '')
      problems.push('error body without a message');
    return problems;
  }

  /** A valid correlator is echoed; none gets one; a malformed one is a 400 and is not echoed. */
  private correlatorProblems(
    request: SentRequest,
    answer: RawAnswer,
  ): { problems: string[]; malformed: boolean } {
    const problems: string[] = [];
    const presented = receivedHeader(request.headers['x-correlator']);
    const echoed = answer.headers['x-correlator'];
    if (typeof echoed !== 'string' || echoed === '') problems.push('no x-correlator on the answer');
    const malformed = presented !== undefined && !this.correlatorValid(presented);
    if (malformed) {
      const code = (answer.body as { code?: unknown } | undefined)?.code;
      if (answer.status !== 400 || code !== 'INVALID_ARGUMENT')
        problems.push(`a malformed x-correlator answered ${answer.status} ${String(code)}, not 400`);
      if (echoed === presented) problems.push('a malformed x-correlator was echoed');
    } else if (presented && echoed !== presented) {
      problems.push(`x-correlator "${presented}" answered as "${String(echoed)}"`);
    }
    return { problems, malformed };
  }
}
