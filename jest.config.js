/**
 * Jest runs the TypeScript sources as native ESM through ts-jest in transpile-only mode (isolatedModules in
 * tsconfig): fast, and `npm run typecheck` does the type checking. Jest 29 + ts-jest rather than Jest 30 or SWC,
 * whose platform-specific optional packages are not all on the registry we install from, which breaks `npm ci`.
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: [
    '<rootDir>/{account,admin,api,bots,core,server,schemas,migrations,oidc,realtime,sdk,proto,test}/**/*.test.ts',
  ],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  testTimeout: 60000,
  maxWorkers: 2,
  // ESM test files loaded through vm modules are not all released between files: a worker that has grown past
  // this after a file is replaced, before it reaches the heap limit and aborts mid-suite.
  workerIdleMemoryLimit: '1536MB',
};
