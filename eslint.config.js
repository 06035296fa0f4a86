import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
