/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Type checking is `tsc` in `npm test`; jest only strips types, with swc
  // (ts-jest started a TypeScript compiler in every worker: ~10 s of a cold run).
  // tsconfig has isolatedModules, so each file transpiles alone.
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }],
  },
  // One worker per core (jest's default leaves one idle): many suites wait on child processes.
  maxWorkers: "100%",
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/setup-jest.ts"],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
