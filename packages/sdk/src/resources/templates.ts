import { pathSegment, type RequestOptions, type Transport } from '../core/transport.js';
import type { ChargeInfo } from './shared.js';

export interface TemplateUpsertParams {
  /** 1-1224 characters with `{{code}}`, and any `{{variables}}`; it must fit 8 SMS parts. */
  text: string;
}

/** A message template of the calling client. Times are ISO 8601 strings. */
export interface Template {
  id: string;
  locale: string;
  text: string;
  /** The `{{variables}}` the text uses, besides `{{code}}`. */
  variables: string[];
  /** What the text costs with a 6-character code. */
  chargeInfo: ChargeInfo;
  createdAt: string;
  updatedAt: string;
}

export interface TemplateListResponse {
  templates: Template[];
}

/**
 * /v1/templates: the calling client's message templates per locale (scope `otpflow:templates`; no
 * call reaches another client's templates). Every
 * call is safe to repeat, so all are retried on transient failures; a retried `delete` whose first
 * attempt went through answers NotFoundError.
 */
export class Templates {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** PUT /v1/templates/{id}/{locale}: creates or replaces the template. */
  upsert(
    id: string,
    locale: string,
    params: TemplateUpsertParams,
    options?: RequestOptions,
  ): Promise<Template> {
    return this.#transport.request({
      method: 'PUT',
      path: templatePath(id, locale),
      body: { text: params.text },
      idempotent: true,
      options,
    });
  }

  /** GET /v1/templates. */
  list(options?: RequestOptions): Promise<TemplateListResponse> {
    return this.#transport.request({ method: 'GET', path: '/v1/templates', idempotent: true, options });
  }

  /** GET /v1/templates/{id}/{locale}. */
  retrieve(id: string, locale: string, options?: RequestOptions): Promise<Template> {
    return this.#transport.request({
      method: 'GET',
      path: templatePath(id, locale),
      idempotent: true,
      options,
    });
  }

  /** DELETE /v1/templates/{id}/{locale}. */
  async delete(id: string, locale: string, options?: RequestOptions): Promise<void> {
    await this.#transport.request<undefined>({
      method: 'DELETE',
      path: templatePath(id, locale),
      idempotent: true,
      options,
    });
  }
}

function templatePath(id: string, locale: string): string {
  return `/v1/templates/${pathSegment(id, 'id')}/${pathSegment(locale, 'locale')}`;
}
