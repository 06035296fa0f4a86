export { resolveInfrastructure } from './infrastructure.js';
export type { Infrastructure } from './infrastructure.js';
export { createTestContext, withDatabase } from './test-context.js';
export type { TestContext } from './test-context.js';
export { waitFor } from './wait-for.js';
export { deleteTopology, runTopology } from './topology.js';
export type { RunTopology } from './topology.js';
export { deleteRunTopology, dropDatabase } from './cleanup.js';
export { ferretdbArgs, ferretdbBinary } from './ferretdb.js';
