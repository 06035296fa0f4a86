/**
 * The scrape configuration the Prometheus Operator generates from ServiceMonitors, for a real Prometheus
 * in the tests: the same kubernetes_sd_configs (role endpoints, the ServiceMonitor's namespaces) and the
 * same relabelling, in the same order, so what the rules and dashboards see here is what they see on a
 * cluster.
 *
 * Written from the Operator's own expected output (its `pkg/prometheus/testdata/*.golden` files, e.g.
 * MatchExpressionsServiceMonitor and GenerateRelabelConfig, Operator 0.7x-0.8x) and its
 * generateServiceMonitorConfig: keep by Service labels and port name; node, pod, namespace, service,
 * pod, container from the discovered objects; drop finished pods; job = the Service's name, or the
 * jobLabel's value; endpoint = the port name; the endpoint's own relabelings; then the sharding rules.
 * honor_labels is false unless the endpoint says otherwise: target labels win, and a scraped label of
 * the same name is kept as exported_<name>. Not-ready endpoints are not dropped.
 *
 * Differences from a cluster, all in `options`: the discovery (the Operator writes kubernetes_sd_configs
 * with role endpoints in the ServiceMonitor's namespaces; here the targets that discovery would find,
 * with its meta labels, come as static groups from kubernetes-discovery.ts, restricted to the same
 * namespaces), and the scrape interval (every second here, so a test takes seconds).
 */
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { TargetGroup } from './kubernetes-discovery.js';

type Relabel = Record<string, unknown>;

export interface OperatorScrapeOptions {
  /** What Kubernetes discovery (role endpoints) finds in the cluster, every namespace. */
  discovered: TargetGroup[];
  scrapeInterval?: string;
  scrapeTimeout?: string;
}

/** The Operator's sanitizeLabelName: a Kubernetes label key as a Prometheus label name. */
const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_');

/** A ServiceMonitor relabeling (camelCase, as in the CRD) as Prometheus configuration (snake_case). */
function relabelFromCrd(crd: Record<string, unknown>): Relabel {
  const keys: Record<string, string> = {
    sourceLabels: 'source_labels',
    targetLabel: 'target_label',
    separator: 'separator',
    regex: 'regex',
    modulus: 'modulus',
    replacement: 'replacement',
    action: 'action',
  };
  return Object.fromEntries(
    Object.entries(crd).map(([key, value]) => [
      keys[key] ?? key,
      key === 'action' ? String(value).toLowerCase() : value,
    ]),
  );
}

/** keep/drop rules for the Service label selector, as the Operator writes them. */
function selectorRelabels(selector: IServiceMonitor['spec']['selector']): Relabel[] {
  const rules: Relabel[] = [];
  for (const key of Object.keys(selector.matchLabels ?? {}).sort()) {
    rules.push({
      action: 'keep',
      source_labels: [
        `__meta_kubernetes_service_label_${sanitize(key)}`,
        `__meta_kubernetes_service_labelpresent_${sanitize(key)}`,
      ],
      regex: `(${selector.matchLabels?.[key] ?? ''});true`,
    });
  }
  for (const expression of selector.matchExpressions ?? []) {
    const label = `__meta_kubernetes_service_label_${sanitize(expression.key)}`;
    const present = `__meta_kubernetes_service_labelpresent_${sanitize(expression.key)}`;
    const values = (expression.values ?? []).join('|');
    switch (expression.operator) {
      case 'In':
        rules.push({ action: 'keep', source_labels: [label, present], regex: `(${values});true` });
        break;
      case 'NotIn':
        rules.push({ action: 'drop', source_labels: [label, present], regex: `(${values});true` });
        break;
      case 'Exists':
        rules.push({ action: 'keep', source_labels: [present], regex: 'true' });
        break;
      case 'DoesNotExist':
        rules.push({ action: 'drop', source_labels: [present], regex: 'true' });
        break;
      default:
        throw new Error(`unknown selector operator ${expression.operator}`);
    }
  }
  return rules;
}

/** The namespaces a ServiceMonitor's targets are discovered in (its own unless it says otherwise). */
function namespacesOf(monitor: IServiceMonitor): string[] | undefined {
  const selector = monitor.spec.namespaceSelector;
  if (selector?.any) return undefined;
  return selector?.matchNames ?? [monitor.metadata?.namespace ?? 'default'];
}

