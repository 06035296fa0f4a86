import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AppError } from '@otpflow/errors';
import type { BrokerTls } from './broker-settings.js';
import type { QueuePolicy } from './queue-policies.js';

export interface ManagementApiOptions {
  /** Management API base URLs (`http://host:15672`), tried in order; credentials in a URL win. */
  urls: readonly string[];
  /** The broker user's credentials (by default those of RABBITMQ_URL). */
  credentials: { username: string; password: string };
  /** CA and client certificate for `https://` URLs: the broker's, as for AMQP. */
  tls: BrokerTls;
  timeoutMs: number;
}

/** What otpflow reads of a queue: its effective policy (user and operator policies merged). */
export interface QueueInfo {
  name: string;
  policy?: string;
  effective_policy_definition?: Record<string, unknown>;
  leader?: string;
}

/** A policy as the management API stores it (any `apply-to`: a policy of ours someone changed). */
export interface StoredPolicy {
  name: string;
  pattern: string;
  priority: number;
  applyTo: string;
  definition: Record<string, unknown>;
}

/** The management API answered, but not with success (403: the user lacks a tag or permission). */
export class ManagementApiError extends AppError {
  override readonly name = 'ManagementApiError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super('RABBITMQ_MANAGEMENT_REFUSED', message, { retryable: status >= 500, context: { status } });
  }
}

interface Answer {
  status: number;
  body: unknown;
}

/**
 * The few calls otpflow makes to RabbitMQ's HTTP management API (reading a queue's effective policy,
 * reading and setting a policy), with failover across the nodes' management listeners like the AMQP
 * connection. Node's own http/https: no extra dependency, and the broker's CA and client certificate
 * apply as they do to AMQP.
 */
export class ManagementApi {
  /** The endpoint that answered last: tried first next time. */
  private preferred = 0;

  constructor(private readonly options: ManagementApiOptions) {
    if (options.urls.length === 0) throw new Error('the management API needs at least one URL');
  }

  async queue(vhost: string, name: string): Promise<QueueInfo | undefined> {
    const answer = await this.call(
      'GET',
      `/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`,
    );
    if (answer.status === 404) return undefined;
    return this.expectOk(answer, `reading queue ${name}`) as QueueInfo;
  }

  async policy(vhost: string, name: string): Promise<StoredPolicy | undefined> {
    const answer = await this.call(
      'GET',
      `/api/policies/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`,
    );
    if (answer.status === 404) return undefined;
    const body = this.expectOk(answer, `reading policy ${name}`) as Record<string, unknown>;
    return {
      name: String(body.name),
      pattern: String(body.pattern),
      priority: Number(body.priority),
      applyTo: String(body['apply-to']),
      definition: (body.definition ?? {}) as Record<string, unknown>,
    };
  }

  async putPolicy(vhost: string, policy: QueuePolicy): Promise<void> {
    const answer = await this.call(
      'PUT',
      `/api/policies/${encodeURIComponent(vhost)}/${encodeURIComponent(policy.name)}`,
      {
        pattern: policy.pattern,
        definition: policy.definition,
        priority: policy.priority,
        'apply-to': policy.applyTo,
      },
    );
    this.expectOk(answer, `setting policy ${policy.name}`);
  }

  private expectOk(answer: Answer, what: string): unknown {
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    const reason =
      typeof answer.body === 'object' && answer.body !== null && 'reason' in answer.body
        ? String(answer.body.reason)
        : '';
    throw new ManagementApiError(
      answer.status,
      `RabbitMQ's management API refused ${what}: ${answer.status}${reason ? ` ${reason}` : ''}`,
    );
  }

  /** Tries each endpoint from the preferred one; a network error or a 5xx moves on to the next. */
  private async call(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<Answer> {
    const { urls } = this.options;
    let lastError: unknown;
    for (let step = 0; step < urls.length; step += 1) {
      const index = (this.preferred + step) % urls.length;
      try {
        const answer = await this.send(urls[index] ?? '', method, path, body);
        if (answer.status >= 500) {
          lastError = new ManagementApiError(answer.status, `management API ${answer.status}`);
          continue;
        }
        this.preferred = index;
        return answer;
      } catch (error) {
        lastError = error;
      }
    }
    throw new AppError('RABBITMQ_MANAGEMENT_UNREACHABLE', 'no RabbitMQ management API answered', {
      retryable: true,
      cause: lastError,
    });
  }

  private send(base: string, method: string, path: string, body?: unknown): Promise<Answer> {
    const url = new URL(base);
    // A path in the base URL (a management API behind a prefix) is kept.
    url.pathname = `${url.pathname.replace(/\/$/, '')}${path}`;
    const inUrl = url.username !== '' || url.password !== '';
    const username = inUrl ? decodeURIComponent(url.username) : this.options.credentials.username;
    const password = inUrl ? decodeURIComponent(url.password) : this.options.credentials.password;
    url.username = '';
    url.password = '';
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const { tls, timeoutMs } = this.options;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Answer>((resolve, reject) => {
      const outgoing = send(
        url,
        {
          method,
          timeout: timeoutMs,
          headers: {
            authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
          ...(url.protocol === 'https:'
            ? {
                ...(tls.ca ? { ca: tls.ca } : {}),
                ...(tls.cert ? { cert: tls.cert } : {}),
                ...(tls.key ? { key: tls.key } : {}),
                ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
                ...(tls.servername ? { servername: tls.servername } : {}),
              }
            : {}),
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // Not JSON (a proxy's error page): keep the text.
            }
            resolve({ status: response.statusCode ?? 0, body: parsed });
          });
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }
}
