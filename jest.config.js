/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Type checking is `tsc` in `npm test`; jest only transpiles (tsconfig has isolatedModules).
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/setup-jest.ts"],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
