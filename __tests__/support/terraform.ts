/**
 * The real `terraform`, for the tests that ask it (fmt, console): with no CLI
 * configuration and no checkpoint, so it neither contacts HashiCorp nor
 * writes to $HOME. Not installed: those tests are skipped, and say so.
 */
import { spawnSync } from "node:child_process";

export const TERRAFORM_ENV: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" };

export const hasTerraform = !spawnSync("terraform", ["version"], { env: TERRAFORM_ENV }).error;
