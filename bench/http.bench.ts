// Requests per second and latency of the all-in-one process, measured from a separate process.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { packageRoot } from "../server/paths.ts";

export type HttpResult = {
  name: string;
  connections: number;
  durationS: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
};

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function waitForHealth(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error("server did not start");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function load(name: string, url: string, connections: number, durationS: number): Promise<HttpResult> {
  const result = await autocannon({ url, connections, duration: durationS });
  return {
    name,
    connections,
    durationS,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export async function benchHttp(): Promise<HttpResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), "luisterpost-bench-"));
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "server/cli.ts", "serve"], {
    cwd: packageRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", LOG_LEVEL: "warn", PORT: String(port),
      DATABASE_URL: `sqlite:${dir}/bench.sqlite`, DATA_DIR: dir, SESSION_SECRET: "b".repeat(40), BASE_URL: "https://bench.invalid" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base);
    await load("warm-up", `${base}/`, 10, 2);
    return [await load("GET / (home page, EJS)", `${base}/`, 50, 10), await load("GET /healthz (database + queue)", `${base}/healthz`, 50, 10)];
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}
