// Jest runs in CommonJS mode: Jest's ESM mode fails on Nest 12 (see ../shared/STACK.md). @swc/jest
// transpiles our TypeScript and the ESM-only packages in node_modules to CommonJS.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const shared = {
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|file-type|strtok3|token-types|@tokenizer|@borewit|uint8array-extras)/)',
  ],
  moduleNameMapper: {
    // src/paths.ts uses import.meta, which CommonJS cannot parse; its twin uses __dirname.
    '^(\\.{1,2}/)*paths(\\.js)?$': '<rootDir>/test/support/paths.cjs.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};
// The medium and e2e tiers start services, databases and Redis servers: 60 s a case and hook
// (test/support/timeout.ts; a project's own `testTimeout` is not read).
const services = { setupFilesAfterEnv: ['<rootDir>/test/support/timeout.ts'] };
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', rootDir: __dirname, testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      // Services with their real repositories on PostgreSQL, scripted ports and queue (test/medium/medium.ts).
      ...shared,
      ...services,
      displayName: 'medium',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/medium/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      ...shared,
      ...services,
      displayName: 'e2e',
      rootDir: __dirname,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
