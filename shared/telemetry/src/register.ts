/**
 * Loaded with `node --import @otpflow/telemetry/register dist/main.js`, before any application module,
 * so the instrumentations can patch express, mongodb and amqplib as they are imported. Without an
 * OTLP endpoint configured it does nothing and costs nothing.
 *
 * The module hooks run in-thread (module.registerHooks) on Node versions that support it, which is
 * every Node 24 this project installs; the older off-thread loader is the fallback.
 */
import * as nodeModule from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { register as registerSyncHooks, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import { readTracingSettings } from './config.js';
import { startTracing } from './tracing.js';

const settings = readTracingSettings();
if (settings.enabled) {
  if (supportsSyncHooks()) {
    registerSyncHooks();
    startTracing(settings.serviceName ?? 'otpflow');
  } else {
    const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- the fallback for Node without sync hooks
    nodeModule.register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, registerOptions);
    startTracing(settings.serviceName ?? 'otpflow');
    await waitForAllMessagesAcknowledged();
  }
}
