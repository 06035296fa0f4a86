/**
 * Static checks of everything under deploy/, docker-compose.yml and k8s/ (test/images builds and runs
 * the images and the compose stack; there is no cluster here): the files are rendered, parsed and
 * validated against the schemas of the tools that will read them, and held to the rules of the platform:
 *
 *   - every kustomize overlay renders, and every object validates against its Kubernetes/CRD schema;
 *   - Deployments have probes, requests and limits, a hardened security context, a writable /tmp and a
 *     termination grace period longer than the service's drain timeout;
 *   - no Secret with values is committed, the Ingress never exposes /metrics (or the health endpoints);
 *   - autoscaling, monitoring and network policies point at what exists;
 *   - the PrometheusRules are exactly the rule files of deploy/prometheus/rules (generated);
 *   - docker-compose.yml validates against the Compose Specification's schema;
 *   - the Dockerfile's commands start files that `npm run build` produces.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import { DEFAULT_DEAD_LETTER_TTL_MS, queuePolicies } from '@otpflow/amqp';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  readRuleFiles,
  renderPrometheusRule,
  runbookBaseUrl,
} from '../../scripts/generate-prometheus-rule.mjs';
import {
  ROOT,
  composeValidator,
  exists,
  interpolate,
  kustomize,
  parseDockerfile,
  parseYamlDocuments,
  schemaProblems,
  type K8sObject,
} from './support.js';

const SERVICES = ['gateway', 'dispatcher', 'metrics'] as const;
type ServiceName = (typeof SERVICES)[number];
/** The port each service listens on by default (its config.ts), which every file must agree with. */
const PORTS: Record<ServiceName, number> = { gateway: 8080, dispatcher: 8081, metrics: 8082 };
const OVERLAYS = ['k8s/overlays/dev', 'k8s/overlays/prod'] as const;
/** Secrets the manifests may reference: the operator's, and in prod those the DB operators create. */
const KNOWN_SECRETS = new Set([
  'otpflow-secrets',
  'otpflow-provider-secrets',
  // prod, written by the operators: MongoDB's user, the Messaging Topology Operator's users.
  'otpflow-mongodb-admin-otpflow',
  'otpflow-services-user-credentials',
  'otpflow-keda-user-credentials',
  // prod, cert-manager's (only their ca.crt key is mounted).
  'otpflow-mongodb-tls',
  'otpflow-rabbitmq-tls',
]);
/** The fields of the operators' resources the tests read (their schemas: operator-schemas.ts). */
interface CertificateSpec {
  secretName: string;
  issuerRef: { name: string };
  dnsNames?: string[];
}
interface RabbitmqClusterSpec {
  image?: string;
  replicas: number;
  tls: { secretName: string };
  rabbitmq?: { advancedConfig?: string };
}
interface MongoDbSpec {
  members: number;
  security: { tls: { enabled: boolean; optional: boolean; certificateKeySecretRef: { name: string } } };
}
interface UserSpec {
  tags?: string[];
  rabbitmqClusterReference: { name: string };
}
interface PolicySpec {
  name: string;
  vhost: string;
  pattern: string;
  applyTo: string;
  priority: number;
  definition: Record<string, unknown>;
}
interface PermissionSpec {
  userReference?: { name: string };
  permissions: Record<string, string>;
}
/** The paths the API is served on, and the service behind each (Ingress and HTTPRoute alike). */
const API_ROUTES = {
  '/one-time-password-sms': 'otpflow-gateway',
  '/otpvalidation': 'otpflow-gateway',
  '/v1': 'otpflow-gateway',
  '/v1/receipts': 'otpflow-dispatcher',
};
/** The setting the runbook-links component reads, by overlay (the local-config ConfigMap). */
const runbookBaseOf = (overlay: string) =>
  /runbookBaseUrl=(\S+)/.exec(read(`${overlay}/kustomization.yaml`))?.[1] ?? '';
/** The ConfigMaps kustomize generates (k8s/base/kustomization.yaml). */
const GENERATED_CONFIGS = ['otpflow-config', ...SERVICES.map((service) => `otpflow-${service}-config`)];
/** Paths that must never be reachable through the Ingress. */
const PRIVATE_PATHS = ['/metrics', '/healthz', '/readyz'];

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const ofKind = <T>(objects: K8sObject[], kind: string) =>
  objects.filter((o) => o.kind === kind) as unknown as T[];
const named = <T extends { metadata?: { name?: string } }>(objects: T[], name: string) => {
  const found = objects.find((object) => object.metadata?.name === name);
  if (!found) throw new Error(`no object named ${name}`);
  return found;
};
const single = <T>(list: T[]): T => {
  expect(list).toHaveLength(1);
  return list[0] as T;
};
const labelsMatch = (
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);
/** The rendered name of a generated ConfigMap: "otpflow-config" becomes "otpflow-config-<hash>". */
const isGenerated = (rendered: string, name: string) => new RegExp(`^${name}-[a-z0-9]{10}$`).test(rendered);

/** A workload's pod spec, containers and the name of the service it runs (its app.kubernetes.io/name). */
function podOf(workload: IDeployment | IStatefulSet): {
  pod: IPodSpec;
  containers: IContainer[];
  app: string;
} {
  const pod = workload.spec?.template.spec;
  if (!pod) throw new Error(`${workload.metadata?.name ?? '?'} has no pod spec`);
  return {
    pod,
    containers: pod.containers,
    app: workload.spec?.template.metadata?.labels?.['app.kubernetes.io/name'] ?? '',
  };
}

/** The value a container's environment gives a variable, from env or from its ConfigMaps. */
function settingOf(container: IContainer, objects: K8sObject[], variable: string): string | undefined {
  const direct = container.env?.find((item) => item.name === variable);
  if (direct) return direct.value;
  let value: string | undefined;
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    const configMap = ofKind<IConfigMap>(objects, 'ConfigMap').find((item) => item.metadata?.name === name);
    value = configMap?.data?.[variable] ?? value;
  }
  return value;
}

