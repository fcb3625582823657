import * as path from "node:path";

/** The project folder, wherever the test that asks sits below __tests__/. */
export const PROJECT_ROOT = path.resolve(__dirname, "../..");
