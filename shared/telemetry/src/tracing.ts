import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { onTracingShutdown } from './tracing-state.js';

/**
 * The official instrumentations otpflow relies on: the HTTP request, express routing, every MongoDB
 * command (statements are not recorded: they would hold phone numbers), AMQP publish/consume with the
 * trace context carried in message headers, and outgoing fetch calls (the provider requests).
 */
function instrumentations() {
  return [
    new HttpInstrumentation({
      // Health probes and scrapes would drown the traces that matter.
      ignoreIncomingRequestHook: (request) => /^\/(healthz|readyz|metrics)\b/.test(request.url ?? ''),
    }),
    new ExpressInstrumentation(),
    new MongoDBInstrumentation({ enhancedDatabaseReporting: false }),
    new AmqplibInstrumentation(),
    new UndiciInstrumentation(),
  ];
}

let started = false;

/** Starts the OpenTelemetry SDK; the OTLP exporter reads its endpoint from the standard variables. */
export function startTracing(serviceName: string): void {
  if (started) return;
  started = true;
  const sdk = new NodeSDK({
    serviceName,
    traceExporter: new OTLPTraceExporter(),
    instrumentations: instrumentations(),
  });
  sdk.start();
  onTracingShutdown(() => sdk.shutdown());
}
