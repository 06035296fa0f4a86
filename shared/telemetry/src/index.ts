export { readTracingSettings } from './config.js';
export type { TracingSettings } from './config.js';
export { createLogger } from './logger.js';
export type { Logger, LoggerSettings } from './logger.js';
export { maskPhoneNumber, maskPhoneNumbersIn } from './mask.js';
export { createMetricsRegistry } from './metrics.js';
export { shutdownTracing } from './tracing-state.js';
