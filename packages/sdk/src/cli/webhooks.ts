#!/usr/bin/env node
import { Client } from '../client.js';
import { APIError, OtpflowError } from '../errors.js';
import { runWebhooksCli } from './webhooks-cli.js';

try {
  process.exitCode = await runWebhooksCli(process.argv.slice(2), new Client(), (text) => {
    process.stdout.write(`${text}\n`);
  });
} catch (error) {
  if (!(error instanceof OtpflowError)) throw error;
  process.stderr.write(`${error instanceof APIError ? `${String(error.status)} ` : ''}${error.message}\n`);
  process.exitCode = 1;
}
