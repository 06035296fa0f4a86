import { z } from 'zod';
import { defineProvider } from '../provider-factory.js';
import type { Provider } from '../provider.js';

/**
 * The development default: prints each message to standard output so a developer running the stack
 * can read the code. It prints the code by design, so config refuses it in production.
 */
export const consoleProvider = defineProvider({
  name: 'console',
  envSchema: z.object({}),
  create: (): Provider => ({
    name: 'console',
    channels: ['sms', 'voice'],
    send: (message) => {
      const line = `\n[otpflow console provider] ${message.channel.toUpperCase()} to ${message.to}: ${message.text}\n`;
      process.stdout.write(line);
      return Promise.resolve({ providerMessageId: `console-${message.idempotencyKey}` });
    },
  }),
});
