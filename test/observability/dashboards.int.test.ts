import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@otpflow/telemetry';
import { waitFor } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig as loadMetricsConfig } from '../../services/metrics/src/config.js';
import {
  startMetricsService,
  type RunningMetricsService,
} from '../../services/metrics/src/metrics-service.js';
import { API_KEY, sharedEnv, startStack, type Stack } from '../support/stack.js';
import type { FakeHttpServer } from '../../services/dispatcher/test/fakes/fake-http-server.js';
import {
  layoutProblems,
  loadDashboards,
  loadRules,
  panelQueries,
  parseLabelValues,
  PROMETHEUS_CONFIG,
  RULES_DIR,
  substitute,
  variableQuery,
  type Dashboard,
} from './dashboards.js';
import { OtpTraffic } from './otp-traffic.js';
import { HOOKS_KEY, registerFlakyEndpoint } from './tenant-endpoint.js';
import { PrometheusServer, type Sample } from './prometheus-server.js';
import { metricNames, nameRegexes, vectorSelectors } from './promql.js';
import { MISSING_TOOLS, onPath, promtool } from './promtool.js';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { kustomize, type K8sObject } from '../deploy/support.js';
import { endpointTargets, rabbitmqOperatorObjects, type Listeners } from './kubernetes-discovery.js';
import { operatorScrapeConfigs } from './operator-scrape-config.js';

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  params?: Record<string, string[]>;
  static_configs: { targets: string[] }[];
}

const RABBITMQ_PROMETHEUS_PORT = 15692;

/** Whether RabbitMQ's Prometheus endpoint answers, with the per-queue families the config asks for. */
async function rabbitmqTarget(rabbitUrl: string): Promise<string | undefined> {
  const target = `${new URL(rabbitUrl).hostname}:${RABBITMQ_PROMETHEUS_PORT}`;
  try {
    const response = await fetch(`http://${target}/metrics/detailed?family=queue_coarse_metrics`, {
      signal: AbortSignal.timeout(2_000),
    });
    return response.ok ? target : undefined;
  } catch {
    return undefined;
  }
}

const finite = (sample: Sample) => Number.isFinite(Number(sample.value[1]));

/**
 * The two ways otpflow is scraped: docker compose's prometheus.yml (static targets), and the Prometheus
 * Operator's configuration generated from the rendered ServiceMonitors of both overlays, with
 * Kubernetes discovery of the Services, Endpoints and Pods those overlays would run. Each mode names the
 * namespace whose data the tests read.
 */
const MODES = ['compose', 'operator'] as const;
type Mode = (typeof MODES)[number];
const NAMESPACE: Record<Mode, string> = { compose: 'compose', operator: 'otpflow' };
/** The other deployment the Operator's Prometheus scrapes (the same processes, under the dev overlay). */
const OTHER_NAMESPACE = 'otpflow-dev';
const OVERLAYS = ['k8s/overlays/dev', 'k8s/overlays/prod'];

/** The objects of both overlays, with the Services the RabbitMQ Cluster Operator makes for prod. */
function renderedClusters(): K8sObject[] {
  const rendered = OVERLAYS.flatMap((overlay) => kustomize(overlay));
  const clusters = rendered.filter((object) => object.kind === 'RabbitmqCluster');
  return [...rendered, ...clusters.flatMap(rabbitmqOperatorObjects)];
}

/**
 * The SRE assets against the real thing: gateway, dispatcher and metrics service in this process, real
 * RabbitMQ and database, and a real Prometheus scraping the three services (and RabbitMQ) with the
 * project's scrape config and rules. Every panel query of every dashboard must return data.
 */