describe.each(OVERLAYS)('kustomize overlay %s', (overlay) => {
  const objects = kustomize(overlay);
  const deployments = ofKind<IDeployment>(objects, 'Deployment');
  const statefulSets = ofKind<IStatefulSet>(objects, 'StatefulSet');
  const services = ofKind<IService>(objects, 'Service');
  const workloads = [...deployments, ...statefulSets];

  it('renders objects that all validate against their Kubernetes or CRD schema', () => {
    expect(objects.length).toBeGreaterThan(20);
    const problems = objects.flatMap((object) =>
      schemaProblems(object).map((problem) => `${object.kind}/${object.metadata.name}: ${problem}`),
    );
    expect(problems).toEqual([]);
  });

  it('puts every namespaced object in the overlay namespace', () => {
    const [namespace] = ofKind<K8sObject>(objects, 'Namespace');
    expect(namespace).toBeDefined();
    const outside = objects
      .filter(
        (object) => object.kind !== 'Namespace' && object.metadata.namespace !== namespace?.metadata.name,
      )
      .map((object) => `${object.kind}/${object.metadata.name}`);
    expect(outside).toEqual([]);
  });

  it('runs the three services, each with a Service, a PodDisruptionBudget and the right port', () => {
    const budgets = ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget');
    for (const service of SERVICES) {
      const deployment = named(deployments, `otpflow-${service}`);
      const { containers, app } = podOf(deployment);
      expect(app).toBe(service);
      expect(containers).toHaveLength(1);
      const [container] = containers;
      expect(container?.image).toMatch(new RegExp(`(^|/)otpflow/${service}(:|$)|/${service}:`));
      expect(container?.ports?.[0]?.containerPort).toBe(PORTS[service]);
      expect(settingOf(container as IContainer, objects, 'PORT')).toBe(String(PORTS[service]));
      const podLabels = deployment.spec?.template.metadata?.labels;
      expect(labelsMatch(deployment.spec?.selector.matchLabels, podLabels)).toBe(true);
      const svc = named(services, `otpflow-${service}`);
      expect(labelsMatch(svc.spec?.selector, podLabels)).toBe(true);
      expect(svc.spec?.ports?.map((port) => port.name)).toContain('http');
      const budget = budgets.find((item) => labelsMatch(item.spec?.selector?.matchLabels, podLabels));
      expect(budget, `PodDisruptionBudget for ${service}`).toBeDefined();
    }
  });

  it('gives every workload both probes, requests and limits, and a hardened security context', () => {
    for (const workload of workloads) {
      const { pod, containers } = podOf(workload);
      const where = `${workload.kind}/${workload.metadata?.name ?? '?'}`;
      expect(pod.securityContext?.runAsNonRoot, where).toBe(true);
      expect(pod.securityContext?.seccompProfile?.type, where).toBe('RuntimeDefault');
      expect(pod.automountServiceAccountToken, where).toBe(false);
      for (const container of containers) {
        expect(container.livenessProbe, `${where} liveness`).toBeDefined();
        expect(container.readinessProbe, `${where} readiness`).toBeDefined();
        expect(container.resources?.requests?.cpu, where).toBeDefined();
        expect(container.resources?.requests?.memory, where).toBeDefined();
        expect(container.resources?.limits?.cpu, where).toBeDefined();
        expect(container.resources?.limits?.memory, where).toBeDefined();
        const security = container.securityContext;
        expect(security?.allowPrivilegeEscalation, where).toBe(false);
        expect(security?.readOnlyRootFilesystem, where).toBe(true);
        expect(security?.runAsNonRoot, where).toBe(true);
        expect(security?.capabilities?.drop, where).toEqual(['ALL']);
        expect(security?.capabilities?.add ?? [], where).toEqual([]);
        expect(security?.privileged ?? false, where).toBe(false);
        // A read-only root filesystem needs a writable /tmp, from an emptyDir.
        const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
        const volume = pod.volumes?.find((item) => item.name === tmp?.name);
        expect(volume?.emptyDir, `${where} /tmp`).toBeDefined();
      }
    }
  });

  it('probes the services on /healthz (liveness) and /readyz (readiness)', () => {
    for (const deployment of deployments) {
      for (const container of podOf(deployment).containers) {
        expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
        expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
        expect(container.startupProbe?.httpGet?.path).toBe('/healthz');
      }
    }
  });

  it('lets every service finish draining before it is killed', () => {
    for (const deployment of deployments) {
      const { pod, containers } = podOf(deployment);
      const container = containers[0] as IContainer;
      const drainMs =
        Number(settingOf(container, objects, 'SHUTDOWN_TIMEOUT_MS') ?? NaN) +
        Number(settingOf(container, objects, 'SHUTDOWN_GRACE_MS') ?? 0);
      expect(drainMs, deployment.metadata?.name).toBeGreaterThan(0);
      expect((pod.terminationGracePeriodSeconds ?? 30) * 1000, deployment.metadata?.name).toBeGreaterThan(
        drainMs,
      );
      expect(pod.topologySpreadConstraints?.length ?? 0, deployment.metadata?.name).toBeGreaterThan(0);
    }
  });

  it('references only Secrets the operator creates, and ConfigMaps that are rendered', () => {
    const configMaps = new Set(ofKind<IConfigMap>(objects, 'ConfigMap').map((item) => item.metadata?.name));
    for (const workload of workloads) {
      const { pod, containers } = podOf(workload);
      for (const container of containers) {
        for (const item of container.env ?? []) {
          const secret = item.valueFrom?.secretKeyRef?.name;
          if (secret) expect(KNOWN_SECRETS, `${item.name} from ${secret}`).toContain(secret);
          const configMap = item.valueFrom?.configMapKeyRef?.name;
          if (configMap) expect(configMaps).toContain(configMap);
        }
        for (const source of container.envFrom ?? []) {
          if (source.secretRef) expect(KNOWN_SECRETS).toContain(source.secretRef.name);
          if (source.configMapRef) {
            expect(configMaps).toContain(source.configMapRef.name);
            // Generated with a content hash, so a change of settings rolls the pods.
            const name = source.configMapRef.name ?? '';
            expect(
              GENERATED_CONFIGS.some((base) => isGenerated(name, base)),
              name,
            ).toBe(true);
          }
        }
      }
      for (const volume of pod.volumes ?? []) {
        if (volume.secret) expect(KNOWN_SECRETS).toContain(volume.secret.secretName);
      }
    }
  });

  it('commits no Secret values', () => {
    for (const secret of objects.filter((object) => object.kind === 'Secret')) {
      expect(secret.data ?? secret.stringData, `Secret/${secret.metadata.name}`).toBeUndefined();
    }
  });

  it('expands $(VAR) in env values only from variables defined earlier in the list', () => {
    for (const workload of workloads) {
      for (const container of podOf(workload).containers) {
        const defined = new Set<string>();
        for (const item of container.env ?? []) {
          for (const [, reference] of (item.value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
            expect(defined, `${container.name}: ${item.name} uses $(${reference ?? ''})`).toContain(
              reference,
            );
          }
          defined.add(item.name);
        }
      }
    }
  });

  it('routes only the API and the delivery receipts through the Ingress, never /metrics', () => {
    const ingresses = ofKind<IIngress>(objects, 'Ingress');
    expect(ingresses).toHaveLength(1);
    const routes = ingresses.flatMap((ingress) =>
      (ingress.spec?.rules ?? []).flatMap((rule) =>
        (rule.http?.paths ?? []).map((item) => ({
          path: item.path ?? '/',
          type: item.pathType,
          service: item.backend.service?.name,
          port: item.backend.service?.port?.name,
        })),
      ),
    );
    expect(Object.fromEntries(routes.map((route) => [route.path, route.service]))).toEqual(API_ROUTES);
    for (const route of routes) {
      // Regular expressions (ImplementationSpecific) could match anything: only Prefix and Exact.
      expect(['Prefix', 'Exact']).toContain(route.type);
      for (const privatePath of PRIVATE_PATHS) {
        const reaches =
          route.path === privatePath ||
          privatePath.startsWith(route.path.endsWith('/') ? route.path : `${route.path}/`) ||
          route.path.startsWith(`${privatePath}/`);
        expect(reaches, `${route.path} exposes ${privatePath}`).toBe(false);
        expect(route.path).not.toContain('metrics');
      }
      const service = named(services, route.service ?? '');
      expect(service.spec?.ports?.map((port) => port.name)).toContain(route.port);
    }
  });

  if (overlay.endsWith('prod')) {
    it('routes the same paths through a Gateway API HTTPRoute, never /metrics', () => {
      const route = single(ofKind<IHTTPRoute>(objects, 'HTTPRoute'));
      const paths = (route.spec.rules ?? []).flatMap((rule) =>
        (rule.matches ?? []).map((match) => ({
          type: match.path?.type,
          path: match.path?.value ?? '/',
          service: rule.backendRefs?.[0]?.name,
          port: rule.backendRefs?.[0]?.port,
        })),
      );
      expect(Object.fromEntries(paths.map((item) => [item.path, item.service]))).toEqual(API_ROUTES);
      for (const item of paths) {
        expect(item.type).toBe('PathPrefix');
        for (const privatePath of PRIVATE_PATHS) expect(privatePath.startsWith(`${item.path}/`)).toBe(false);
        const service = named(services, item.service ?? '');
        expect(service.spec?.ports?.map((port) => port.port)).toContain(item.port);
      }
      expect(route.spec.hostnames).toEqual(
        named(ofKind<IIngress>(objects, 'Ingress'), 'otpflow').spec?.rules?.map((rule) => rule.host),
      );
      // The Gateway's data plane may reach the backends.
      const policies = ofKind<INetworkPolicy>(objects, 'NetworkPolicy');
      const fromGateway = named(policies, 'otpflow-from-gateway-api');
      const gatewayNamespace = route.spec.parentRefs?.[0]?.namespace;
      expect(fromGateway.spec?.ingress?.[0]?.from?.[0]?.namespaceSelector?.matchLabels).toEqual({
        'kubernetes.io/metadata.name': gatewayNamespace,
      });
    });
  }

  it('sets no replicas where an autoscaler owns the count', () => {
    const autoscaled = [
      ...ofKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler').map(
        (hpa) => hpa.spec.scaleTargetRef.name,
      ),
      ...ofKind<IScaledObject>(objects, 'ScaledObject').map((scaled) => scaled.spec.scaleTargetRef.name),
    ];
    expect(autoscaled.sort()).toEqual(['otpflow-dispatcher', 'otpflow-gateway']);
    for (const name of autoscaled) expect(named(deployments, name).spec?.replicas, name).toBeUndefined();
  });

  it('runs the metrics service with a hot standby (production) and a budget that keeps one', () => {
    const metrics = named(deployments, 'otpflow-metrics');
    const replicas = metrics.spec?.replicas ?? 1;
    expect(replicas).toBe(overlay.endsWith('prod') ? 2 : 1);
    const budget = ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget').find((item) =>
      labelsMatch(item.spec?.selector?.matchLabels, metrics.spec?.template.metadata?.labels),
    );
    // Production: a drain takes one of the two at a time, never both. Development (one replica): a
    // drain may take it, or it would block forever.
    if (overlay.endsWith('prod')) expect(budget?.spec?.minAvailable).toBe(1);
    else expect(budget?.spec).toMatchObject({ maxUnavailable: 1 });
    expect(budget?.spec?.minAvailable ?? 0).toBeLessThan(replicas);
    const spread = podOf(metrics).pod.topologySpreadConstraints?.map((item) => item.topologyKey);
    expect(spread).toEqual(expect.arrayContaining(['kubernetes.io/hostname']));
  });

  it('scales the gateway on CPU (HPA) and the dispatcher on the otp.send backlog (KEDA)', () => {
    const hpa = single(ofKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler'));
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'otpflow-gateway' });
    expect(hpa.spec.metrics?.[0]?.resource?.name).toBe('cpu');
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(1);

    const scaled = single(ofKind<IScaledObject>(objects, 'ScaledObject'));
    expect(scaled.spec.scaleTargetRef.name).toBe('otpflow-dispatcher');
    const [trigger] = scaled.spec.triggers;
    expect(trigger?.type).toBe('rabbitmq');
    expect(trigger?.metadata).toMatchObject({ queueName: 'otp.send', mode: 'QueueLength' });
    // The URL carries credentials: it must come from a Secret, never from the trigger's metadata.
    expect(trigger?.metadata.host ?? '').not.toMatch(/@/);
    const dispatcher = podOf(named(deployments, 'otpflow-dispatcher')).containers[0] as IContainer;
    expect(`${settingOf(dispatcher, objects, 'AMQP_PREFIX') ?? ''}.send`).toBe(trigger?.metadata.queueName);
    const auth = named(
      ofKind<ITriggerAuthentication>(objects, 'TriggerAuthentication'),
      trigger?.authenticationRef?.name ?? '',
    );
    const references = auth.spec.secretTargetRef ?? [];
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(KNOWN_SECRETS).toContain(reference.name);
    const parameters = references.map((reference) => reference.parameter);
    // KEDA's operator runs in its own namespace: the host must be fully qualified to reach this one's
    // RabbitMQ, and never the services' URL (whose short name resolves there).
    expect(parameters).not.toContain('host');
    const host = new URL(trigger?.metadata.host ?? '');
    const namespace = objects.find((object) => object.kind === 'Namespace')?.metadata.name ?? '';
    expect(host.hostname).toMatch(new RegExp(`^[a-z0-9-]+\\.${namespace}\\.svc(\\.cluster\\.local)?$`));
    const rabbitService = host.hostname.split('.')[0] ?? '';
    if (overlay.endsWith('dev'))
      expect(services.map((service) => service.metadata?.name)).toContain(rabbitService);
    else
      expect(objects.find((object) => object.kind === 'RabbitmqCluster')?.metadata.name).toBe(rabbitService);
    expect(parameters).toEqual(expect.arrayContaining(['username', 'password']));
  });

  it('scrapes the three services (and RabbitMQ) with the job names the rules select', () => {
    const monitors = ofKind<IServiceMonitor>(objects, 'ServiceMonitor');
    const jobs = new Set<string>();
    for (const monitor of monitors) {
      // No jobLabel and no honorLabels: job and namespace are the Operator's, never a scraped label's.
      expect(monitor.spec.jobLabel, monitor.metadata?.name).toBeUndefined();
      for (const endpoint of monitor.spec.endpoints) expect(endpoint.honorLabels ?? false).toBe(false);
      const selected = services.filter(
        (service) =>
          Object.entries(monitor.spec.selector.matchLabels ?? {}).every(
            ([key, value]) => service.metadata?.labels?.[key] === value,
          ) &&
          (monitor.spec.selector.matchExpressions ?? []).every(
            (expression) =>
              expression.operator === 'In' &&
              (expression.values ?? []).includes(service.metadata?.labels?.[expression.key] ?? ''),
          ),
      );
      const jobRelabel = monitor.spec.endpoints[0]?.relabelings?.find((item) => item.targetLabel === 'job');
      for (const service of selected) {
        const port = monitor.spec.endpoints[0]?.port;
        expect(service.spec?.ports?.map((item) => item.name)).toContain(port);
        jobs.add(jobRelabel?.replacement ?? service.metadata?.name ?? '');
      }
    }
    for (const service of SERVICES) expect(jobs).toContain(`otpflow-${service}`);
    // prod's RabbitMQ Service is the Cluster Operator's (not rendered); the relabeling names it alike.
    const rabbit = named(monitors, 'otpflow-rabbitmq').spec.endpoints[0]?.relabelings;
    expect(rabbit).toEqual([{ targetLabel: 'job', replacement: 'otpflow-rabbitmq', action: 'replace' }]);
    if (overlay.endsWith('dev')) expect(jobs).toContain('otpflow-rabbitmq');
    expect(named(monitors, 'otpflow').spec.endpoints[0]?.path).toBe('/metrics');
  });

  it('denies by default and allows only the architecture flows', () => {
    const policies = ofKind<INetworkPolicy>(objects, 'NetworkPolicy');
    const deny = named(policies, 'otpflow-default-deny');
    expect(deny.spec?.podSelector?.matchLabels).toEqual({ 'app.kubernetes.io/part-of': 'otpflow' });
    expect(deny.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(deny.spec?.ingress ?? []).toEqual([]);
    expect(deny.spec?.egress ?? []).toEqual([]);
    const ingressPorts = (app: string) =>
      policies
        .filter((policy) => policy.spec?.podSelector?.matchLabels?.['app.kubernetes.io/name'] === app)
        .flatMap((policy) => policy.spec?.ingress ?? [])
        .flatMap((rule) => (rule.ports ?? []).map((port) => port.port));
    for (const service of SERVICES) expect(ingressPorts(service)).toContain(PORTS[service]);
    const egressPorts = (app: string) =>
      policies
        .filter(
          (policy) =>
            policy.spec?.podSelector?.matchLabels?.['app.kubernetes.io/name'] === app ||
            policy.spec?.podSelector?.matchExpressions?.some((expression) =>
              expression.values?.includes(app),
            ),
        )
        .flatMap((policy) => policy.spec?.egress ?? [])
        .flatMap((rule) => (rule.ports ?? []).map((port) => port.port));
    expect(egressPorts('gateway')).toEqual(expect.arrayContaining([27017, 5672, 4318, 443]));
    // HTTPS for OIDC discovery and JWKS, to public addresses only (never the cluster's own ranges).
    const oidc = named(policies, 'otpflow-gateway-egress-oidc');
    expect(oidc.spec?.podSelector?.matchLabels).toEqual({ 'app.kubernetes.io/name': 'gateway' });
    for (const rule of oidc.spec?.egress ?? []) {
      expect(rule.ports).toEqual([{ protocol: 'TCP', port: 443 }]);
      for (const peer of rule.to ?? []) {
        expect(peer.ipBlock?.except).toEqual(expect.arrayContaining([expect.stringMatching(/^(10\.|fc00)/)]));
      }
    }
    expect(egressPorts('dispatcher')).toEqual(expect.arrayContaining([27017, 5672, 443, 2775]));
    expect(egressPorts('metrics')).toEqual(expect.arrayContaining([5672]));
    expect(egressPorts('metrics')).not.toContain(27017);
    // The management API, where RABBITMQ_POLICIES apply/require set or read the queue policies.
    for (const service of SERVICES) {
      const container = podOf(named(deployments, `otpflow-${service}`)).containers[0] as IContainer;
      for (const url of (settingOf(container, objects, 'RABBITMQ_MANAGEMENT_URL') ?? '').split(',')) {
        if (!url) continue;
        const { protocol, port } = new URL(url);
        const managementPort = Number(port || (protocol === 'https:' ? 443 : 80));
        expect(egressPorts(service), `${service} -> ${url}`).toContain(managementPort);
      }
    }
    // Every pod of the overlay is covered by the default deny (and so by the DNS rule).
    for (const workload of workloads) {
      expect(workload.spec?.template.metadata?.labels?.['app.kubernetes.io/part-of']).toBe('otpflow');
    }
  });

  it('carries the PrometheusRules generated from deploy/prometheus/rules, runbook links on its own base', async () => {
    const files = await readRuleFiles();
    const defaultBase = runbookBaseUrl(files) ?? '';
    const base = runbookBaseOf(overlay);
    expect(base).toMatch(/^https:\/\/[^/]+\/.+/);
    const rules = ofKind<IPrometheusRule>(objects, 'PrometheusRule');
    // The rule files with the overlay's base in every runbook link, and nothing else changed.
    const rebased = JSON.parse(
      JSON.stringify(files).replaceAll(`${defaultBase}#`, `${base}#`),
    ) as typeof files;
    expect(rules.map((rule) => ({ name: rule.metadata?.name, groups: rule.spec.groups }))).toEqual(
      rebased.map(({ file, groups }) => ({ name: path.basename(file).replace(/\.ya?ml$/, ''), groups })),
    );
    const alerts = rules
      .flatMap((rule) => (rule.spec.groups ?? []).flatMap((group) => group.rules ?? []))
      .filter((rule) => rule.alert);
    expect(alerts.length).toBeGreaterThan(10);
    for (const alert of alerts) {
      expect(alert.annotations?.runbook_url).toBe(`${base}#${(alert.alert ?? '').toLowerCase()}`);
    }
  });

  if (overlay.endsWith('prod')) {
    it('holds the operators’ clusters, with TLS from cert-manager and least-privilege broker users', () => {
      const byKind = (kind: string) => objects.filter((object) => object.kind === kind);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed view of a CRD's spec
      const spec = <T>(object: K8sObject | undefined) => (object?.spec ?? {}) as T;
      const certificates = new Map(
        byKind('Certificate').map((item) => [spec<CertificateSpec>(item).secretName, item]),
      );
      const issuers = new Set(byKind('Issuer').map((item) => item.metadata.name));
      for (const certificate of certificates.values())
        expect(issuers).toContain(spec<CertificateSpec>(certificate).issuerRef.name);

      const [rabbit] = byKind('RabbitmqCluster');
      expect(spec<RabbitmqClusterSpec>(rabbit).replicas).toBe(3);
      const rabbitTls = certificates.get(spec<RabbitmqClusterSpec>(rabbit).tls.secretName);
      expect(spec<CertificateSpec>(rabbitTls).dnsNames).toContain(
        `${rabbit?.metadata.name ?? ''}.otpflow.svc`,
      );
      const [mongo] = byKind('MongoDBCommunity');
      expect(spec<MongoDbSpec>(mongo).members).toBe(3);
      expect(spec<MongoDbSpec>(mongo).security.tls).toMatchObject({ enabled: true, optional: false });
      expect(certificates.has(spec<MongoDbSpec>(mongo).security.tls.certificateKeySecretRef.name)).toBe(true);

      // The services: configure, write and read on the project's prefix only; KEDA: nothing at all.
      const permissionOf = (user: string) =>
        spec<PermissionSpec>(
          byKind('Permission').find((item) => spec<PermissionSpec>(item).userReference?.name === user),
        ).permissions;
      expect(permissionOf('otpflow-services')).toEqual({
        configure: '^otp\\.',
        write: '^otp\\.',
        read: '^otp\\.',
      });
      expect(permissionOf('otpflow-keda')).toEqual({ configure: '', write: '', read: '' });
      expect(
        spec<UserSpec>(byKind('User').find((item) => item.metadata.name === 'otpflow-keda')).tags,
      ).toEqual(['monitoring']);
      // management: to read its queues' effective policies (RABBITMQ_POLICIES=require); never
      // policymaker or administrator: the Policy objects are the operator's.
      expect(
        spec<UserSpec>(byKind('User').find((item) => item.metadata.name === 'otpflow-services')).tags,
      ).toEqual(['management']);
      for (const object of [...byKind('User'), ...byKind('Permission'), ...byKind('Policy')]) {
        expect(spec<UserSpec>(object).rabbitmqClusterReference).toEqual({ name: rabbit?.metadata.name });
      }
      // Every AMQP name the services use starts with the prefix the permissions allow.
      const gateway = podOf(named(deployments, 'otpflow-gateway')).containers[0] as IContainer;
      expect(settingOf(gateway, objects, 'AMQP_PREFIX')).toBe('otp');

      // The queue policies: exactly queuePolicies() of shared/amqp for the services' prefix and
      // dead-letter expiry and the cluster's (pinned) RabbitMQ version, which the services verify.
      const image = spec<RabbitmqClusterSpec>(rabbit).image ?? '';
      expect(image).toMatch(/^rabbitmq:\d+\.\d+/);
      const brokerVersion = image.replace(/^rabbitmq:/, '');
      for (const service of SERVICES) {
        const container = podOf(named(deployments, `otpflow-${service}`)).containers[0] as IContainer;
        const setting = (variable: string) => settingOf(container, objects, variable);
        const expected = queuePolicies({
          prefix: setting('AMQP_PREFIX') ?? '',
          deadLetterTtlMs: Number(setting('DEAD_LETTER_TTL_MS') ?? DEFAULT_DEAD_LETTER_TTL_MS),
          brokerVersion,
        });
        const rendered = byKind('Policy')
          .map((item) => spec<PolicySpec>(item))
          .map(({ name, vhost, pattern, applyTo, priority, definition }) => ({
            name,
            vhost,
            pattern,
            applyTo,
            priority,
            definition,
          }));
        const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
        expect(rendered.sort(byName), service).toEqual(
          Object.values(expected)
            .map((policy) => ({ ...policy, vhost: '/' }))
            .sort(byName),
        );
        // The platform owns them; the services refuse work until they see them, through the
        // management API of the cluster, over TLS with a name its certificate carries.
        expect(setting('RABBITMQ_POLICIES'), service).toBe('require');
        const management = new URL(setting('RABBITMQ_MANAGEMENT_URL') ?? '');
        expect(management.protocol).toBe('https:');
        expect(management.port).toBe('15671');
        expect(spec<CertificateSpec>(rabbitTls).dnsNames).toContain(management.hostname);
      }
      expect(spec<RabbitmqClusterSpec>(rabbit).rabbitmq?.advancedConfig).toMatch(
        /\{dead_letter_worker_publisher_confirm_timeout, *10000\}/,
      );

      // KEDA reads as its own user, over TLS, never as the default administrator.
      const auth = named(
        ofKind<ITriggerAuthentication>(objects, 'TriggerAuthentication'),
        'otpflow-rabbitmq',
      );
      const refs = Object.fromEntries((auth.spec.secretTargetRef ?? []).map((ref) => [ref.parameter, ref]));
      expect(refs.username?.name).toBe('otpflow-keda-user-credentials');
      expect(refs.ca).toMatchObject({
        name: spec<RabbitmqClusterSpec>(rabbit).tls.secretName,
        key: 'ca.crt',
      });
      const scaled = single(ofKind<IScaledObject>(objects, 'ScaledObject'));
      expect(scaled.spec.triggers[0]?.metadata.host).toMatch(/^amqps:\/\/[^@]+:5671\/$/);
      const tlsParameter = auth.spec.configMapTargetRef?.find((ref) => ref.parameter === 'tls');
      const configMap = ofKind<IConfigMap>(objects, 'ConfigMap').find(
        (item) => item.metadata?.name === tlsParameter?.name,
      );
      expect(configMap?.data?.[tlsParameter?.key ?? '']).toBe('enable');

      // The services: amqps with the broker's CA, mounted from its certificate's Secret (ca.crt only).
      for (const service of SERVICES) {
        const deployment = named(deployments, `otpflow-${service}`);
        const { pod, containers } = podOf(deployment);
        const container = containers[0] as IContainer;
        expect(settingOf(container, objects, 'RABBITMQ_URL')).toMatch(
          /^amqps:\/\/\$\(RABBITMQ_USERNAME\):\$\(RABBITMQ_PASSWORD\)@otpflow-rabbitmq\.otpflow\.svc:5671\/$/,
        );
        const username = container.env?.find((item) => item.name === 'RABBITMQ_USERNAME');
        expect(username?.valueFrom?.secretKeyRef?.name).toBe('otpflow-services-user-credentials');
        const caFile = settingOf(container, objects, 'RABBITMQ_TLS_CA_FILE') ?? '';
        const mount = container.volumeMounts?.find((item) => item.mountPath === path.dirname(caFile));
        const volume = pod.volumes?.find((item) => item.name === mount?.name);
        expect(volume?.secret).toEqual({
          secretName: spec<RabbitmqClusterSpec>(rabbit).tls.secretName,
          items: [{ key: 'ca.crt', path: path.basename(caFile) }],
        });
      }
    });

    it('runs no database or broker itself and connects to the operators’ clusters', () => {
      expect(statefulSets).toEqual([]);
      const gateway = podOf(named(deployments, 'otpflow-gateway')).containers[0] as IContainer;
      expect(settingOf(gateway, objects, 'NODE_ENV')).toBe('production');
      expect(settingOf(gateway, objects, 'AMQP_QUEUE_TYPE')).toBe('quorum');
      for (const service of ['gateway', 'dispatcher'] as const) {
        const container = podOf(named(deployments, `otpflow-${service}`)).containers[0] as IContainer;
        // mongodb://user:password@host1,host2,host3/database?options (WHATWG URL cannot parse seed lists).
        const url = /^mongodb:\/\/\$\(MONGODB_USERNAME\):\$\(MONGODB_PASSWORD\)@([^/]+)\/(\w+)\?(.+)$/.exec(
          settingOf(container, objects, 'MONGODB_URL') ?? '',
        );
        expect(url?.[1]?.split(',')).toHaveLength(3);
        expect(url?.[2]).toBe('otpflow');
        const options = new URLSearchParams(url?.[3]);
        expect(options.get('replicaSet')).toBe('otpflow-mongodb');
        expect(options.get('authSource')).toBe('admin');
        expect(options.get('tls')).toBe('true');
        // The CA the driver verifies the members against is mounted where tlsCAFile points.
        const ca = path.dirname(options.get('tlsCAFile') ?? '');
        expect(container.volumeMounts?.map((mount) => mount.mountPath)).toContain(ca);
      }
      for (const service of SERVICES) {
        const container = podOf(named(deployments, `otpflow-${service}`)).containers[0] as IContainer;
        expect(settingOf(container, objects, 'RABBITMQ_URL')).toMatch(/^amqps?:\/\/\$\(RABBITMQ_USERNAME\):/);
      }
      const ingress = named(ofKind<IIngress>(objects, 'Ingress'), 'otpflow');
      expect(ingress.spec?.tls?.length).toBeGreaterThan(0);
    });
  } else {
    it('runs a single MongoDB (replica set) and RabbitMQ, and development settings', () => {
      expect(statefulSets.map((set) => set.metadata?.name).sort()).toEqual(['mongodb', 'rabbitmq']);
      for (const set of statefulSets) expect(set.spec?.replicas).toBe(1);
      const mongodb = podOf(named(statefulSets, 'mongodb')).containers[0];
      expect(mongodb?.args).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
      const dispatcher = podOf(named(deployments, 'otpflow-dispatcher')).containers[0] as IContainer;
      expect(settingOf(dispatcher, objects, 'NODE_ENV')).toBe('development');
      expect(settingOf(dispatcher, objects, 'SMS_PROVIDERS')).toBe('console');
    });

    it('has the services set their queue policies through the management API of its RabbitMQ', () => {
      const rabbit = named(services, 'rabbitmq');
      for (const service of SERVICES) {
        const container = podOf(named(deployments, `otpflow-${service}`)).containers[0] as IContainer;
        expect(settingOf(container, objects, 'RABBITMQ_POLICIES'), service).toBe('apply');
        const management = new URL(settingOf(container, objects, 'RABBITMQ_MANAGEMENT_URL') ?? '');
        expect(management.hostname).toBe(rabbit.metadata?.name);
        expect(rabbit.spec?.ports?.map((port) => port.port)).toContain(Number(management.port));
      }
      // The broker's NetworkPolicy lets the three reach that port.
      const policy = named(ofKind<INetworkPolicy>(objects, 'NetworkPolicy'), 'rabbitmq');
      const rule = policy.spec?.ingress?.find((item) => item.ports?.some((port) => port.port === 15672));
      expect(rule?.from?.[0]?.podSelector?.matchExpressions?.[0]?.values).toEqual([...SERVICES]);
    });
  }
});

