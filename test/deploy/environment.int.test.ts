/**
 * The variables the deployment files give the services, held to the services' own config schemas: a
 * variable a manifest or docker-compose.yml sets that no schema reads is a setting that silently does
 * nothing (as RABBITMQ_CA_FILE did, for RABBITMQ_TLS_CA_FILE: the prod overlay's broker CA was never
 * read), and a variable a schema cannot do without must be set everywhere the service runs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { envSchema as dispatcherSchema } from '../../services/dispatcher/src/config.js';
import { PROVIDER_FACTORIES } from '../../services/dispatcher/src/providers/registry.js';
import { envSchema as gatewaySchema } from '../../services/gateway/src/config.js';
import { envSchema as metricsSchema } from '../../services/metrics/src/config.js';
import { tracingEnvSchema } from '../../shared/telemetry/src/config.js';
import { ROOT, interpolate, kustomize, type K8sObject } from './support.js';

const SERVICES = ['gateway', 'dispatcher', 'metrics'] as const;
type ServiceName = (typeof SERVICES)[number];
const OVERLAYS = ['k8s/overlays/dev', 'k8s/overlays/prod'] as const;

/** The object schema behind a schema (refinements keep it; a transform wraps it in a pipe). */
function shapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodPipe) return shapeOf(schema.in as z.ZodType);
  throw new Error('not an object schema');
}

const SCHEMAS: Record<ServiceName, z.ZodType[]> = {
  gateway: [gatewaySchema, tracingEnvSchema],
  dispatcher: [dispatcherSchema, tracingEnvSchema, ...PROVIDER_FACTORIES.map((item) => item.envSchema)],
  metrics: [metricsSchema, tracingEnvSchema],
};
/** Every variable a service reads. */
const known = (service: ServiceName) =>
  new Set(SCHEMAS[service].flatMap((schema) => Object.keys(shapeOf(schema))));
/** The variables a service cannot start without (no default, not optional), in any environment. */
const required = (service: ServiceName) => {
  const [own] = SCHEMAS[service];
  return Object.entries(shapeOf(own as z.ZodType))
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([name]) => name);
};

/** What a container sets: env names and the keys of its ConfigMaps; `$(VAR)` helpers apart. */
function containerVariables(container: IContainer, objects: K8sObject[]) {
  const configMaps = objects.filter((object) => object.kind === 'ConfigMap') as unknown as IConfigMap[];
  const fromConfigMaps = (container.envFrom ?? []).flatMap((source) =>
    Object.keys(configMaps.find((item) => item.metadata?.name === source.configMapRef?.name)?.data ?? {}),
  );
  const env = container.env ?? [];
  // Defined only to be expanded into another value (a URL's credentials from a Secret).
  const helpers = new Set(
    env.flatMap((item) =>
      [...(item.value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1]),
    ),
  );
  return {
    set: [...env.map((item) => item.name), ...fromConfigMaps].filter((name) => !helpers.has(name)),
    secrets: (container.envFrom ?? []).flatMap((source) => source.secretRef?.name ?? []),
  };
}

describe('the schemas these tests read', () => {
  it('know the variables every service reads (and the helper finds them)', () => {
    for (const service of SERVICES) {
      expect(known(service).size, service).toBeGreaterThan(10);
      for (const name of ['NODE_ENV', 'PORT', 'RABBITMQ_URL', 'RABBITMQ_TLS_CA_FILE', 'RABBITMQ_POLICIES'])
        expect(known(service), `${service} ${name}`).toContain(name);
      expect(known(service), service).not.toContain('RABBITMQ_CA_FILE');
    }
    expect(known('dispatcher')).toContain('TWILIO_ACCOUNT_SID');
    expect(known('gateway')).not.toContain('TWILIO_ACCOUNT_SID');
  });
});

describe.each(OVERLAYS)('kustomize overlay %s: the services’ environment', (overlay) => {
  const objects = kustomize(overlay);
  const deployments = objects.filter((object) => object.kind === 'Deployment') as unknown as IDeployment[];

  it.each(SERVICES)('%s: sets only variables its config reads, and every one it needs', (service) => {
    const deployment = deployments.find((item) => item.metadata?.name === `otpflow-${service}`);
    const [container] = deployment?.spec?.template.spec?.containers ?? [];
    expect(container).toBeDefined();
    const { set, secrets } = containerVariables(container as IContainer, objects);
    const reads = known(service);
    expect(set.filter((name) => !reads.has(name))).toEqual([]);
    // A required variable may come from a Secret the operator creates (not rendered, so not seen).
    const missing = required(service).filter((name) => !set.includes(name));
    if (secrets.length === 0) expect(missing).toEqual([]);
  });
});

describe('docker-compose.yml: the services’ environment', () => {
  const compose = interpolate(
    parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as unknown,
  ) as { services: Record<string, { environment?: Record<string, string> }> };

  it.each(SERVICES)('%s: sets only variables its config reads, and every one it needs', (service) => {
    const environment = Object.keys(compose.services[service]?.environment ?? {});
    expect(environment.length).toBeGreaterThan(0);
    const reads = known(service);
    expect(environment.filter((name) => !reads.has(name))).toEqual([]);
    expect(required(service).filter((name) => !environment.includes(name))).toEqual([]);
  });
});
