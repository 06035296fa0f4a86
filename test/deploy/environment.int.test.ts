/**
 * The variables the deployment files give the services, held to the services' own config schemas: a
 * variable a manifest or docker-compose.yml sets that no schema reads is a setting that silently does
 * nothing (as RABBITMQ_CA_FILE did, for RABBITMQ_TLS_CA_FILE: the prod overlay's broker CA was never
 * read), and a variable a schema cannot do without must be set everywhere the service runs. The prod
 * overlay, loaded by the services' own loadConfig without its Secrets, may lack only what a Secret it
 * references gives (k8s/README.md lists each Secret's keys).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '@otpflow/config';
import {
  envSchema as dispatcherSchema,
  loadConfig as loadDispatcherConfig,
} from '../../services/dispatcher/src/config.js';
import { PROVIDER_FACTORIES } from '../../services/dispatcher/src/providers/registry.js';
import {
  envSchema as gatewaySchema,
  loadConfig as loadGatewayConfig,
} from '../../services/gateway/src/config.js';
import {
  envSchema as metricsSchema,
  loadConfig as loadMetricsConfig,
} from '../../services/metrics/src/config.js';
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

const STAND_IN_PEM = path.join(mkdtempSync(path.join(tmpdir(), 'otpflow-env-')), 'stand-in.pem');
writeFileSync(STAND_IN_PEM, '-----BEGIN CERTIFICATE-----\nstand-in\n-----END CERTIFICATE-----\n');

const LOADERS: Record<ServiceName, (env: Record<string, string>) => unknown> = {
  gateway: loadGatewayConfig,
  dispatcher: loadDispatcherConfig,
  metrics: loadMetricsConfig,
};
/** The keys k8s/README.md documents for a Secret: its bullet's backquoted upper-case names. */
function documentedSecretKeys(secret: string): string[] {
  const readme = readFileSync(path.join(ROOT, 'k8s/README.md'), 'utf8');
  const bullet = new RegExp(`^- \\*\\*\`${secret}\`\\*\\*[^]*?(?=^- |^$)`, 'm').exec(readme)?.[0] ?? '';
  return [...bullet.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((match) => match[1] ?? '');
}

/**
 * The problems a service's config finds in a container's environment as rendered: literal values as
 * they are, `$(VAR)` expanded, and every value a Secret gives left out (none is committed).
 */
function problemsWithoutSecrets(
  service: ServiceName,
  container: IContainer,
  objects: K8sObject[],
  secretMounts: readonly string[],
) {
  const configMaps = objects.filter((object) => object.kind === 'ConfigMap') as unknown as IConfigMap[];
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const data = configMaps.find((item) => item.metadata?.name === source.configMapRef?.name)?.data;
    Object.assign(env, data ?? {});
  }
  // What $(VAR) expands to: a Secret's value or the pod's own field (only Kubernetes has them) as a
  // placeholder, so a URL built from them keeps its shape.
  const expansions: Record<string, string> = {};
  for (const item of container.env ?? []) {
    const value = item.valueFrom ? 'from-kubernetes' : (item.value ?? '');
    expansions[item.name] = value.replace(
      /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
      (_, name: string) => expansions[name] ?? '',
    );
    if (!item.valueFrom?.secretKeyRef) env[item.name] = expansions[item.name] ?? '';
  }
  // A file from a Secret's volume (a CA) is not here: a PEM of the test's stands in for it, so the
  // checks that run once every variable parses (production's) run too.
  for (const [name, value] of Object.entries(env)) {
    if (secretMounts.some((mount) => value.startsWith(`${mount}/`))) env[name] = STAND_IN_PEM;
  }
  try {
    LOADERS[service](env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.problems];
  }
}

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

describe('the production overlay, without its Secrets', () => {
  const objects = kustomize('k8s/overlays/prod');
  const deployments = objects.filter((object) => object.kind === 'Deployment') as unknown as IDeployment[];

  it.each(SERVICES)('%s: lacks nothing production needs but what its Secrets and mounts give', (service) => {
    const deployment = deployments.find((item) => item.metadata?.name === `otpflow-${service}`);
    const pod = deployment?.spec?.template.spec;
    const container = pod?.containers[0] as IContainer;
    const fromSecrets = new Set([
      ...(container.env ?? []).filter((item) => item.valueFrom?.secretKeyRef).map((item) => item.name),
      ...(container.envFrom ?? []).flatMap((source) =>
        source.secretRef?.name ? documentedSecretKeys(source.secretRef.name) : [],
      ),
    ]);
    const secretMounts = (container.volumeMounts ?? []).filter(
      (mount) => pod?.volumes?.find((volume) => volume.name === mount.name)?.secret,
    );
    const problems = problemsWithoutSecrets(
      service,
      container,
      objects,
      secretMounts.map((mount) => mount.mountPath),
    );
    // Production asks for more than the overlay writes down (CODE_HASH_SECRET, the providers'
    // credentials): every such variable must come from a Secret the container references.
    if (service !== 'metrics') expect(problems.length, service).toBeGreaterThan(0);
    const unexplained = problems.filter((problem) => !fromSecrets.has(problem.split(':')[0] ?? ''));
    expect(unexplained, problems.join('\n')).toEqual([]);
  });

  it('documents as Secret keys only variables the services read', () => {
    const keys = documentedSecretKeys('otpflow-provider-secrets');
    expect(keys).toContain('TWILIO_AUTH_TOKEN');
    expect(keys.filter((key) => !known('dispatcher').has(key))).toEqual([]);
    const shared = documentedSecretKeys('otpflow-secrets').filter(
      (key) => !key.startsWith('RABBITMQ_DEFAULT_'),
    );
    expect(shared).toContain('CODE_HASH_SECRET');
    expect(shared.filter((key) => !known('gateway').has(key) && !known('dispatcher').has(key))).toEqual([]);
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