describe('k8s sources', () => {
  const yamlFiles = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir)).flatMap((name) => {
      const file = `${dir}/${name}`;
      if (statSync(path.join(ROOT, file)).isDirectory()) return yamlFiles(file);
      return /\.ya?ml$/.test(name) ? [file] : [];
    });

  it('contain no Secret with data or stringData, rendered or not', () => {
    for (const file of yamlFiles('k8s')) {
      for (const document of parseYamlDocuments(read(file))) {
        const object = document as Partial<K8sObject>;
        if (object.kind !== 'Secret') continue;
        expect(
          object.data ?? object.stringData,
          `${file}: Secret ${object.metadata?.name ?? ''}`,
        ).toBeUndefined();
      }
      // Nor a secret generator in a kustomization.
      expect(read(file), file).not.toMatch(/^secretGenerator:/m);
    }
  });

  it('include a PrometheusRule that is exactly what the generator makes of the rule files', async () => {
    const committed = parseYamlDocuments(read('k8s/base/prometheus-rule.yaml'));
    const generated = parseYamlDocuments(await renderPrometheusRule());
    // On a difference: node scripts/generate-prometheus-rule.mjs
    expect(committed).toEqual(generated);
    const files = await readRuleFiles();
    expect(generated).toHaveLength(files.length);
  });
});

