// The real `luisterpost` command as a child process, for tests: started with node and tsx's loader (so
// signals reach the server directly), in its own process group (so cleanup kills it with everything it
// started), with an environment built from scratch (nothing of the test's own REDIS_URL or DATABASE_URL
// leaks in).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));
const nodeWithTsx = [process.execPath, "--import", "tsx"] as const;

export type Env = Record<string, string>;
export type Exit = { code: number | null; signal: NodeJS.Signals | null };
export type Cli = {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  exit(): Exit | undefined;
  waitForExit(timeoutMs: number): Promise<Exit>;
  /** SIGKILL to the whole process group: a crash, as far as the process can tell. */
  kill(): Promise<void>;
};
export type Result = Exit & { stdout: string; stderr: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type CliRunner = {
  tmpRoot: string;
  freshDir(): string;
  sqliteUrl(): string;
  env(vars: Env): Env;
  start(args: string[], env: Env): Cli;
  run(args: string[], env: Env, options?: { timeoutMs?: number }): Promise<Result>;
  /** Kills whatever is still running (call in afterEach). */
  cleanup(): Promise<void>;
  /** Removes the temporary folders (call in afterAll). */
  remove(): void;
};

export function createCliRunner(): CliRunner {
  const tmpRoot = mkdtempSync(path.join(tmpdir(), "luisterpost-cli-"));
  const started: Cli[] = [];
  const freshDir = () => mkdtempSync(path.join(tmpRoot, "run-"));

  function start(args: string[], env: Env): Cli {
    const child = spawn(nodeWithTsx[0], [...nodeWithTsx.slice(1), "server/cli.ts", ...args], { cwd: root, env, stdio: "pipe", detached: true });
    let stdout = "";
    let stderr = "";
    let exit: Exit | undefined;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<Exit>((resolve) => {
      child.once("close", (code, signal) => resolve((exit = { code, signal })));
    });
    const cli: Cli = {
      child,
      stdout: () => stdout,
      stderr: () => stderr,
      exit: () => exit,
      async waitForExit(timeoutMs) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`luisterpost ${args.join(" ")} did not exit within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
        });
        return Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
      },
      async kill() {
        if (exit) return;
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
        await cli.waitForExit(5_000).catch(() => undefined);
      },
    };
    started.push(cli);
    return cli;
  }

  return {
    tmpRoot,
    freshDir,
    sqliteUrl: () => `sqlite:${path.join(freshDir(), "luisterpost.sqlite")}`,
    env: (vars) => ({ PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", HOME: process.env.HOME ?? tmpRoot, NODE_ENV: "test", DATA_DIR: freshDir(), ...vars }),
    start,
    async run(args, env, { timeoutMs = 20_000 } = {}) {
      const cli = start(args, env);
      const exit = await cli.waitForExit(timeoutMs);
      return { ...exit, stdout: cli.stdout(), stderr: cli.stderr() };
    },
    async cleanup() {
      for (const cli of started.splice(0)) await cli.kill();
    },
    remove: () => rmSync(tmpRoot, { recursive: true, force: true }),
  };
}

/** Polls until probe returns a value; fails early when the process has exited, and after timeoutMs. */
export async function until<T>(cli: Cli, what: () => string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const exit = cli.exit();
    if (exit) throw new Error(`exited (${JSON.stringify(exit)}) while waiting for ${what()}\n${cli.stderr()}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}\n${cli.stderr()}`);
    await sleep(100);
  }
}
