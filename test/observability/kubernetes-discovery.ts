import type { IContainer } from 'kubernetes-models/v1/Container';
import type { K8sObject } from '../deploy/support.js';

/** Where a service of the test really listens, by its app.kubernetes.io/name and port name. */
export type Listeners = Record<string, Record<string, number>>;

/** A static target group: one target and its labels (`__meta_*` ones included). */
export interface TargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec?: { containers: IContainer[] };
}

interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: { name?: string; port: number }[];
}

/** The RabbitMQ Cluster Operator's client Service and server StatefulSet for a RabbitmqCluster. */
export function rabbitmqOperatorObjects(cluster: K8sObject): K8sObject[] {
  const name = cluster.metadata.name;
  const labels = {
    'app.kubernetes.io/component': 'rabbitmq',
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/part-of': 'rabbitmq',
  };
  const namespace = cluster.metadata.namespace;
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels },
      spec: {
        selector: { 'app.kubernetes.io/name': name },
        ports: [
          { name: 'amqps', port: 5671 },
          { name: 'amqp', port: 5672 },
          { name: 'management', port: 15672 },
          { name: 'prometheus', port: 15692 },
        ],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: `${name}-server`, namespace, labels },
      spec: {
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'rabbitmq', ports: [{ name: 'prometheus', containerPort: 15692 }] }] },
        },
      },
    },
  ];
}

/** Prometheus' form of a Kubernetes label key in meta label names. */
const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_');

/** `<prefix>_label_<key>` and `<prefix>_labelpresent_<key>` for every label, as Kubernetes SD sets them. */
function labelMeta(prefix: string, labels: Record<string, string> | undefined): Record<string, string> {
  const meta: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels ?? {})) {
    meta[`${prefix}_label_${sanitize(key)}`] = value;
    meta[`${prefix}_labelpresent_${sanitize(key)}`] = 'true';
  }
  return meta;
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  selector !== undefined &&
  Object.keys(selector).length > 0 &&
  Object.entries(selector).every(([key, value]) => labels?.[key] === value);

interface Pod {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  containers: IContainer[];
}

/** One running, ready pod per Deployment and StatefulSet (its template's labels and containers). */
function podsOf(rendered: K8sObject[]): Pod[] {
  return rendered
    .filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet')
    .map((workload) => {
      const template = (workload.spec as { template: PodTemplate }).template;
      const name =
        workload.kind === 'StatefulSet'
          ? `${workload.metadata.name}-0`
          : `${workload.metadata.name}-5d8f7c9b4-x2k7q`;
      return {
        name,
        namespace: workload.metadata.namespace ?? 'default',
        labels: template.metadata?.labels ?? {},
        containers: template.spec?.containers ?? [],
      };
    });
}

/**
 * The targets Prometheus' Kubernetes discovery (role: endpoints) finds for the rendered objects once
 * they run, with the meta labels it documents for that role: one target per Service port whose pods
 * listen, on 127.0.0.1 at the test's real listener for that service. What the Operator's relabelling
 * then makes of them is Prometheus' own doing.
 *
 * This stands in for a Kubernetes API server: the machine's Prometheus (Debian's build) leaves out the
 * Kubernetes discovery plugin, so the targets come as static groups carrying the same meta labels.
 */
export function endpointTargets(rendered: K8sObject[], listeners: Listeners): TargetGroup[] {
  const pods = podsOf(rendered);
  const groups: TargetGroup[] = [];
  for (const service of rendered.filter((object) => object.kind === 'Service')) {
    const spec = service.spec as ServiceSpec;
    const namespace = service.metadata.namespace ?? 'default';
    const serviceMeta = {
      __meta_kubernetes_namespace: namespace,
      __meta_kubernetes_endpoints_name: service.metadata.name,
      ...labelMeta('__meta_kubernetes_endpoints', service.metadata.labels),
      __meta_kubernetes_service_name: service.metadata.name,
      ...labelMeta('__meta_kubernetes_service', service.metadata.labels),
    };
    for (const pod of pods.filter(
      (item) => item.namespace === namespace && selects(spec.selector, item.labels),
    )) {
      const own = listeners[pod.labels['app.kubernetes.io/name'] ?? ''] ?? {};
      for (const port of spec.ports ?? []) {
        const listening = own[port.name ?? ''];
        if (listening === undefined) continue;
        const container = pod.containers.find((item) => item.ports?.some((p) => p.name === port.name));
        groups.push({
          targets: [`127.0.0.1:${String(listening)}`],
          labels: {
            ...serviceMeta,
            __meta_kubernetes_endpoint_node_name: 'node-a',
            __meta_kubernetes_endpoint_ready: 'true',
            __meta_kubernetes_endpoint_port_name: port.name ?? '',
            __meta_kubernetes_endpoint_port_protocol: 'TCP',
            __meta_kubernetes_endpoint_address_target_kind: 'Pod',
            __meta_kubernetes_endpoint_address_target_name: pod.name,
            __meta_kubernetes_pod_name: pod.name,
            __meta_kubernetes_pod_ip: '127.0.0.1',
            ...labelMeta('__meta_kubernetes_pod', pod.labels),
            __meta_kubernetes_pod_node_name: 'node-a',
            __meta_kubernetes_pod_host_ip: '127.0.0.1',
            __meta_kubernetes_pod_ready: 'true',
            __meta_kubernetes_pod_phase: 'Running',
            ...(container
              ? {
                  __meta_kubernetes_pod_container_name: container.name,
                  __meta_kubernetes_pod_container_init: 'false',
                  __meta_kubernetes_pod_container_port_name: port.name ?? '',
                  __meta_kubernetes_pod_container_port_number: String(listening),
                  __meta_kubernetes_pod_container_port_protocol: 'TCP',
                }
              : {}),
          },
        });
      }
    }
  }
  return groups;
}
