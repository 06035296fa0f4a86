import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServerProcess, waitFor } from '@otpflow/testing';
import { stringify } from 'yaml';

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data: T;
  errorType?: string;
  error?: string;
}

interface TargetsData {
  activeTargets: { labels: Record<string, string>; health: string; lastError: string }[];
}

/** A real Prometheus (the `prometheus` binary) in a child process, with its data in a temporary folder. */
export class PrometheusServer {
  private constructor(
    readonly url: string,
    private readonly dir: string,
    private readonly server: ServerProcess,
  ) {}

  static async start(config: Record<string, unknown>): Promise<PrometheusServer> {
    const dir = await mkdtemp(join(tmpdir(), 'otpflow-prometheus-'));
    const port = await freePort();
    await writeFile(join(dir, 'prometheus.yml'), stringify(config));
    const child = new ServerProcess(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
      ],
      { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
    );
    const server = new PrometheusServer(`http://127.0.0.1:${port}`, dir, child);
    child.start();
    try {
      await waitFor(
        async () => {
          if (!child.running) throw new Error(`prometheus exited: ${server.log()}`);
          return (await fetch(`${server.url}/-/ready`)).ok;
        },
        { timeoutMs: 20_000, intervalMs: 100, what: 'Prometheus to be ready' },
      );
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** What Prometheus printed (warnings and errors only), for failure messages. */
  log(): string {
    return this.server.output().slice(-4000);
  }

  private async api<T>(path: string, params: Record<string, string | string[]> = {}): Promise<T> {
    const url = new URL(`${this.url}${path}`);
    for (const [key, value] of Object.entries(params)) {
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(key, item);
    }
    const response = await fetch(url);
    const answer = (await response.json()) as ApiAnswer<T>;
    if (answer.status !== 'success')
      throw new Error(`${answer.errorType ?? 'error'}: ${answer.error ?? response.status}`);
    return answer.data;
  }

  /** An instant query (the /api/v1/query endpoint Grafana's stat panels use). */
  async query(expr: string): Promise<Sample[]> {
    const data = await this.api<{ resultType: string; result: Sample[] | [number, string] }>(
      '/api/v1/query',
      { query: expr },
    );
    if (data.resultType === 'scalar') return [{ metric: {}, value: data.result as [number, string] }];
    return data.result as Sample[];
  }

  /** The sum of an instant query's values (0 when it returns nothing). */
  async total(expr: string): Promise<number> {
    return (await this.query(expr)).reduce((sum, sample) => sum + Number(sample.value[1]), 0);
  }

  /** label_values(match, label), as Grafana's variable queries ask it. */
  labelValues(label: string, match?: string): Promise<string[]> {
    return this.api<string[]>(`/api/v1/label/${label}/values`, match ? { 'match[]': match } : {});
  }

  async targets(): Promise<TargetsData['activeTargets']> {
    return (await this.api<TargetsData>('/api/v1/targets')).activeTargets;
  }

  async stop(): Promise<void> {
    await this.server.stop('SIGTERM', 5_000);
    await rm(this.dir, { recursive: true, force: true });
  }
}
