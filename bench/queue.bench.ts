// How many jobs per second each queue driver adds and runs.
import { Redis } from "ioredis";
import { createQueue } from "../jobs/queue.ts";
import { createLogger } from "../server/logger.ts";

export type QueueResult = { driver: string; jobs: number; concurrency: number; addMs: number; totalMs: number; jobsPerSecond: number };

const JOBS = 5_000;
const CONCURRENCY = 5;
const logger = createLogger({ logLevel: "silent", isProduction: false });

async function measure(redisUrl: string | undefined, prefix: string): Promise<QueueResult> {
  const queue = createQueue({ redisUrl, logger, concurrency: CONCURRENCY, prefix });
  let done = 0;
  let resolveAll: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  queue.define("noop", async () => {
    done += 1;
    if (done === JOBS) resolveAll();
  });
  await queue.start();
  const start = performance.now();
  for (let i = 0; i < JOBS; i += 1) await queue.add("noop", { i }, { jobId: `noop:${i}` });
  const addMs = performance.now() - start;
  await allDone;
  const totalMs = performance.now() - start;
  await queue.close();
  return { driver: queue.driver, jobs: JOBS, concurrency: CONCURRENCY, addMs, totalMs, jobsPerSecond: (JOBS / totalMs) * 1000 };
}

async function clearPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
  redis.disconnect();
}

export async function benchQueue(redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379"): Promise<QueueResult[]> {
  const results = [await measure(undefined, "unused")];
  const prefix = `lp-bench-${process.pid}`;
  try {
    results.push(await measure(redisUrl, prefix));
  } finally {
    await clearPrefix(redisUrl, prefix);
  }
  return results;
}