describe('dashboards and rules against a live Prometheus', () => {
  let stack: Stack;
  let metricsService: RunningMetricsService | undefined;
  const servers: Partial<Record<Mode, PrometheusServer>> = {};
  let traffic: OtpTraffic;
  let callbackEndpoint: FakeHttpServer | undefined;
  let rabbitmqScraped = false;
  let startedAt = 0;
  /** Every metric name each Prometheus holds: scraped from a target, or recorded by a rule. */
  const knownNames: Record<Mode, Set<string>> = { compose: new Set(), operator: new Set() };
  const server = (mode: Mode) => {
    const found = servers[mode];
    if (!found) throw new Error(`no ${mode} Prometheus (setup failed)`);
    return found;
  };

  // Two waves of traffic a few scrapes apart, so every counter has moved between two scrapes and
  // every rate and quantile has a value (a series is born at its first increment).
  beforeAll(async () => {
    if (!onPath('prometheus') || !onPath('promtool')) throw new Error(MISSING_TOOLS);
    stack = await startStack('observability', {
      gatewayEnv: {
        CLIENT_RATE_LIMIT: '1000',
        API_KEYS: `${API_KEY}:e2e-client,${HOOKS_KEY}:e2e-client:otpflow:templates`,
        WEBHOOK_ALLOW_HTTP: 'true',
        CALLBACK_ALLOW_PRIVATE_ADDRESSES: 'true',
      },
      // The tenant endpoint listens on 127.0.0.1.
      dispatcherEnv: { CALLBACK_ALLOW_PRIVATE_ADDRESSES: 'true' },
    });
    // Status callbacks of the traffic below go to an endpoint that refuses the first one.
    callbackEndpoint = await registerFlakyEndpoint(stack);
    const metricsConfig = loadMetricsConfig({ ...sharedEnv(stack.context) });
    metricsService = await startMetricsService(
      metricsConfig,
      createLogger({ service: 'metrics', level: 'silent' }),
    );
    stack.context.alsoDeleteQueues(metricsService.queue);
    await metricsService.amqp.waitForConnect();

    const rabbitmq = await rabbitmqTarget(stack.context.rabbitUrl);
    rabbitmqScraped = rabbitmq !== undefined;
    const hostOf = (url: string) => new URL(url).host;
    const portOf = (url: string) => Number(new URL(url).port);
    const targets: Record<string, string | undefined> = {
      'otpflow-gateway': hostOf(stack.gateway.url),
      'otpflow-dispatcher': hostOf(stack.dispatcher?.url ?? ''),
      'otpflow-metrics': hostOf(metricsService.url),
      'otpflow-rabbitmq': rabbitmq,
      'otpflow-rabbitmq-global': rabbitmq,
    };
    const scrapeEverySecond = { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
    const rules = [join(RULES_DIR, '*.yml')];

    // docker compose: the deployed scrape config, pointed at this process's listeners.
    const deployed = parse(readFileSync(PROMETHEUS_CONFIG, 'utf8')) as { scrape_configs: ScrapeConfig[] };
    expect(deployed.scrape_configs.map((config) => config.job_name).sort()).toEqual(
      Object.keys(targets).sort(),
    );
    const composeConfigs = deployed.scrape_configs
      .filter((config) => targets[config.job_name] !== undefined)
      .map((config) => ({
        ...config,
        static_configs: config.static_configs.map((item) => ({
          ...item,
          targets: [targets[config.job_name]],
        })),
      }));

    // Kubernetes: what discovery finds for both overlays' objects, relabelled by the Operator's
    // configuration for their ServiceMonitors. Every pod of both namespaces is this process (or the
    // machine's RabbitMQ).
    const rendered = renderedClusters();
    const listeners: Listeners = {
      gateway: { http: portOf(stack.gateway.url) },
      dispatcher: { http: portOf(stack.dispatcher?.url ?? '') },
      metrics: { http: portOf(metricsService.url) },
      ...(rabbitmq ? { rabbitmq: { prometheus: RABBITMQ_PROMETHEUS_PORT } } : {}),
      ...(rabbitmq ? { 'otpflow-rabbitmq': { prometheus: RABBITMQ_PROMETHEUS_PORT } } : {}),
    };
    const monitors = rendered.filter(
      (object) => object.kind === 'ServiceMonitor',
    ) as unknown as IServiceMonitor[];
    const operatorConfigs = operatorScrapeConfigs(monitors, {
      discovered: endpointTargets(rendered, listeners),
      scrapeInterval: '1s',
      scrapeTimeout: '1s',
    });
    // Per namespace: the three services, and RabbitMQ (per queue, and its node-wide counters) when its
    // Prometheus endpoint answers.
    const operatorTargets = OVERLAYS.length * (3 + (rabbitmq ? 2 : 0));

    const [composeServer, operatorServer] = await Promise.all([
      PrometheusServer.start({
        global: scrapeEverySecond,
        rule_files: rules,
        scrape_configs: composeConfigs,
      }),
      PrometheusServer.start({
        global: scrapeEverySecond,
        rule_files: rules,
        scrape_configs: operatorConfigs,
      }),
    ]);
    servers.compose = composeServer;
    servers.operator = operatorServer;
    startedAt = Date.now();
    const expectedTargets: Record<Mode, number> = {
      compose: composeConfigs.length,
      operator: operatorTargets,
    };
    for (const mode of MODES) {
      let seen: Awaited<ReturnType<PrometheusServer['targets']>> = [];
      await waitFor(
        async () => {
          seen = await server(mode).targets();
          return seen.length === expectedTargets[mode] && seen.every((target) => target.health === 'up');
        },
        { timeoutMs: 30_000, what: `every ${mode} target to be scraped` },
      ).catch((error: unknown) => {
        const state = seen.map(
          (target) => `${JSON.stringify(target.labels)} ${target.health} ${target.lastError}`,
        );
        throw new Error(
          `${(error as Error).message}: ${String(seen.length)}/${String(expectedTargets[mode])}\n${state.join('\n')}`,
        );
      });
    }

    traffic = new OtpTraffic(stack);
    await traffic.wave();
    await traffic.failures();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await traffic.wave();
    // A refused callback and a delivered one (its retry, or the next code's).
    await waitFor(
      () => (callbackEndpoint?.requests.filter((request) => request.answeredWith === 204).length ?? 0) > 0,
      {
        timeoutMs: 30_000,
        what: 'a status callback delivered after a refused one',
      },
    );

    const { counts } = traffic;
    for (const mode of MODES) {
      const scoped = (metric: string) => server(mode).total(`sum(${metric}{namespace="${NAMESPACE[mode]}"})`);
      await waitFor(
        async () =>
          (await scoped('otpflow_codes_requested_total')) === counts.sends &&
          (await scoped('otpflow_codes_delivered_total')) === counts.delivered &&
          (await scoped('otpflow_codes_undelivered_total')) === counts.undelivered &&
          (await scoped('otpflow_codes_verified_total')) === counts.verified &&
          (await scoped('otpflow_codes_dead_lettered_total')) === counts.deadLettered,
        {
          timeoutMs: 20_000,
          what: `the ${mode} Prometheus to scrape every event the metrics service counted`,
        },
      );
    }
    // Two more evaluations, so every recording rule has seen the last scrape.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    for (const mode of MODES) knownNames[mode] = new Set(await server(mode).labelValues('__name__'));
  }, 180_000);

  afterAll(async () => {
    await Promise.all(MODES.map((mode) => servers[mode]?.stop() ?? Promise.resolve()));
    await metricsService?.shutdown('test finished');
    // Undefined when beforeAll failed before the stack started (prometheus missing, for one).
    await (stack as Stack | undefined)?.stop();
    await callbackEndpoint?.close();
  });

  /** Long enough to cover everything since Prometheus started: the dashboards' time range. */
  const window = () => `${String(Math.ceil((Date.now() - startedAt) / 1000) + 5)}s`;

  type Choice = 'all' | 'actual';

  /** Values for the dashboard's variables, as Grafana would offer them from this Prometheus. */
  async function variableValues(
    mode: Mode,
    dashboard: Dashboard,
    choice: Choice,
    namespace = NAMESPACE[mode],
  ): Promise<Record<string, string>> {
    const values: Record<string, string> = {};
    for (const variable of dashboard.templating.list) {
      if (variable.type === 'datasource') continue;
      const { match, label } = parseLabelValues(variableQuery(variable));
      const options = await server(mode).labelValues(label, substitute(match, values, window()));
      if (variable.name === 'namespace') {
        // The one deployment to look at: never "All" (environments must not mix).
        expect(options, `${dashboard.uid}: namespaces offered`).toContain(NAMESPACE[mode]);
        values.namespace = namespace;
        continue;
      }
      if (namespace === NAMESPACE[mode]) {
        expect(options, `${dashboard.uid}: variable ${variable.name} has no values`).not.toHaveLength(0);
      }
      if (choice === 'all') {
        values[variable.name] = variable.allValue ?? '.*';
      } else {
        // The country where every kind of event happened; for the others, the first value offered.
        const preferred = { country: OtpTraffic.FULL_COUNTRY, provider: 'webhook' }[variable.name];
        if (preferred !== undefined) expect(options).toContain(preferred);
        values[variable.name] = preferred ?? options[0] ?? '';
      }
    }
    return values;
  }

  /** Why a query is unfit for a panel, or undefined when it is fine. */
  async function problemWith(mode: Mode, expr: string): Promise<string | undefined> {
    const names = knownNames[mode];
    const unknown = metricNames(expr).filter((name) => !names.has(name));
    if (unknown.length > 0) return `names metrics no target exposes: ${unknown.join(', ')}`;
    for (const pattern of nameRegexes(expr)) {
      if (![...names].some((name) => pattern.test(name))) return `no metric matches ${String(pattern)}`;
    }
    let samples: Sample[];
    try {
      samples = await server(mode).query(expr);
    } catch (error) {
      return `fails: ${(error as Error).message}`;
    }
    if (samples.length === 0) return 'returns no data';
    if (!samples.some(finite)) return `returns only NaN/Inf: ${JSON.stringify(samples.slice(0, 3))}`;
    return undefined;
  }

  const skipRabbit = (expr: string) =>
    !rabbitmqScraped && metricNames(expr).some((name) => name.startsWith('rabbitmq_'));

  it('has dashboards in the current Grafana model, with a datasource and a namespace variable', () => {
    const dashboards = loadDashboards();
    expect(dashboards.map(({ file }) => file)).toEqual(['otpflow-operations.json', 'otpflow-overview.json']);
    for (const { dashboard } of dashboards) {
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
      expect(layoutProblems(dashboard), dashboard.uid).toEqual([]);
      const variables = dashboard.templating.list;
      expect(variables.map((variable) => variable.name).sort()).toEqual([
        'client',
        'country',
        'datasource',
        'namespace',
        'provider',
      ]);
      expect(variables.find((variable) => variable.name === 'datasource')).toMatchObject({
        type: 'datasource',
        query: 'prometheus',
      });
      // One namespace at a time: "All" would add dev and prod up.
      expect(variables.find((variable) => variable.name === 'namespace')).toMatchObject({
        multi: false,
        includeAll: false,
      });
      const queries = panelQueries(dashboard);
      expect(queries.length).toBeGreaterThan(10);
      // No datasource uid of one installation: every query and variable uses the variable.
      for (const query of queries) expect(query.datasourceUid, query.panel).toBe('${datasource}');
      for (const variable of variables.filter((item) => item.type === 'query')) {
        expect(variable.datasource?.uid, variable.name).toBe('${datasource}');
      }
      // Every query variable is used by at least one panel, the namespace by every query.
      for (const variable of variables.filter((item) => item.type === 'query')) {
        expect(
          queries.some((query) => query.expr.includes(`$${variable.name}`)),
          `$${variable.name} unused in ${dashboard.uid}`,
        ).toBe(true);
      }
      for (const query of queries) {
        expect(query.expr, `${query.panel} (${query.refId})`).toContain('namespace="$namespace"');
      }
    }
  });

  describe.each(MODES)('scraped as under %s', (mode) => {
    it.each(['all', 'actual'] as const)(
      'returns data for every panel query (variables: %s)',
      async (choice) => {
        const problems: string[] = [];
        let checked = 0;
        for (const { dashboard } of loadDashboards()) {
          const values = await variableValues(mode, dashboard, choice);
          for (const query of panelQueries(dashboard)) {
            const expr = substitute(query.expr, values, window());
            if (skipRabbit(expr)) continue;
            const problem = await problemWith(mode, expr);
            checked += 1;
            if (problem)
              problems.push(`${query.dashboard} / ${query.panel} (${query.refId}) ${problem}\n    ${expr}`);
          }
        }
        expect(problems, problems.join('\n')).toEqual([]);
        expect(checked).toBeGreaterThan(40);
      },
    );

    it('shows nothing of a namespace where otpflow does not run: every query keeps to its namespace', async () => {
      const leaks: string[] = [];
      for (const { dashboard } of loadDashboards()) {
        const values = await variableValues(mode, dashboard, 'all', 'no-such-namespace');
        for (const query of panelQueries(dashboard)) {
          const samples = await server(mode).query(substitute(query.expr, values, window()));
          // `or vector(0)` fallbacks may answer a zero; anything else came from another namespace.
          if (samples.some((sample) => Number(sample.value[1]) !== 0)) {
            leaks.push(`${query.dashboard} / ${query.panel} (${query.refId})`);
          }
        }
      }
      expect(leaks).toEqual([]);
    });

    it('evaluates every rule without error, and every recording rule has a value per namespace', async () => {
      const response = await fetch(`${server(mode).url}/api/v1/rules`);
      const { data } = (await response.json()) as {
        data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
      };
      const unhealthy = data.groups
        .flatMap((group) => group.rules)
        .filter((rule) => rule.health !== 'ok')
        .map((rule) => `${rule.name}: ${rule.health} ${rule.lastError ?? ''}`);
      expect(unhealthy).toEqual([]);

      const records = loadRules().flatMap(({ rules }) =>
        rules.flatMap((rule) => (rule.record ? [rule.record] : [])),
      );
      const problems: string[] = [];
      for (const record of records) {
        const samples = await server(mode).query(record);
        if (samples.length === 0) problems.push(`${record}: no series (its expression selects nothing real)`);
        if (samples.some((sample) => sample.metric.namespace === undefined))
          problems.push(`${record}: a series without namespace (deployments would mix)`);
      }
      expect(problems).toEqual([]);
    });

    it('writes alert expressions against metrics and labels that exist', async () => {
      const problems: string[] = [];
      for (const { rules } of loadRules()) {
        for (const rule of rules.filter((item) => item.alert)) {
          for (const name of metricNames(rule.expr)) {
            if (!rabbitmqScraped && name.startsWith('rabbitmq_')) continue;
            // kube-state-metrics is a cluster component: promtool tests cover the alerts on it.
            if (name.startsWith('kube_')) continue;
            if (!knownNames[mode].has(name)) problems.push(`${rule.alert ?? ''}: unknown metric ${name}`);
          }
          for (const selector of vectorSelectors(rule.expr)) {
            if (!rabbitmqScraped && selector.startsWith('rabbitmq_')) continue;
            if (selector.startsWith('kube_')) continue;
            if ((await server(mode).query(`count(${selector})`)).length === 0) {
              problems.push(`${rule.alert ?? ''}: ${selector} selects nothing`);
            }
          }
        }
      }
      expect(problems, problems.join('\n')).toEqual([]);
    });

    it('fires OtpflowDeadLettersGrowing for the dead letter the traffic made, in its namespace', async ({
      skip,
    }) => {
      if (!rabbitmqScraped) skip('RabbitMQ Prometheus endpoint not reachable');
      const namespace = NAMESPACE[mode];
      const deadQueue = `${stack.context.topology.prefix}.send.dead`;
      expect(
        await server(mode).total(
          `rabbitmq_detailed_queue_messages{namespace="${namespace}", queue="${deadQueue}"}`,
        ),
      ).toBe(traffic.counts.deadLettered);
      const alerts = await waitFor(
        async () => {
          const firing = await server(mode).query(
            `ALERTS{alertname="OtpflowDeadLettersGrowing", alertstate="firing", queue="${deadQueue}"}`,
          );
          return firing.some((alert) => alert.metric.namespace === namespace) ? firing : undefined;
        },
        { what: 'the dead-letter alert to fire' },
      );
      expect(alerts.find((alert) => alert.metric.namespace === namespace)?.metric).toMatchObject({
        severity: 'warning',
        queue: deadQueue,
        namespace,
      });
    });

    it('counts what the traffic did, once per namespace', async () => {
      const namespace = NAMESPACE[mode];
      const total = (selector: string) => {
        const scoped = selector.includes('{')
          ? selector.replace('{', `{namespace="${namespace}", `)
          : `${selector}{namespace="${namespace}"}`;
        return server(mode).total(`sum(${scoped})`);
      };
      const { counts } = traffic;
      expect(await total('otpflow_codes_requested_total')).toBe(counts.sends);
      expect(await total('otpflow_http_requests_total{route=~".+/send-code", status="200"}')).toBe(
        counts.sends,
      );
      expect(await total('otpflow_codes_sent_total')).toBe(counts.sends - counts.deadLettered);
      expect(await total('otpflow_codes_verified_total')).toBe(counts.verified);
      expect(await total('otpflow_http_requests_total{route=~".+/validate-code", status="204"}')).toBe(
        counts.verified,
      );
      expect(await total('otpflow_http_requests_total{code="NOT_FOUND"}')).toBe(counts.notFound);
      const rejected = Object.fromEntries(
        (
          await server(mode).query(`sum by (reason) (otpflow_codes_rejected_total{namespace="${namespace}"})`)
        ).map((sample) => [sample.metric.reason ?? '', Number(sample.value[1])]),
      );
      expect(rejected).toEqual(counts.rejected);
      expect(await total('otpflow_codes_delivered_total')).toBe(counts.delivered);
      expect(await total('otpflow_codes_undelivered_total')).toBe(counts.undelivered);
      expect(await total('otpflow_code_delivery_retries_total')).toBe(counts.retried);
      expect(await total('otpflow_dispatcher_retries_total')).toBe(counts.retried);
      expect(await total('otpflow_codes_dead_lettered_total{reason="permanent_failure"}')).toBe(
        counts.deadLettered,
      );
      expect(await total('otpflow_dispatcher_jobs_total{outcome="dead_lettered"}')).toBe(counts.deadLettered);
      expect(await total('otpflow_codes_failed_total')).toBe(counts.deadLettered + counts.undelivered);
      // A UCS-2 code of this length fits one part; every SMS that was sent is billed at least one part.
      expect(await total('otpflow_sms_parts_total{encoding="UCS-2"}')).toBe(counts.ucs2Sends);
      expect(await total('otpflow_sms_parts_total')).toBe(counts.sends - counts.deadLettered);
      // The guard's own decisions (its sweeps' at least), by the country calling code sent to: the
      // traffic's countries, never a range or a number.
      const decidedIn = (
        await server(mode).query(`sum by (country) (otpflow_fraud_decisions_total{namespace="${namespace}"})`)
      ).map((sample) => sample.metric.country);
      expect(decidedIn).toContain(OtpTraffic.FULL_COUNTRY);
      for (const country of decidedIn) expect(OtpTraffic.COUNTRIES).toContain(country);
    });
  });

  it('keeps the Operator’s target labels: job and namespace from the Service, no label of ours renamed', async () => {
    const operator = server('operator');
    // The Operator's job is the Service's name; the rules select these.
    for (const namespace of [NAMESPACE.operator, OTHER_NAMESPACE]) {
      for (const job of ['otpflow-gateway', 'otpflow-dispatcher', 'otpflow-metrics']) {
        const up = await operator.query(`up{namespace="${namespace}", job="${job}"}`);
        expect(
          up.map((sample) => sample.value[1]),
          `${namespace}/${job}`,
        ).toEqual(['1']);
        expect(up[0]?.metric).toMatchObject({
          service: job,
          endpoint: 'http',
          container: job.replace('otpflow-', ''),
        });
      }
      if (rabbitmqScraped) {
        expect(await operator.total(`up{namespace="${namespace}", job="otpflow-rabbitmq"}`)).toBe(1);
      }
    }
    // A label the services set that collides with a target label would come back as exported_<name>
    // (honor_labels is false), and a rule selecting the original would see nothing.
    for (const target of ['service', 'namespace', 'job', 'pod', 'container', 'endpoint', 'instance']) {
      const renamed = await operator.labelValues('__name__', `{exported_${target}=~".+"}`);
      expect(renamed, `metrics with exported_${target}`).toEqual([]);
    }
    // The other deployment counted the same traffic in its own namespace: nothing is summed twice.
    expect(await operator.total(`sum(otpflow_codes_requested_total{namespace="${OTHER_NAMESPACE}"})`)).toBe(
      traffic.counts.sends,
    );
    expect(await operator.total('sum(otpflow_codes_requested_total)')).toBe(2 * traffic.counts.sends);
  });

  it('serves /metrics that pass promtool check metrics, from every service', async () => {
    const urls = {
      gateway: stack.gateway.url,
      dispatcher: stack.dispatcher?.url ?? '',
      metrics: (metricsService as RunningMetricsService).url,
    };
    for (const [service, url] of Object.entries(urls)) {
      const exposition = await (await fetch(`${url}/metrics`)).text();
      const run = await promtool(['check', 'metrics'], { stdin: exposition });
      const findings = `${run.stdout}${run.stderr}`.split('\n').filter(Boolean);
      expect(findings, `${service}: ${findings.join('\n')}`).toEqual([]);
      expect(run.code, `${service}: promtool exited ${String(run.code)}`).toBe(0);
    }
  });
});
