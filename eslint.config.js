import { globSync, readFileSync } from 'node:fs';
import path from 'node:path';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
const workspaces = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))
  .workspaces.flatMap((pattern) => globSync(`${pattern}/package.json`, { cwd: root }))
  .map((manifest) => path.dirname(manifest));
// Not shipped: unit tests, integration tests and their helpers, the test library, tools and their
// configuration files.
const devFiles = [
  '**/*.test.ts',
  '**/test/**',
  'shared/testing/**',
  'bench/**',
  'scripts/**',
  '*.config.*',
  'eslint.config.js',
];

/**
 * Every import is declared by the package that needs it, so each workspace installs alone: the images
 * run `npm ci --omit=dev --workspace <service>`, where an import that resolved only because npm hoisted
 * another workspace's dependency fails with ERR_MODULE_NOT_FOUND. Runtime code imports only its own
 * workspace's `dependencies` (never a devDependency: the image omits them). Test code may also use the
 * root's devDependencies, the test toolchain every test runs with (vitest, @otpflow/testing, ajv...):
 * a workspace that declared @otpflow/testing itself would get testcontainers and its ssh client into
 * its image (npm installs a linked workspace reached through a devDependency even with --omit=dev).
 * Workspace packages (`@otpflow/*`) resolve into the repository, not node_modules: `includeInternal`
 * checks them too. Type-only imports are erased at build time and not checked.
 */
function dependencyRules() {
  const rule = (options) => ({
    'import-x/no-extraneous-dependencies': [
      'error',
      { optionalDependencies: false, peerDependencies: false, includeInternal: true, ...options },
    ],
  });
  return [
    {
      plugins: { 'import-x': importX },
      // The "source" condition resolves workspace packages to their TypeScript sources, as tsc and
      // vitest do, so the check does not depend on a build. A package import it cannot resolve would be
      // skipped silently by no-extraneous-dependencies: no-unresolved makes it an error instead
      // (relative imports are no dependency, and tsc checks them).
      settings: {
        'import-x/resolver-next': [
          createNodeResolver({
            conditionNames: ['source', 'import', 'require', 'default'],
            extensions: ['.ts', '.mjs', '.js', '.json', '.node'],
          }),
        ],
      },
      rules: {
        ...rule({ devDependencies: devFiles }),
        'import-x/no-unresolved': ['error', { ignore: ['^\\.'] }],
      },
    },
    ...workspaces.map((workspace) => ({
      files: devFiles.map((glob) => `${workspace}/${glob}`),
      rules: rule({ devDependencies: true, packageDir: [path.join(root, workspace), root] }),
    })),
  ];
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Named exports only: a package's public surface is its index.ts.
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' },
      ],
      // Only config.ts files read the environment.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read settings through the service config.' },
      ],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  ...dependencyRules(),
  {
    // Mongoose schema definitions are object literals by design.
    files: ['**/*.model.ts'],
    rules: { '@typescript-eslint/no-unsafe-class-instance-assignment': 'off' },
  },
  {
    // The SDK mirrors the seed CAMARA SDK, whose documented usage is `import Camara from '…'`: its
    // index.ts default-exports the Client, besides the named exports.
    files: ['packages/sdk/src/index.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Tool configuration files must default-export.
    files: ['*.config.*', 'eslint.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: [
      '**/config.ts',
      '**/*.test.ts',
      'shared/testing/**',
      'test/**',
      'scripts/**',
      'bench/**',
      '*.config.*',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '*.config.*'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  prettier,
);
