import type { Client } from '../client.js';
import type { WebhookEventType } from '../resources/webhooks.js';

export const WEBHOOKS_USAGE = [
  'usage: npm run webhooks -- list',
  '       npm run webhooks -- create <https-url> <event[,event...]> [description]',
  '       npm run webhooks -- enable|disable|delete|rotate <endpoint id>',
  '       npm run webhooks -- events <endpoint id> <event[,event...]>',
  'Reads CAMARA_BEARER_TOKEN (a key with scope otpflow:templates) and OTPFLOW_BASE_URL.',
].join('\n');

/**
 * The tenant's callback endpoints from the command line, through the API (the same client and scope
 * as `client.webhooks`): prints JSON, answers an exit code. The secret is printed on create and rotate
 * only, as the API shows it.
 */
export async function runWebhooksCli(
  argv: readonly string[],
  client: Pick<Client, 'webhooks'>,
  print: (text: string) => void,
): Promise<number> {
  const [command, first, second, third] = argv;
  const events = (list: string | undefined) => (list ?? '').split(',').filter(Boolean) as WebhookEventType[];
  const out = (value: unknown) => {
    print(JSON.stringify(value, null, 2));
    return 0;
  };
  switch (command) {
    case 'list':
      return out(await client.webhooks.list());
    case 'create':
      if (!first || !second) break;
      return out(
        await client.webhooks.create({
          url: first,
          events: events(second),
          ...(third ? { description: third } : {}),
        }),
      );
    case 'enable':
    case 'disable':
      if (!first) break;
      return out(await client.webhooks.update(first, { enabled: command === 'enable' }));
    case 'events':
      if (!first || !second) break;
      return out(await client.webhooks.update(first, { events: events(second) }));
    case 'rotate':
      if (!first) break;
      return out(await client.webhooks.rotateSecret(first));
    case 'delete':
      if (!first) break;
      await client.webhooks.delete(first);
      print(`deleted ${first}`);
      return 0;
    default:
      break;
  }
  print(WEBHOOKS_USAGE);
  return 2;
}
