import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources (the "source" export condition), so tests
// never run against a stale dist/.
const resolve = { conditions: ['source'] };

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
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
