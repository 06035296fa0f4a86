import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../api-routes.js';
import { buildOpenApiDocument } from '../openapi/openapi-document.js';
import { listOperations, pathTemplate } from './route.js';

describe('the route table', () => {
  it('turns a mount and an express path into the OpenAPI template', () => {
    expect(pathTemplate('/v1/verifications', '/')).toBe('/v1/verifications');
    expect(pathTemplate('/v1/templates', '/:id/:locale')).toBe('/v1/templates/{id}/{locale}');
    expect(pathTemplate('/otpvalidation', '/send-code')).toBe('/otpvalidation/send-code');
  });

  it('lists each CAMARA operation at both mounts, the second with its suffix', () => {
    const camara = listOperations(API_ROUTES).filter((operation) => operation.api === 'camara');
    expect(camara.map((operation) => `${operation.operationId} ${operation.template}`).sort()).toEqual([
      'sendCode /one-time-password-sms/v1/send-code',
      'sendCodeAtOtpvalidation /otpvalidation/send-code',
      'validateCode /one-time-password-sms/v1/validate-code',
      'validateCodeAtOtpvalidation /otpvalidation/validate-code',
    ]);
  });

  describe('the OpenAPI document made from it', () => {
    const document = buildOpenApiDocument('test') as {
      paths: Record<string, Record<string, { operationId?: string; 'x-otpflow-scope'?: string }>>;
    };

    it('has every operation of the table, with its id and, for the native API, its scope', () => {
      for (const operation of listOperations(API_ROUTES)) {
        const documented = document.paths[operation.template]?.[operation.method.toLowerCase()];
        expect(documented?.operationId, operation.template).toBe(operation.operationId);
        if (operation.api === 'native') expect(documented?.['x-otpflow-scope']).toBe(operation.scope);
      }
    });

    it("documents a route's query parameters and its own description after the scope", () => {
      const conversion = document.paths['/v1/analytics/conversion']?.get as unknown as {
        description: string;
        parameters: { name?: string; in?: string; required?: boolean }[];
      };
      expect(conversion.description).toMatch(
        /^Needs the scope `otpflow:verifications`\. Summed from hourly buckets/,
      );
      const query = conversion.parameters.filter((parameter) => parameter.in === 'query');
      expect(query.map(({ name, required }) => `${name}:${String(required)}`)).toEqual([
        'from:true',
        'to:true',
        'groupBy:false',
      ]);
    });

    it('refers only to components it has', () => {
      const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/([^"]+)"/g)].map(
        (match) => match[1] ?? '',
      );
      expect(refs.length).toBeGreaterThan(0);
      for (const ref of new Set(refs)) {
        const target = ref
          .split('/')
          .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
        expect(target, ref).toBeDefined();
      }
    });
  });
});
