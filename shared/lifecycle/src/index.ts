export { listen, ListenError, startOrExit } from './listen.js';
export { closeServer, createOpsHandler, isOpsRequest } from './ops-endpoints.js';
export type { OpsEndpointsOptions, ReadinessCheck } from './ops-endpoints.js';
export { createShutdown, exitOnSignals, loadConfigOrExit } from './shutdown.js';
export type { Shutdown, ShutdownStep } from './shutdown.js';
