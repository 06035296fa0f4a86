import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { waitFor } from '@otpflow/testing';
import { freePort, waitPortClosed } from './net.js';
import { ServerProcess } from './server-process.js';

/**
 * Debian's rabbitmq-server in /usr/sbin is a wrapper that switches to the rabbitmq user and its
 * fixed directories; the script behind it runs as the caller with the directories we give it.
 */
function serverScript(): string {
  const candidates = [process.env.OTPFLOW_RABBITMQ_SERVER, '/usr/lib/rabbitmq/bin/rabbitmq-server'];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) {
    throw new Error(
      'fault tests need a local RabbitMQ installation to run a broker of their own ' +
        '(scripts/services.sh installs it; or set OTPFLOW_RABBITMQ_SERVER to its rabbitmq-server script)',
    );
  }
  return found;
}

/**
 * A RabbitMQ node of the test's own: its own node name, AMQP and distribution ports, data, logs,
 * configuration, plugins and Erlang cookie, all in a temporary folder. It registers with the machine's
 * epmd like any node, and shares nothing else with the RabbitMQ the other test files use, so the test
 * can stop it and start it again (its durable queues and messages survive, as in production).
 */
export class DedicatedRabbitMq {
  private readonly server: ServerProcess;

  private constructor(
    private readonly dir: string,
    readonly port: number,
    distPort: number,
  ) {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      // The CLI tools and the node find the Erlang cookie in $HOME: ours, not the system node's.
      HOME: dir,
      RABBITMQ_NODENAME: `otpflow-fault-${port}@localhost`,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(port),
      // Without it, the node derives its distribution port as RABBITMQ_NODE_PORT + 20000 and refuses
      // to boot when that passes 65535 (an AMQP port above 45535, as free ports often are).
      RABBITMQ_DIST_PORT: String(distPort),
      // Without these, rabbitmq-env would read the system node's /etc/rabbitmq files.
      RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_LOGS: '-',
      ERL_EPMD_ADDRESS: '127.0.0.1',
    };
    this.server = new ServerProcess(serverScript(), [], env);
  }

  /** Prepares the node's folder and ports and starts it; resolves once it accepts AMQP connections. */
  static async start(): Promise<DedicatedRabbitMq> {
    const dir = await mkdtemp(join(tmpdir(), 'otpflow-rabbitmq-'));
    const [port, distPort] = [await freePort(), await freePort()];
    await writeFile(join(dir, 'rabbitmq-env.conf'), '');
    // No plugins: a faster boot, and no second listener on the management or Prometheus ports.
    await writeFile(join(dir, 'enabled_plugins'), '[].\n');
    await writeFile(
      join(dir, 'rabbitmq.conf'),
      [
        `listeners.tcp.local = 127.0.0.1:${port}`,
        `distribution.listener.port_range.min = ${distPort}`,
        `distribution.listener.port_range.max = ${distPort}`,
        'distribution.listener.interface = 127.0.0.1',
        // A small temporary disk must not raise the free-disk alarm and block publishers.
        'disk_free_limit.absolute = 50MB',
        'log.console = true',
        'log.console.level = warning',
        '',
      ].join('\n'),
    );
    const broker = new DedicatedRabbitMq(dir, port, distPort);
    await broker.boot();
    return broker;
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.server.running;
  }

  /** Starts the node (again) and waits until a client can open a connection and a channel. */
  async boot(timeoutMs = 90_000): Promise<void> {
    this.server.start();
    await waitFor(
      async () => {
        if (!this.server.running) throw new Error(`rabbitmq-server exited:\n${this.server.output()}`);
        const connection = await connect(this.url);
        try {
          await connection.createChannel();
        } finally {
          await connection.close();
        }
        return true;
      },
      { timeoutMs, intervalMs: 200, what: `the dedicated RabbitMQ on port ${this.port}` },
    ).catch((error: unknown) => {
      throw new Error(`the dedicated RabbitMQ did not come up:\n${this.server.output().slice(-4000)}`, {
        cause: error,
      });
    });
  }

  /** Stops the node (SIGTERM: the clean shutdown an operator's restart does) and waits for it to go. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.server.stop(signal);
    await waitPortClosed(this.port, 10_000);
  }

  async dispose(): Promise<void> {
    await this.server.stop('SIGKILL').catch(() => undefined);
    this.server.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
