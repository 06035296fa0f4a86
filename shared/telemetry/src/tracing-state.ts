/**
 * Holds the running tracer's shutdown, apart from tracing.ts so that services importing the logger do
 * not load the whole OpenTelemetry SDK when tracing is off.
 */
let stopTracing: (() => Promise<void>) | undefined;

export function onTracingShutdown(stop: () => Promise<void>): void {
  stopTracing = stop;
}

/** Flushes pending spans and stops tracing; the last step of every shutdown. A no-op when tracing is off. */
export async function shutdownTracing(): Promise<void> {
  const stop = stopTracing;
  stopTracing = undefined;
  await stop?.();
}
