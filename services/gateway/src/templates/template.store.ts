import { ApiError } from '@otpflow/errors';
import type { Collection, Db } from 'mongodb';

export interface MessageTemplate {
  templateId: string;
  locale: string;
  text: string;
  variables: string[];
  createdAt: Date;
  updatedAt: Date;
}

interface TemplateDocument extends MessageTemplate {
  /** `<clientId>/<templateId>/<locale>`. */
  _id: string;
  clientId: string;
}

/**
 * Message templates per client and locale (`templates`). A lookup in a locale falls back from
 * `es-ES` to `es`, then to the client's default locale, so a client can add regional variants only
 * where wording differs.
 */
export class TemplateStore {
  private readonly collection: Collection<TemplateDocument>;

  constructor(db: Db) {
    this.collection = db.collection<TemplateDocument>('templates');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ clientId: 1, templateId: 1 }, { name: 'client_template' }, undefined);
  }

  async put(
    clientId: string,
    template: Pick<MessageTemplate, 'templateId' | 'locale' | 'text' | 'variables'>,
  ): Promise<{ template: MessageTemplate; created: boolean }> {
    const _id = key(clientId, template.templateId, template.locale);
    const now = new Date();
    const existing = await this.collection.findOne({ _id });
    const document: TemplateDocument = {
      _id,
      clientId,
      ...template,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await this.collection.replaceOne({ _id }, document, { upsert: true });
    return { template: view(document), created: existing === null };
  }

  async get(clientId: string, templateId: string, locale: string): Promise<MessageTemplate | undefined> {
    const document = await this.collection.findOne({ _id: key(clientId, templateId, locale) });
    return document ? view(document) : undefined;
  }

  async list(clientId: string): Promise<MessageTemplate[]> {
    const documents = await this.collection
      .find({ clientId })
      .sort({ templateId: 1, locale: 1 })
      .limit(1000)
      .toArray();
    return documents.map(view);
  }

  async remove(clientId: string, templateId: string, locale: string): Promise<boolean> {
    return (await this.collection.deleteOne({ _id: key(clientId, templateId, locale) })).deletedCount === 1;
  }

  /** The template in the closest locale available; 400 naming the template when there is none. */
  async resolve(
    clientId: string,
    templateId: string,
    locale: string,
    defaultLocale: string,
  ): Promise<MessageTemplate> {
    const candidates = [
      ...new Set([
        locale,
        locale.split('-')[0] ?? locale,
        defaultLocale,
        defaultLocale.split('-')[0] ?? defaultLocale,
      ]),
    ];
    const found = await this.collection
      .find({ _id: { $in: candidates.map((candidate) => key(clientId, templateId, candidate)) } })
      .toArray();
    for (const candidate of candidates) {
      const match = found.find((document) => document.locale === candidate);
      if (match) return view(match);
    }
    throw new ApiError('INVALID_ARGUMENT', {
      message: `template.id: there is no template "${templateId}" in ${candidates.join(', ')}.`,
      details: { field: 'template.id' },
    });
  }
}

function key(clientId: string, templateId: string, locale: string): string {
  return `${clientId}/${templateId}/${locale}`;
}

function view(document: TemplateDocument): MessageTemplate {
  const { templateId, locale, text, variables, createdAt, updatedAt } = document;
  return { templateId, locale, text, variables, createdAt, updatedAt };
}
