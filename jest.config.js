/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Type checking is `tsc` in `npm test`; jest only strips types, with swc
  // (ts-jest loaded the TypeScript compiler in every worker: ~4 s more CPU cold).
  // tsconfig has isolatedModules, so each file transpiles alone.
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  // One worker per core (jest's default leaves one idle): many suites wait on child processes.
  maxWorkers: "100%",
  // Tests assert behaviour, not time: a slow, shared machine must not fail them
  // (several wait on child processes: the app, actionlint, the wait script).
  testTimeout: 120_000,
  // Temporary files go to one folder per run, removed at the end; the cache
  // stays beside the dependencies. A run leaves the system's /tmp as it was.
  globalSetup: "<rootDir>/__tests__/support/global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/support/global-teardown.ts",
  cacheDirectory: "<rootDir>/node_modules/.cache/jest",
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
