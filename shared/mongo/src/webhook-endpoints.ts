import { randomBytes } from 'node:crypto';
import type { CallbackEventType } from '@otpflow/contracts';
import type { Collection, Db } from 'mongodb';

/** A tenant's registered callback endpoint. The secret is kept sealed (it must be usable to sign). */
export interface WebhookEndpoint {
  endpointId: string;
  clientId: string;
  url: string;
  events: CallbackEventType[];
  enabled: boolean;
  description?: string;
  sealedSecret: string;
  createdAt: Date;
  updatedAt: Date;
}

interface WebhookEndpointDocument extends Omit<WebhookEndpoint, 'endpointId'> {
  _id: string;
}

export const WEBHOOKS_COLLECTION = 'webhooks';

/** Endpoints a tenant may register: bounds the fan-out of one event and the metric series. */
export const MAX_ENDPOINTS_PER_CLIENT = 10;

export function newEndpointId(): string {
  return `ep_${randomBytes(12).toString('base64url')}`;
}

/**
 * The `webhooks` collection: written by the gateway's /v1/webhooks, read by the dispatcher's fan-out.
 * Every query carries the client id, so no call reaches another tenant's endpoint.
 */
export class WebhookEndpoints {
  private readonly collection: Collection<WebhookEndpointDocument>;

  constructor(db: Db) {
    this.collection = db.collection<WebhookEndpointDocument>(WEBHOOKS_COLLECTION);
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ clientId: 1, enabled: 1 }, { name: 'client_enabled' }, undefined);
  }

  async insert(endpoint: WebhookEndpoint): Promise<void> {
    const { endpointId, ...rest } = endpoint;
    await this.collection.insertOne({ _id: endpointId, ...rest });
  }

  async count(clientId: string): Promise<number> {
    return this.collection.countDocuments({ clientId });
  }

  async list(clientId: string): Promise<WebhookEndpoint[]> {
    const documents = await this.collection
      .find({ clientId })
      .sort({ createdAt: 1 })
      .limit(MAX_ENDPOINTS_PER_CLIENT * 2)
      .toArray();
    return documents.map(view);
  }

  async get(clientId: string, endpointId: string): Promise<WebhookEndpoint | undefined> {
    const document = await this.collection.findOne({ _id: endpointId, clientId });
    return document ? view(document) : undefined;
  }

  async update(
    clientId: string,
    endpointId: string,
    change: Partial<Pick<WebhookEndpoint, 'url' | 'events' | 'enabled' | 'description' | 'sealedSecret'>>,
  ): Promise<WebhookEndpoint | undefined> {
    const result = await this.collection.findOneAndUpdate(
      { _id: endpointId, clientId },
      { $set: { ...change, updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
    return result ? view(result) : undefined;
  }

  async remove(clientId: string, endpointId: string): Promise<boolean> {
    return (await this.collection.deleteOne({ _id: endpointId, clientId })).deletedCount === 1;
  }

  /** The tenant's enabled endpoints subscribed to an event type: the fan-out's one query per event. */
  async subscribers(clientId: string, type: CallbackEventType): Promise<WebhookEndpoint[]> {
    const documents = await this.collection
      .find({ clientId, enabled: true, events: type })
      .limit(MAX_ENDPOINTS_PER_CLIENT * 2)
      .toArray();
    return documents.map(view);
  }
}

function view(document: WebhookEndpointDocument): WebhookEndpoint {
  const { _id, ...rest } = document;
  return { endpointId: _id, ...rest };
}
