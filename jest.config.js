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
  // Two workers per core: many suites spend most of their time waiting (on the
  // app, the CLIs and the wait script as child processes, on TLS servers and
  // timers), and more workers than cores overlap that waiting with other suites'
  // work. On 2 cores, cold: 2 workers 28.9 s, 3 workers 23.9 s, 4 workers 21.7 s.
  // (A number: jest reads a percentage above 100% as that many workers.)
  maxWorkers: 2 * require("node:os").availableParallelism(),
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