describe('docker-compose.yml', () => {
  const raw = parse(read('docker-compose.yml'), { merge: true }) as unknown;
  const compose = interpolate(raw) as {
    services: Record<
      string,
      {
        image?: string;
        build?: { context: string; dockerfile?: string; args?: Record<string, string> };
        environment?: Record<string, string>;
        healthcheck?: { test: string[] };
        depends_on?: Record<string, { condition: string }>;
        volumes?: string[];
        ports?: string[];
        read_only?: boolean;
      }
    >;
    volumes: Record<string, unknown>;
  };
  const services = Object.entries(compose.services);

  it('validates against the Compose Specification schema', () => {
    const schema = JSON.parse(read('test/deploy/compose-spec.json')) as object;
    const errors = composeValidator(schema)(compose);
    expect(errors.map((error) => `${error.instancePath} ${error.message ?? ''}`)).toEqual([]);
  });

  it('has a healthcheck on every service and waits for healthy dependencies', () => {
    for (const [name, service] of services) {
      expect(service.healthcheck?.test.length ?? 0, name).toBeGreaterThan(1);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(compose.services[dependency], `${name} -> ${dependency}`).toBeDefined();
        expect(condition, `${name} -> ${dependency}`).toBe('service_healthy');
      }
    }
  });

  it('builds the three services from deploy/Dockerfile, hardened, with tracing to the collector', () => {
    for (const service of SERVICES) {
      const definition = compose.services[service];
      expect(definition?.build).toEqual({
        context: '.',
        dockerfile: 'deploy/Dockerfile',
        args: { SERVICE: service },
      });
      expect(definition?.image).toBe(`otpflow/${service}:dev`);
      expect(definition?.read_only).toBe(true);
      expect(definition?.ports?.some((port) => port.endsWith(`:${PORTS[service]}`))).toBe(true);
      expect(definition?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
      expect(definition?.depends_on?.rabbitmq).toBeDefined();
      // The services set their queue policies through the broker's management API.
      expect(definition?.environment?.RABBITMQ_POLICIES).toBe('apply');
      expect(definition?.environment?.RABBITMQ_MANAGEMENT_URL).toBe('http://rabbitmq:15672');
    }
    expect(compose.services.gateway?.environment?.API_KEYS).toBe('otpflow-dev-key-change-me:dev');
    expect(compose.services.dispatcher?.environment?.SMS_PROVIDERS).toBe('console');
    expect(compose.services.gateway?.environment?.MONGODB_URL).toContain('replicaSet=rs0');
  });

  it('declares every named volume it mounts, and bind-mounts files of this repository', () => {
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const [source = ''] = volume.split(':');
        if (source.startsWith('./')) continue;
        expect(compose.volumes, `${name}: ${volume}`).toHaveProperty(source);
      }
    }
    const mounts = services.flatMap(([, service]) => service.volumes ?? []);
    expect(mounts).toEqual(
      expect.arrayContaining([
        './deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro',
        './deploy/prometheus/rules:/etc/prometheus/rules:ro',
        './deploy/grafana/provisioning:/etc/grafana/provisioning:ro',
        './deploy/otel-collector/config.yaml:/etc/otelcol-contrib/config.yaml:ro',
      ]),
    );
    for (const mount of mounts.filter((item) => item.startsWith('./'))) {
      const [source = ''] = mount.split(':');
      expect(exists(source), source).toBe(true);
    }
  });

  it('wires the collector: OTLP in, batched, out to Jaeger', () => {
    const config = parse(read('deploy/otel-collector/config.yaml')) as {
      receivers: Record<string, unknown>;
      processors: Record<string, unknown>;
      exporters: Record<string, { endpoint?: string }>;
      extensions: Record<string, unknown>;
      service: { extensions: string[]; pipelines: Record<string, Record<string, string[]>> };
    };
    const traces = config.service.pipelines.traces;
    expect(traces?.receivers).toEqual(['otlp']);
    expect(traces?.processors).toContain('batch');
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      for (const component of traces?.[kind] ?? []) expect(config[kind], component).toHaveProperty(component);
    }
    for (const extension of config.service.extensions) expect(config.extensions).toHaveProperty(extension);
    const [exporter] = traces?.exporters ?? [];
    expect(config.exporters[exporter ?? '']?.endpoint).toBe('jaeger:4317');
    expect(compose.services.jaeger).toBeDefined();
  });
});

