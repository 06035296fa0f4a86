import { fileURLToPath } from 'node:url';

/** The repository's root (this file is src/ or dist/ of shared/testing). */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export type ServiceName = 'gateway' | 'dispatcher' | 'metrics';

/**
 * The node arguments that run a service from its build output as its package's `start` script does,
 * with the telemetry hook loaded first; run from {@link REPOSITORY_ROOT}. The tests' child services and
 * the bench's and the soak's run it the same way.
 */
export function serviceNodeArgs(service: ServiceName): string[] {
  return [
    '--enable-source-maps',
    '--import',
    '@otpflow/telemetry/register',
    `services/${service}/dist/main.js`,
  ];
}