/** One scrape config per ServiceMonitor endpoint, named serviceMonitor/<namespace>/<name>/<index>. */
export function operatorScrapeConfigs(
  monitors: IServiceMonitor[],
  options: OperatorScrapeOptions,
): Record<string, unknown>[] {
  return monitors.flatMap((monitor) =>
    monitor.spec.endpoints.map((endpoint, index) => {
      const namespaces = namespacesOf(monitor);
      const relabels: Relabel[] = [
        { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' },
        ...selectorRelabels(monitor.spec.selector),
      ];
      if (endpoint.port) {
        relabels.push({
          action: 'keep',
          source_labels: ['__meta_kubernetes_endpoint_port_name'],
          regex: endpoint.port,
        });
      }
      const targetRef = [
        '__meta_kubernetes_endpoint_address_target_kind',
        '__meta_kubernetes_endpoint_address_target_name',
      ];
      relabels.push(
        {
          source_labels: targetRef,
          separator: ';',
          regex: 'Node;(.*)',
          replacement: '${1}',
          target_label: 'node',
        },
        {
          source_labels: targetRef,
          separator: ';',
          regex: 'Pod;(.*)',
          replacement: '${1}',
          target_label: 'pod',
        },
        { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
        { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
        { action: 'drop', source_labels: ['__meta_kubernetes_pod_phase'], regex: '(Failed|Succeeded)' },
      );
      for (const label of monitor.spec.targetLabels ?? []) {
        relabels.push({
          source_labels: [`__meta_kubernetes_service_label_${sanitize(label)}`],
          target_label: sanitize(label),
          regex: '(.+)',
          replacement: '${1}',
        });
      }
      for (const label of monitor.spec.podTargetLabels ?? []) {
        relabels.push({
          source_labels: [`__meta_kubernetes_pod_label_${sanitize(label)}`],
          target_label: sanitize(label),
          regex: '(.+)',
          replacement: '${1}',
        });
      }
      relabels.push({
        source_labels: ['__meta_kubernetes_service_name'],
        target_label: 'job',
        replacement: '${1}',
      });
      if (monitor.spec.jobLabel) {
        relabels.push({
          source_labels: [`__meta_kubernetes_service_label_${sanitize(monitor.spec.jobLabel)}`],
          target_label: 'job',
          regex: '(.+)',
          replacement: '${1}',
        });
      }
      if (endpoint.port) relabels.push({ target_label: 'endpoint', replacement: endpoint.port });
      for (const relabel of endpoint.relabelings ?? [])
        relabels.push(relabelFromCrd(relabel as Record<string, unknown>));
      // Sharding, with the one shard of an unsharded Prometheus ($(SHARD) is expanded to 0 by the
      // Operator's config reloader).
      relabels.push(
        {
          source_labels: ['__address__', '__tmp_hash'],
          target_label: '__tmp_hash',
          regex: '(.+);',
          replacement: '$1',
          action: 'replace',
        },
        { source_labels: ['__tmp_hash'], target_label: '__tmp_hash', modulus: 1, action: 'hashmod' },
        { source_labels: ['__tmp_hash', '__tmp_disable_sharding'], regex: '0;|.+;.+', action: 'keep' },
      );
      return {
        job_name: `serviceMonitor/${monitor.metadata?.namespace ?? 'default'}/${monitor.metadata?.name ?? ''}/${String(index)}`,
        honor_labels: endpoint.honorLabels ?? false,
        // In a cluster: kubernetes_sd_configs: [{ role: endpoints, namespaces: { names: namespaces } }].
        static_configs: options.discovered.filter(
          (group) =>
            namespaces === undefined || namespaces.includes(group.labels.__meta_kubernetes_namespace ?? ''),
        ),
        scrape_interval: options.scrapeInterval ?? endpoint.interval,
        scrape_timeout: options.scrapeTimeout ?? endpoint.scrapeTimeout,
        ...(endpoint.path ? { metrics_path: endpoint.path } : {}),
        ...(endpoint.params ? { params: endpoint.params } : {}),
        ...(endpoint.scheme ? { scheme: endpoint.scheme } : {}),
        relabel_configs: relabels,
        ...(endpoint.metricRelabelings
          ? {
              metric_relabel_configs: endpoint.metricRelabelings.map((item) =>
                relabelFromCrd(item as Record<string, unknown>),
              ),
            }
          : {}),
      };
    }),
  );
}