describe('deploy/Dockerfile', () => {
  const { globalArgs, stages } = parseDockerfile(read('deploy/Dockerfile'));
  const instructions = (stage: string | undefined, keyword: string) =>
    (stages.find((item) => item.name === stage)?.instructions ?? [])
      .filter((item) => item.keyword === keyword)
      .map((item) => item.args);

  it('builds with npm ci and npm run build on Node 24, and installs production dependencies only', () => {
    expect(globalArgs.get('NODE_IMAGE')).toMatch(/^node:24-(bookworm-slim|alpine)/);
    expect(instructions('build', 'RUN').join('\n')).toMatch(/npm ci\b/);
    expect(instructions('build', 'RUN').join('\n')).toMatch(/npm run build\b/);
    expect(instructions('deps', 'RUN').join('\n')).toMatch(/npm ci --omit=dev --workspace/);
    expect(stages.at(-1)?.from).toBe('service-${SERVICE}');
  });

  it('runs as a numeric non-root user under tini, with a /healthz healthcheck', () => {
    const [user] = instructions('runtime', 'USER');
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(instructions('runtime', 'ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--"]']);
    expect(instructions('runtime', 'HEALTHCHECK').join('')).toContain('/healthz');
  });

  it.each(SERVICES)('starts %s from a file that npm run build produces, on its port', (service) => {
    const [cmd] = instructions(`service-${service}`, 'CMD');
    const args = JSON.parse(cmd ?? '[]') as string[];
    expect(args.slice(0, -1)).toEqual([
      'node',
      '--enable-source-maps',
      '--import',
      '@otpflow/telemetry/register',
    ]);
    const entry = args.at(-1) ?? '';
    expect(entry).toBe(`services/${service}/dist/main.js`);
    expect(exists(entry), `${entry} (run npm run build first)`).toBe(true);
    expect(exists('shared/telemetry/dist/register.js')).toBe(true);
    expect(instructions(`service-${service}`, 'EXPOSE')).toEqual([String(PORTS[service])]);
    expect(instructions(`service-${service}`, 'ENV')).toEqual([`PORT=${String(PORTS[service])}`]);
    // The port each service's config defaults to.
    expect(read(`services/${service}/src/config.ts`)).toMatch(
      new RegExp(`PORT: envInt\\(${String(PORTS[service])}\\b`),
    );
  });

  it('has a .dockerignore that keeps dependencies and build output out of the context', () => {
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.git']));
  });
});

