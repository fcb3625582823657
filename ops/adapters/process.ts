/**
 * Child processes with a deadline. Every external command the operator
 * commands run (talosctl, terraform) goes through `runProcess`: a missing
 * binary is a `ToolMissingError`, a process still running at its deadline is
 * killed (SIGKILL) and reported as a `ProcessTimeoutError`, so no command hangs.
 */
import { spawn } from "node:child_process";

/** What a finished child process gave back. */
export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Killed after this long. */
  readonly timeoutMs: number;
  /** @default - this process's working directory */
  readonly cwd?: string;
  /** @default - this process's environment */
  readonly env?: NodeJS.ProcessEnv;
  /** How errors name the command (never a credential path). @default - the file name */
  readonly label?: string;
  /** What a non-zero exit says, from its output. @default - the last line of stderr (else of stdout) */
  readonly failureText?: (result: ProcessResult) => string;
}

/** The executable is not on PATH. The message names the tool and where to read how to install it. */
export class ToolMissingError extends Error {
  constructor(readonly tool: string) {
    super(`${tool} is not installed (see docs/operations.md)`);
    this.name = "ToolMissingError";
  }
}

/** The child process outlived its deadline and was killed. */
export class ProcessTimeoutError extends Error {
  constructor(readonly command: string, readonly timeoutMs: number) {
    super(`${command} did not answer within ${formatSeconds(timeoutMs)} (killed)`);
    this.name = "ProcessTimeoutError";
  }
}

/** The child process exited non-zero; the message is `reason`, by default its last stderr line (talosctl and terraform put the reason there). */
export class ProcessFailedError extends Error {
  constructor(readonly command: string, readonly result: ProcessResult, reason?: string) {
    super(`${command} failed (exit ${result.code}): ${reason || lastLine(result.stderr) || lastLine(result.stdout) || "no output"}`);
    this.name = "ProcessFailedError";
  }
}

/** Runs `file args` without a shell; resolves with any exit code, rejects on a missing binary or the deadline. */
export function runProcess(file: string, args: readonly string[], options: RunOptions): Promise<ProcessResult> {
  const label = options.label ?? file;
  return new Promise((resolve, reject) => {
    let settled = false;
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill("SIGKILL");
      // A grandchild may hold the pipes open: stop reading, do not wait for 'close'.
      child.stdout?.destroy();
      child.stderr?.destroy();
      reject(new ProcessTimeoutError(label, options.timeoutMs));
    }, options.timeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error.code === "ENOENT" ? new ToolMissingError(file) : error);
    });
    child.on("close", (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
    });
  });
}

/** Like `runProcess`, but a non-zero exit is a `ProcessFailedError`; resolves with stdout. */
export async function runChecked(file: string, args: readonly string[], options: RunOptions): Promise<string> {
  const result = await runProcess(file, args, options);
  if (result.code !== 0) throw new ProcessFailedError(options.label ?? file, result, options.failureText?.(result));
  return result.stdout;
}

function lastLine(text: string): string {
  const lines = text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  return lines[lines.length - 1] ?? "";
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
