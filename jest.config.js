/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Type checking is `tsc` in `npm test`; jest only transpiles (tsconfig has isolatedModules).
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  // One worker per core (jest's default leaves one idle): many suites wait on child processes.
  maxWorkers: "100%",
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/setup-jest.ts"],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
