// Redis going away while the platform runs: /healthz-level health reports it, and the Bull driver picks up
// work again once Redis is back. Uses a private redis-server on its own port, so the shared one is untouched.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createQueue, type JobQueue } from "../../jobs/queue.ts";
import { createLogger } from "../../server/logger.ts";
import { canReachRedis, skipWithout } from "../helpers/services.ts";

const hasRedisServer = spawnSync("redis-server", ["--version"]).status === 0;
const skip = skipWithout("redis-server", hasRedisServer, "install Redis (apt-get install -y redis-server)");
const logger = createLogger({ logLevel: "silent", isProduction: false });

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(skip)("Bull driver when Redis goes away", () => {
  let redis: ChildProcess | undefined;
  let queue: JobQueue | undefined;

  async function startRedis(port: number): Promise<void> {
    redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    await waitFor(() => canReachRedis(`redis://127.0.0.1:${port}`));
  }

  afterAll(async () => {
    redis?.kill("SIGKILL");
    await queue?.close();
  });

  it("reports the outage and resumes processing when Redis returns", async () => {
    const port = await freePort();
    await startRedis(port);
    queue = createQueue({ redisUrl: `redis://127.0.0.1:${port}`, logger, prefix: "lp-outage" });
    const seen: number[] = [];
    queue.define("work", async (data) => {
      seen.push((data as { n: number }).n);
    });
    await queue.start();
    expect(await queue.health()).toEqual({ ok: true });
    await queue.add("work", { n: 1 });
    await waitFor(() => seen.length === 1);

    redis!.kill("SIGKILL");
    await waitFor(async () => !(await queue!.health()).ok);
    expect(await queue.health()).toEqual({ ok: false, error: expect.stringContaining(`Redis op 127.0.0.1:${port}`) });

    await startRedis(port);
    await waitFor(async () => (await queue!.health()).ok, 20_000);
    await queue.add("work", { n: 2 });
    await waitFor(() => seen.length === 2, 20_000);
    expect(seen).toEqual([1, 2]);
  });
});
