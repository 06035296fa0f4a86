import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@otpflow/testing';
import { BrokerAdmin, type BrokerUser } from './broker-admin.js';
import { RabbitMqNode } from './rabbitmq-node.js';

/**
 * A RabbitMQ cluster of `size` nodes on this machine, each a RabbitMqNode with the management plugin
 * and a shared Erlang cookie. The first node boots alone; the others join it on their first boot
 * (classic peer discovery), and the cluster counts as up once every node serves AMQP and its
 * management API and the first node sees all of them running. A start that fails (a port taken by
 * another process between picking and binding it, a node that crashed) is thrown away and tried again
 * from scratch.
 */
export class RabbitMqCluster {
  private constructor(
    private readonly home: string,
    readonly nodes: readonly RabbitMqNode[],
  ) {}

  static async start(
    options: {
      size?: number;
      attempts?: number;
      timeoutMs?: number;
      rabbitAppEnv?: Record<string, number>;
    } = {},
  ): Promise<RabbitMqCluster> {
    const attempts = options.attempts ?? 2;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const cluster = await RabbitMqCluster.prepare(options.size ?? 3, options.rabbitAppEnv ?? {});
      try {
        await cluster.form(options.timeoutMs ?? 120_000);
        return cluster;
      } catch (error) {
        lastError = error;
        await cluster.dispose();
      }
    }
    throw lastError;
  }

  private static async prepare(size: number, rabbitAppEnv: Record<string, number>): Promise<RabbitMqCluster> {
    const home = await mkdtemp(join(tmpdir(), 'otpflow-cluster-'));
    await writeFile(join(home, '.erlang.cookie'), randomBytes(20).toString('hex').toUpperCase(), {
      mode: 0o400,
    });
    const id = randomBytes(3).toString('hex');
    const nodes: RabbitMqNode[] = [];
    for (let index = 1; index <= size; index += 1) {
      const node = new RabbitMqNode({
        nodeName: `otpflow-c${id}-${index}`,
        home,
        amqpPort: await freePort(),
        distributionPort: await freePort(),
        managementPort: await freePort(),
        rabbitAppEnv,
        ...(index > 1 ? { joinNode: `otpflow-c${id}-1@localhost` } : {}),
      });
      await node.prepare();
      nodes.push(node);
    }
    return new RabbitMqCluster(home, nodes);
  }

  private async form(timeoutMs: number): Promise<void> {
    const [first, ...others] = this.nodes;
    if (!first) throw new Error('a cluster needs a node');
    await first.boot(timeoutMs);
    for (const node of others) node.launch();
    await Promise.all(others.map((node) => node.waitUntilUp(timeoutMs)));
    await this.waitUntilFormed(timeoutMs);
  }

  /** Until some node sees every node of the cluster running. */
  async waitUntilFormed(timeoutMs = 120_000): Promise<void> {
    await waitFor(
      async () => {
        const listed = (await this.admin.api('GET', '/api/nodes')) as { name: string; running: boolean }[];
        const running = new Set(listed.filter((node) => node.running).map((node) => node.name));
        return this.nodes.every((node) => running.has(node.nodeName));
      },
      { timeoutMs, intervalMs: 500, what: `a cluster of ${this.nodes.length} running nodes` },
    );
  }

  /** AMQP URLs of every node, for a user (default: guest). */
  urls(user?: Pick<BrokerUser, 'username' | 'password'>): string[] {
    const credentials = user
      ? `${encodeURIComponent(user.username)}:${encodeURIComponent(user.password)}`
      : 'guest:guest';
    return this.nodes.map((node) => `amqp://${credentials}@127.0.0.1:${node.options.amqpPort}`);
  }

  managementUrls(): string[] {
    return this.nodes.map((node) => node.managementUrl);
  }

  node(nodeName: string): RabbitMqNode {
    const found = this.nodes.find((node) => node.nodeName === nodeName);
    if (!found) throw new Error(`no node ${nodeName} in this cluster`);
    return found;
  }

  /** Administration through the management API of whichever nodes are running. */
  get admin(): BrokerAdmin {
    return new BrokerAdmin(() => this.nodes.filter((node) => node.running).map((node) => node.managementUrl));
  }

  /** The node hosting a quorum queue's leader (as the management API last saw it). */
  async leaderOf(queue: string): Promise<RabbitMqNode> {
    const info = await this.admin.queue(queue);
    if (!info?.leader) throw new Error(`${queue} has no leader (is it a quorum queue?)`);
    return this.node(info.leader);
  }

  /** Stops every node at once (an operator's full restart, or a data-centre power cut with SIGKILL). */
  async stopAll(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop(signal)));
  }

  /**
   * Starts every stopped node at once: restarted cluster members wait for each other to load their
   * data. A node that crashes while booting is started again, as its StatefulSet would restart the pod:
   * RabbitMQ 3.10 can exit in its feature-flag sync when members boot together (`badmap` in
   * `rabbit_feature_flags:enable_dependencies`, seen once in CI) and comes up on the next start.
   */
  async bootAll(timeoutMs = 120_000, restarts = 2): Promise<void> {
    const stopped = this.nodes.filter((node) => !node.running);
    for (const node of stopped) node.launch();
    await Promise.all(stopped.map((node) => bootRestartingOnCrash(node, timeoutMs, restarts)));
    await this.waitUntilFormed(timeoutMs);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop('SIGKILL').catch(() => undefined)));
    for (const node of this.nodes) node.kill();
    await rm(this.home, { recursive: true, force: true });
  }
}

async function bootRestartingOnCrash(node: RabbitMqNode, timeoutMs: number, restarts: number): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      await node.waitUntilUp(timeoutMs);
      return;
    } catch (error) {
      // Only a crash is restarted; a node that runs but never serves is a failure of the test.
      if (node.running || attempt >= restarts) throw error;
      process.stderr.write(`${node.nodeName} crashed while booting; starting it again\n`);
      node.launch();
    }
  }
}
