import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/**
 * Layering (ARCHITECTURE.md): schemas ← core ← {api, keystone, oidc, admin, realtime}; migrations use schemas only;
 * proto (the realtime wire contract) is used by core, realtime and sdk; sdk uses proto only.
 * A module may never import from a layer above it.
 */
const forbid = (...folders) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: folders.map((f) => ({
        group: [`**/${f}/**`, `../${f}/*`, `../../${f}/*`],
        message: `This layer may not depend on ${f}/ (see ARCHITECTURE.md).`,
      })),
    },
  ],
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.heimdall/**',
      'coverage/**',
      'keystone/generated/**',
      'proto/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['schemas/**'],
    rules: forbid('core', 'api', 'migrations', 'keystone', 'oidc', 'admin', 'realtime'),
  },
  { files: ['migrations/**'], rules: forbid('core', 'api', 'keystone', 'oidc', 'admin', 'realtime') },
  { files: ['core/**'], rules: forbid('api', 'keystone', 'oidc', 'admin', 'realtime') },
  { files: ['keystone/**'], rules: forbid('api', 'oidc', 'admin', 'realtime') },
  { files: ['oidc/**'], rules: forbid('api', 'keystone', 'admin', 'realtime') },
  { files: ['realtime/**'], rules: forbid('api', 'keystone', 'oidc', 'admin', 'sdk') },
  // The SDK is what bots and apps use: it speaks the wire contract (proto/) and nothing of the server.
  { files: ['sdk/**'], rules: forbid('core', 'api', 'keystone', 'oidc', 'admin', 'realtime', 'schemas') },
  {
    files: ['proto/**'],
    rules: forbid('core', 'api', 'keystone', 'oidc', 'admin', 'realtime', 'sdk', 'schemas'),
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', globalThis: 'readonly' } },
  },
);
