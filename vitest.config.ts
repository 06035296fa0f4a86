import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (the "source" export condition), so tests
// never run against a stale dist/.
const resolve = { conditions: ['source'] };

/**
 * Coverage floors of the two tiers without I/O, set at what each reached when they were introduced:
 * raise them as tests are added, never lower them to make a change pass. `npm run test:unit` and
 * `npm run test:component` measure their own tier (COVERAGE_TIER) over the sources that tier covers.
 */
const COVERAGE = {
  unit: {
    include: ['shared/*/src/**/*.ts', 'services/*/src/**/*.ts', 'packages/*/src/**/*.ts'],
    exclude: [],
    thresholds: { lines: 30, functions: 30, branches: 30, statements: 31 },
  },
  component: {
    // The adapters to real servers (RabbitMQ, MongoDB), the composition root over them and the CLI
    // are the integration tier's: the component tier runs without them by design.
    include: ['services/dispatcher/src/**/*.ts'],
    exclude: [
      'services/dispatcher/src/dispatcher.ts',
      'services/dispatcher/src/consume/amqp-job-source.ts',
      'services/dispatcher/src/delivery/mongo-delivery.store.ts',
      'services/dispatcher/src/delivery/mongo-receipts.ts',
      'services/dispatcher/src/delivery/delivery-database.ts',
      'services/dispatcher/src/callbacks/amqp-callbacks.ts',
      'services/dispatcher/src/callbacks/start-callbacks.ts',
      'services/dispatcher/src/delivery/session-lookup.ts',
      'services/dispatcher/src/projections/mongo-projection.store.ts',
      'services/dispatcher/src/projections/start-projections.ts',
      'services/dispatcher/src/cli/**',
    ],
    thresholds: { lines: 85, functions: 83, branches: 75, statements: 83 },
  },
} as const;
const tier = process.env.COVERAGE_TIER === 'component' ? 'component' : 'unit';

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    coverage: {
      provider: 'v8',
      include: [...COVERAGE[tier].include],
      exclude: ['**/*.test.ts', '**/*.d.ts', '**/index.ts', '**/main.ts', ...COVERAGE[tier].exclude],
      reportsDirectory: `coverage/${tier}`,
      reporter: ['text-summary', 'json-summary'],
      thresholds: COVERAGE[tier].thresholds,
    },
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          include: [
            'shared/*/src/**/*.test.ts',
            'services/*/src/**/*.test.ts',
            'packages/*/src/**/*.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        resolve,
        test: {
          // A service wired from its real code with in-memory fakes of its ports: no broker, no store.
          name: 'component',
          include: ['services/*/test/component/**/*.component.test.ts'],
          environment: 'node',
          testTimeout: 10_000,
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          include: [
            'shared/*/test/**/*.int.test.ts',
            'services/*/test/**/*.int.test.ts',
            'test/**/*.int.test.ts',
          ],
          environment: 'node',
          globalSetup: ['shared/testing/src/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve,
        // The built images and the compose stack, run by a container engine (docs/testing.md).
        // `npm run test:images` builds the images first; files run one at a time (each starts a stack).
        test: {
          name: 'images',
          include: ['test/images/**/*.container.test.ts'],
          environment: 'node',
          globalSetup: ['shared/testing/src/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