describe('monitoring', () => {
  interface ScrapeConfig {
    job_name: string;
    metrics_path?: string;
    params?: Record<string, string[]>;
    static_configs: { targets: string[] }[];
  }

  it('scrapes the same jobs and endpoints under compose (prometheus.yml) and Kubernetes (ServiceMonitors)', () => {
    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: ScrapeConfig[] };
    const compose = parse(read('docker-compose.yml'), { merge: true }) as {
      services: Record<string, unknown>;
    };
    const base = kustomize('k8s/base');
    const services = ofKind<IService>(base, 'Service');
    const endpoints = new Map<string, { path: string; params?: Record<string, string[]> }>();
    for (const monitor of ofKind<IServiceMonitor>(base, 'ServiceMonitor')) {
      const [endpoint] = monitor.spec.endpoints;
      // The Operator's job: the Service's name, unless the endpoint's relabeling sets it.
      const fixed = endpoint?.relabelings?.find((item) => item.targetLabel === 'job')?.replacement;
      const selected = monitor.spec.selector.matchExpressions?.[0]?.values ?? [];
      const jobs = fixed
        ? [fixed]
        : services
            .filter((service) =>
              selected.includes(service.metadata?.labels?.['app.kubernetes.io/name'] ?? ''),
            )
            .map((service) => service.metadata?.name ?? '');
      for (const job of jobs) {
        endpoints.set(job, { path: endpoint?.path ?? '/metrics', params: endpoint?.params });
      }
    }
    for (const config of prometheus.scrape_configs) {
      for (const target of config.static_configs.flatMap((item) => item.targets)) {
        expect(compose.services, `${config.job_name}: ${target}`).toHaveProperty(target.split(':')[0] ?? '');
      }
      const expected = endpoints.get(config.job_name);
      expect(expected, `a ServiceMonitor for job ${config.job_name}`).toBeDefined();
      expect(expected?.path).toBe(config.metrics_path ?? '/metrics');
      expect(expected?.params).toEqual(config.params);
    }
  });
});
