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
import { sharedEnv, startStack, type Stack } from '../support/stack.js';
import {
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
import { PrometheusServer, type Sample } from './prometheus-server.js';
import { metricNames, nameRegexes, vectorSelectors } from './promql.js';
import { MISSING_TOOLS, onPath, promtool } from './promtool.js';

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
 * The SRE assets against the real thing: gateway, dispatcher and metrics service in this process, real
 * RabbitMQ and database, and a real Prometheus scraping the three services (and RabbitMQ) with the
 * project's scrape config and rules. Every panel query of every dashboard must return data.
 */
describe('dashboards and rules against a live Prometheus', () => {
  let stack: Stack;
  let metricsService: RunningMetricsService | undefined;
  let prometheus: PrometheusServer | undefined;
  let traffic: OtpTraffic;
  let rabbitmqScraped = false;
  let startedAt = 0;
  /** Every metric name Prometheus holds: scraped from a target, or recorded by a rule. */
  let knownNames = new Set<string>();

  // Two waves of traffic a few scrapes apart, so every counter has moved between two scrapes and
  // every rate and quantile has a value (a series is born at its first increment).
  beforeAll(async () => {
    if (!onPath('prometheus') || !onPath('promtool')) throw new Error(MISSING_TOOLS);
    stack = await startStack('observability', { gatewayEnv: { CLIENT_RATE_LIMIT: '1000' } });
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
    const targets: Record<string, string | undefined> = {
      gateway: hostOf(stack.gateway.url),
      dispatcher: hostOf(stack.dispatcher?.url ?? ''),
      metrics: hostOf(metricsService.url),
      rabbitmq,
    };
    // The deployed scrape config, pointed at this process's listeners and scraping every second.
    const deployed = parse(readFileSync(PROMETHEUS_CONFIG, 'utf8')) as { scrape_configs: ScrapeConfig[] };
    expect(deployed.scrape_configs.map((config) => config.job_name).sort()).toEqual(
      Object.keys(targets).sort(),
    );
    const scrapeConfigs = deployed.scrape_configs
      .filter((config) => targets[config.job_name] !== undefined)
      .map((config) => ({ ...config, static_configs: [{ targets: [targets[config.job_name]] }] }));
    prometheus = await PrometheusServer.start({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: [join(RULES_DIR, '*.yml')],
      scrape_configs: scrapeConfigs,
    });
    startedAt = Date.now();
    const server = prometheus;
    await waitFor(
      async () => {
        const active = await server.targets();
        return active.length === scrapeConfigs.length && active.every((target) => target.health === 'up');
      },
      { timeoutMs: 20_000, what: 'every target to be scraped' },
    );

    traffic = new OtpTraffic(stack);
    await traffic.wave();
    await traffic.failures();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await traffic.wave();

    const { counts } = traffic;
    await waitFor(
      async () =>
        (await server.total('sum(otpflow_codes_requested_total)')) === counts.sends &&
        (await server.total('sum(otpflow_codes_delivered_total)')) === counts.delivered &&
        (await server.total('sum(otpflow_codes_undelivered_total)')) === counts.undelivered &&
        (await server.total('sum(otpflow_codes_verified_total)')) === counts.verified &&
        (await server.total('sum(otpflow_codes_dead_lettered_total)')) === counts.deadLettered,
      { timeoutMs: 20_000, what: 'Prometheus to scrape every event the metrics service counted' },
    );
    // Two more evaluations, so every recording rule has seen the last scrape.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    knownNames = new Set(await server.labelValues('__name__'));
  }, 150_000);

  afterAll(async () => {
    await prometheus?.stop();
    await metricsService?.shutdown('test finished');
    // Undefined when beforeAll failed before the stack started (prometheus missing, for one).
    await (stack as Stack | undefined)?.stop();
  });

  /** Long enough to cover everything since Prometheus started: the dashboards' time range. */
  const window = () => `${String(Math.ceil((Date.now() - startedAt) / 1000) + 5)}s`;

  async function variableValues(
    dashboard: Dashboard,
    mode: 'all' | 'actual',
  ): Promise<Record<string, string>> {
    const values: Record<string, string> = {};
    for (const variable of dashboard.templating.list) {
      const { match, label } = parseLabelValues(variableQuery(variable));
      const options = await (prometheus as PrometheusServer).labelValues(
        label,
        substitute(match, values, window()),
      );
      expect(options, `${dashboard.uid}: variable ${variable.name} has no values`).not.toHaveLength(0);
      if (mode === 'all') {
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
  async function problemWith(expr: string): Promise<string | undefined> {
    const server = prometheus as PrometheusServer;
    const unknown = metricNames(expr).filter((name) => !knownNames.has(name));
    if (unknown.length > 0) return `names metrics no target exposes: ${unknown.join(', ')}`;
    for (const pattern of nameRegexes(expr)) {
      if (![...knownNames].some((name) => pattern.test(name))) return `no metric matches ${String(pattern)}`;
    }
    let samples: Sample[];
    try {
      samples = await server.query(expr);
    } catch (error) {
      return `fails: ${(error as Error).message}`;
    }
    if (samples.length === 0) return 'returns no data';
    if (!samples.some(finite)) return `returns only NaN/Inf: ${JSON.stringify(samples.slice(0, 3))}`;
    return undefined;
  }

  it('has dashboards in the current Grafana model, on the provisioned datasource', () => {
    const dashboards = loadDashboards();
    expect(dashboards.map(({ file }) => file)).toEqual(['otpflow-operations.json', 'otpflow-overview.json']);
    for (const { dashboard } of dashboards) {
      expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
      expect(dashboard.templating.list.map((variable) => variable.name).sort()).toEqual([
        'client',
        'country',
        'provider',
      ]);
      const queries = panelQueries(dashboard);
      expect(queries.length).toBeGreaterThan(10);
      for (const query of queries) expect(query.datasourceUid, query.panel).toBe('prometheus');
      // Every variable is used by at least one panel.
      for (const variable of dashboard.templating.list) {
        expect(
          queries.some((query) => query.expr.includes(`$${variable.name}`)),
          `$${variable.name} unused in ${dashboard.uid}`,
        ).toBe(true);
      }
    }
  });

  it.each(['all', 'actual'] as const)('returns data for every panel query (variables: %s)', async (mode) => {
    const problems: string[] = [];
    let checked = 0;
    for (const { dashboard } of loadDashboards()) {
      const values = await variableValues(dashboard, mode);
      for (const query of panelQueries(dashboard)) {
        const expr = substitute(query.expr, values, window());
        if (!rabbitmqScraped && metricNames(expr).some((name) => name.startsWith('rabbitmq_'))) continue;
        const problem = await problemWith(expr);
        checked += 1;
        if (problem)
          problems.push(`${query.dashboard} / ${query.panel} (${query.refId}) ${problem}\n    ${expr}`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('evaluates every rule without error, and every recording rule has a value', async () => {
    const server = prometheus as PrometheusServer;
    const response = await fetch(`${server.url}/api/v1/rules`);
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
    const empty: string[] = [];
    for (const record of records) if ((await server.query(record)).length === 0) empty.push(record);
    expect(empty, 'recording rules without a series: their expressions select nothing real').toEqual([]);
  });

  it('writes alert expressions against metrics and labels that exist', async () => {
    const server = prometheus as PrometheusServer;
    const problems: string[] = [];
    for (const { rules } of loadRules()) {
      for (const rule of rules.filter((item) => item.alert)) {
        for (const name of metricNames(rule.expr)) {
          if (!rabbitmqScraped && name.startsWith('rabbitmq_')) continue;
          if (!knownNames.has(name)) problems.push(`${rule.alert ?? ''}: unknown metric ${name}`);
        }
        for (const selector of vectorSelectors(rule.expr)) {
          if (!rabbitmqScraped && selector.startsWith('rabbitmq_')) continue;
          if ((await server.query(`count(${selector})`)).length === 0) {
            problems.push(`${rule.alert ?? ''}: ${selector} selects nothing`);
          }
        }
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('fires OtpflowDeadLettersGrowing for the dead letter the traffic made', async ({ skip }) => {
    if (!rabbitmqScraped) skip('RabbitMQ Prometheus endpoint not reachable');
    const server = prometheus as PrometheusServer;
    const deadQueue = `${stack.context.topology.prefix}.send.dead`;
    expect(await server.total(`rabbitmq_detailed_queue_messages{queue="${deadQueue}"}`)).toBe(
      traffic.counts.deadLettered,
    );
    const alerts = await waitFor(
      async () => {
        const firing = await server.query(
          `ALERTS{alertname="OtpflowDeadLettersGrowing", alertstate="firing", queue="${deadQueue}"}`,
        );
        return firing.length > 0 ? firing : undefined;
      },
      { what: 'the dead-letter alert to fire' },
    );
    expect(alerts[0]?.metric).toMatchObject({ severity: 'warning', queue: deadQueue });
  });

  it('counts what the traffic did', async () => {
    const server = prometheus as PrometheusServer;
    const { counts } = traffic;
    expect(await server.total('sum(otpflow_codes_requested_total)')).toBe(counts.sends);
    expect(await server.total('sum(otpflow_http_requests_total{route=~".+/send-code", status="200"})')).toBe(
      counts.sends,
    );
    expect(await server.total('sum(otpflow_codes_sent_total)')).toBe(counts.sends - counts.deadLettered);
    expect(await server.total('sum(otpflow_codes_verified_total)')).toBe(counts.verified);
    expect(
      await server.total('sum(otpflow_http_requests_total{route=~".+/validate-code", status="204"})'),
    ).toBe(counts.verified);
    expect(await server.total('sum(otpflow_http_requests_total{code="NOT_FOUND"})')).toBe(counts.notFound);
    const rejected = Object.fromEntries(
      (await server.query('sum by (reason) (otpflow_codes_rejected_total)')).map((sample) => [
        sample.metric.reason ?? '',
        Number(sample.value[1]),
      ]),
    );
    expect(rejected).toEqual(counts.rejected);
    expect(await server.total('sum(otpflow_codes_delivered_total)')).toBe(counts.delivered);
    expect(await server.total('sum(otpflow_codes_undelivered_total)')).toBe(counts.undelivered);
    expect(await server.total('sum(otpflow_code_delivery_retries_total)')).toBe(counts.retried);
    expect(await server.total('sum(otpflow_dispatcher_retries_total)')).toBe(counts.retried);
    expect(await server.total('sum(otpflow_codes_dead_lettered_total{reason="permanent_failure"})')).toBe(
      counts.deadLettered,
    );
    expect(await server.total('sum(otpflow_dispatcher_jobs_total{outcome="dead_lettered"})')).toBe(
      counts.deadLettered,
    );
    expect(await server.total('sum(otpflow_codes_failed_total)')).toBe(
      counts.deadLettered + counts.undelivered,
    );
    // A UCS-2 code of this length fits one part; every SMS that was sent is billed at least one part.
    expect(await server.total('sum(otpflow_sms_parts_total{encoding="UCS-2"})')).toBe(counts.ucs2Sends);
    expect(await server.total('sum(otpflow_sms_parts_total)')).toBe(counts.sends - counts.deadLettered);
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
