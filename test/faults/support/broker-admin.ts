import type { QueuePolicy } from '@otpflow/amqp';

/** A broker user of the test's own: what RabbitMQ's access control sees. */
export interface BrokerUser {
  username: string;
  password: string;
  tags: readonly string[];
  /** configure/write/read permission patterns on the default virtual host. */
  permissions: { configure: string; write: string; read: string };
}

/** A user allowed exactly the names under one prefix, as production's otpflow user is. */
export function prefixUser(username: string, prefix: string, tags: readonly string[]): BrokerUser {
  const pattern = `^${prefix.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}\\.`;
  return {
    username,
    password: `${username}-password`,
    tags,
    permissions: { configure: pattern, write: pattern, read: pattern },
  };
}

/**
 * The test's administration of its own brokers, through the management API as `guest` (which RabbitMQ
 * admits on loopback only), against the first node that answers: users, policies, queue state.
 */
export class BrokerAdmin {
  constructor(private readonly managementUrls: () => readonly string[]) {}

  async api(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    let lastError: unknown = new Error('no management API to ask');
    for (const base of this.managementUrls()) {
      try {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`,
            'content-type': 'application/json',
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        if (response.status === 404 && method === 'GET') return undefined;
        if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
        return text ? (JSON.parse(text) as unknown) : undefined;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** Creates (or updates) a user with exactly these tags and permissions on the default vhost. */
  async addUser(user: BrokerUser): Promise<void> {
    await this.api('PUT', `/api/users/${encodeURIComponent(user.username)}`, {
      password: user.password,
      tags: user.tags.join(','),
    });
    await this.api('PUT', `/api/permissions/%2F/${encodeURIComponent(user.username)}`, user.permissions);
  }

  /** What the management API shows of a queue (undefined: no such queue). */
  async queue(name: string): Promise<
    | {
        messages?: number;
        messages_dlx?: number;
        leader?: string;
        effective_policy_definition?: Record<string, unknown>;
      }
    | undefined
  > {
    return (await this.api('GET', `/api/queues/%2F/${encodeURIComponent(name)}`)) as
      | { messages?: number; leader?: string; effective_policy_definition?: Record<string, unknown> }
      | undefined;
  }

  async putPolicy(policy: QueuePolicy): Promise<void> {
    await this.api('PUT', `/api/policies/%2F/${encodeURIComponent(policy.name)}`, {
      pattern: policy.pattern,
      definition: policy.definition,
      priority: policy.priority,
      'apply-to': policy.applyTo,
    });
  }

  async deletePolicy(name: string): Promise<void> {
    await this.api('DELETE', `/api/policies/%2F/${encodeURIComponent(name)}`);
  }
}
