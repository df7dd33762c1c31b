import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { layerZones } from './eslint/layers.js';
import { noImportCycle } from './eslint/no-import-cycle.js';

const BROWSER_SAFE =
  'The SDK and proto/ run in browsers: Node modules, ws and Node globals only in sdk/realtime/index.ts.';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.heimdall/**',
      'coverage/**',
      'keystone/generated/**',
      'proto/generated/**',
      'sdk/rest/generated/**',
      'docs/.vitepress/cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    plugins: { 'import-x': importX, heimdall: { rules: { 'no-import-cycle': noImportCycle } } },
    settings: {
      // import-x reads only files with these extensions (its default is JavaScript's): without .ts it would
      // resolve our imports and then skip the files, finding no cycle at all.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Value cycles, as Node sees them at load time. Packages are not walked: they cannot import us back.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // Cycles through type-only imports too (import-x skips those), and between core modules.
      'heimdall/no-import-cycle': 'error',
    },
  },
  {
    // The layers (eslint/layers.js), judged by the file an import resolves to. A test next to its module is test
    // code and may use test/support, as test/ may.
    ignores: ['**/*.test.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', layerZones] },
  },
  {
    // Bots are built as a third-party developer would build them (docs/bots.md): they reach Heimdall only
    // through the public SDK, so whatever they need and the SDK lacks shows up as a gap, not a shortcut.
    files: ['bots/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [
            {
              target: './bots',
              // Every first-party folder but sdk/ (and bots/ itself); packages stay free.
              from: [
                ...['schemas', 'migrations', 'proto', 'core', 'api', 'keystone', 'oidc', 'account'],
                ...['admin', 'realtime', 'server', 'bench', 'test', 'scripts', 'eslint', 'config'],
              ].map((folder) => `./${folder}`),
              message: 'bots/ may import only sdk/ and packages (see docs/bots.md).',
            },
          ],
        },
      ],
    },
  },
  {
    // Library internals are reached through one adapter module per library, which names the version range it
    // was checked against and has a test that fails when an upgrade moves them.
    ignores: [
      '**/*.test.ts',
      'core/db/knex-internals.ts',
      'realtime/ws-internals.ts',
      'oidc/provider-internals.ts',
      'proto/protobuf-internals.ts',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['acquireConnection', 'releaseConnection', '__knex__disposed'].map((property) => ({
          property,
          message: 'knex pool internals: use core/db/knex-internals.ts.',
        })),
        { property: '_sender', message: 'ws internals: use realtime/ws-internals.ts.' },
        {
          property: 'compareClientSecret',
          message: 'oidc-provider internals: use oidc/provider-internals.ts.',
        },
        {
          property: '_zod',
          message: 'zod internals: use the public schema API (schema.def, z.toJSONSchema).',
        },
        {
          object: 'util',
          property: 'Long',
          message: 'protobufjs configuration: see proto/protobuf-internals.ts.',
        },
      ],
    },
  },
  {
    // The realtime SDK runs in browsers too (docs/realtime.md): only its Node entry may use Node or ws.
    files: ['sdk/**/*.ts', 'proto/**/*.ts'],
    ignores: ['**/*.test.ts', 'sdk/realtime/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['ws', ...builtinModules].map((name) => ({ name, message: BROWSER_SAFE })),
          patterns: [{ group: ['node:*'], message: BROWSER_SAFE }],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['Buffer', 'process', 'require'].map((name) => ({ name, message: BROWSER_SAFE })),
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', globalThis: 'readonly' } },
  },
);
