import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServerProcess, waitPortClosed } from '@otpflow/testing';

/**
 * Debian's rabbitmq-server in /usr/sbin is a wrapper that switches to the rabbitmq user and its
 * fixed directories; the script behind it runs as the caller with the directories we give it.
 */
export function rabbitmqScript(name: 'rabbitmq-server' | 'rabbitmqctl'): string {
  const candidates = [
    name === 'rabbitmq-server' ? process.env.OTPFLOW_RABBITMQ_SERVER : undefined,
    `/usr/lib/rabbitmq/bin/${name}`,
  ];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) {
    throw new Error(
      'fault tests need a local RabbitMQ installation to run brokers of their own ' +
        '(scripts/services.sh installs it; or set OTPFLOW_RABBITMQ_SERVER to its rabbitmq-server script)',
    );
  }
  return found;
}

export interface RabbitMqNodeOptions {
  /** The Erlang node name, `name@localhost`: unique on the machine (epmd is shared). */
  nodeName: string;
  /** Holds the shared Erlang cookie (`.erlang.cookie`); the node's own files go in `<home>/<nodeName>`. */
  home: string;
  amqpPort: number;
  distributionPort: number;
  /** The management API (and UI) on this port, if set. */
  managementPort?: number;
  /** A TLS listener on this port, with these PEM files; peers must present a certificate of `caFile`. */
  tls?: { port: number; caFile: string; certFile: string; keyFile: string };
  /** Join this node's cluster on first boot (classic peer discovery); ignored once the node is a member. */
  joinNode?: string;
  /** Settings of the `rabbit` application that rabbitmq.conf cannot set (advanced.config). */
  rabbitAppEnv?: Record<string, number>;
}

/**
 * A RabbitMQ node of a test's own: its own node name, AMQP, distribution and management ports, data,
 * logs, configuration and plugins, all under a temporary folder, sharing only the machine's epmd (and,
 * with the other nodes of its cluster, an Erlang cookie). A test may kill it, stop it and start it
 * again; its durable queues and messages survive, as in production. Never the shared broker on 5672.
 */
export class RabbitMqNode {
  private readonly server: ServerProcess;
  readonly dir: string;

  constructor(readonly options: RabbitMqNodeOptions) {
    this.dir = join(options.home, options.nodeName);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      // The CLI tools and the node find the Erlang cookie in $HOME: the cluster's, not the system's.
      HOME: options.home,
      RABBITMQ_NODENAME: this.nodeName,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(options.amqpPort),
      // Unset, RabbitMQ derives it as the AMQP port + 20000 and refuses to boot when that passes 65535,
      // whatever rabbitmq.conf says: so an AMQP port above 45535 would fail one boot in three.
      RABBITMQ_DIST_PORT: String(options.distributionPort),
      // Without these, rabbitmq-env would read the system node's /etc/rabbitmq files.
      RABBITMQ_CONF_ENV_FILE: join(this.dir, 'rabbitmq-env.conf'),
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(this.dir, 'advanced.config'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_LOGS: '-',
      ERL_EPMD_ADDRESS: '127.0.0.1',
      // A node that crashes writes its dump beside its data, not into the test's working directory.
      ERL_CRASH_DUMP: join(this.dir, 'erl_crash.dump'),
    };
    this.server = new ServerProcess(rabbitmqScript('rabbitmq-server'), [], env);
  }

  get nodeName(): string {
    return `${this.options.nodeName}@localhost`;
  }

  /** The plain AMQP URL, as the default administrator (`guest`, which RabbitMQ admits on loopback). */
  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.options.amqpPort}`;
  }

  get managementUrl(): string {
    if (!this.options.managementPort) throw new Error(`${this.nodeName} has no management listener`);
    return `http://127.0.0.1:${this.options.managementPort}`;
  }

  get running(): boolean {
    return this.server.running;
  }

  get pid(): number | undefined {
    return this.server.pid;
  }

  output(): string {
    return this.server.output();
  }

  /** Writes the node's configuration; run once before the first boot. */
  async prepare(): Promise<void> {
    const { amqpPort, distributionPort, managementPort, tls, joinNode, rabbitAppEnv = {} } = this.options;
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, 'rabbitmq-env.conf'), '');
    // Only what the test needs: a faster boot, and no listener on the shared broker's ports.
    await writeFile(join(this.dir, 'enabled_plugins'), managementPort ? '[rabbitmq_management].\n' : '[].\n');
    const lines = [
      `listeners.tcp.local = 127.0.0.1:${amqpPort}`,
      `distribution.listener.port_range.min = ${distributionPort}`,
      `distribution.listener.port_range.max = ${distributionPort}`,
      'distribution.listener.interface = 127.0.0.1',
      // A small temporary disk must not raise the free-disk alarm and block publishers.
      'disk_free_limit.absolute = 50MB',
      'log.console = true',
      'log.console.level = warning',
    ];
    if (managementPort)
      lines.push(`management.tcp.port = ${managementPort}`, 'management.tcp.ip = 127.0.0.1');
    if (tls) {
      lines.push(
        `listeners.ssl.local = 127.0.0.1:${tls.port}`,
        `ssl_options.cacertfile = ${tls.caFile}`,
        `ssl_options.certfile = ${tls.certFile}`,
        `ssl_options.keyfile = ${tls.keyFile}`,
        'ssl_options.verify = verify_peer',
        'ssl_options.fail_if_no_peer_cert = true',
      );
    }
    if (joinNode) {
      lines.push(
        'cluster_formation.peer_discovery_backend = classic_config',
        `cluster_formation.classic_config.nodes.1 = ${joinNode}`,
      );
    }
    await writeFile(join(this.dir, 'rabbitmq.conf'), `${lines.join('\n')}\n`);
    const appEnv = Object.entries(rabbitAppEnv).map(([key, value]) => `{${key}, ${value}}`);
    await writeFile(join(this.dir, 'advanced.config'), `[{rabbit, [${appEnv.join(', ')}]}].\n`);
  }

  /** Starts the process; `waitUntilUp` tells when it serves. */
  launch(): void {
    this.server.start();
  }

  /**
   * Waits until a client can open a connection and a channel (and the management API answers); fails
   * at once, with the node's last output, if the process exits.
   */
  async waitUntilUp(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (!this.server.running)
        throw new Error(`${this.nodeName} exited while booting:\n${this.server.output().slice(-4000)}`);
      try {
        await this.probe();
        return;
      } catch (error) {
        lastError = error;
      }
      await sleep(250);
    }
    throw new Error(
      `${this.nodeName} did not come up in ${timeoutMs} ms:\n${this.server.output().slice(-4000)}`,
      {
        cause: lastError,
      },
    );
  }

  private async probe(): Promise<void> {
    const connection = await connect(this.url, { timeout: 5_000 });
    try {
      await connection.createChannel();
    } finally {
      await connection.close();
    }
    if (this.options.managementPort) {
      const response = await fetch(`${this.managementUrl}/api/overview`, {
        headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) throw new Error(`management API answered ${response.status}`);
    }
  }

  async boot(timeoutMs = 90_000): Promise<void> {
    this.launch();
    await this.waitUntilUp(timeoutMs);
  }

  /** SIGTERM is the clean shutdown an operator's restart does; SIGKILL a crash of the whole node. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.server.stop(signal);
    await waitPortClosed(this.options.amqpPort, 10_000);
  }

  /** For cleanup: whatever is left of the node's process group goes. */
  kill(): void {
    this.server.kill();
  }
}
