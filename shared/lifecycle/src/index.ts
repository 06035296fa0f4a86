export { closeServer, createOpsHandler, isOpsRequest, startOpsServer } from './ops-endpoints.js';
export type { OpsEndpointsOptions, ReadinessCheck } from './ops-endpoints.js';
export { createShutdown, exitOnSignals, loadConfigOrExit } from './shutdown.js';
export type { Shutdown, ShutdownStep } from './shutdown.js';
