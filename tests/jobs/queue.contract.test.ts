// One contract for both queue drivers: the in-process driver and Bull on real Redis.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createQueue, type JobContext, type JobQueue } from "../../jobs/queue.ts";
import { createLogger } from "../../server/logger.ts";
import { canReachRedis, skipWithout, testRedisUrl } from "../helpers/services.ts";

const logger = createLogger({ logLevel: "silent", isProduction: false });
const skipBull = skipWithout("Redis", await canReachRedis(), `start it or set REDIS_URL (tried ${testRedisUrl})`);

type Driver = { name: string; skip: boolean; shared: boolean; make(prefix: string): JobQueue; cleanup(prefix: string): Promise<void> };

async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(testRedisUrl);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

const drivers: Driver[] = [
  { name: "in-process", skip: false, shared: false, make: () => createQueue({ logger }), cleanup: async () => undefined },
  {
    name: "bull",
    skip: skipBull,
    shared: true,
    make: (prefix) => createQueue({ redisUrl: testRedisUrl, logger, prefix }),
    cleanup: deleteRedisKeys,
  },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await sleep(20);
  }
}

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`job queue contract: ${driver.name}`, () => {
    const open: JobQueue[] = [];
    let prefix = "";

    function makeQueue(): JobQueue {
      if (!prefix) prefix = `lp-test-${process.pid}-${randomBytes(4).toString("hex")}`;
      const queue = driver.make(prefix);
      open.push(queue);
      return queue;
    }

    afterEach(async () => {
      await Promise.all(open.splice(0).map((q) => q.close()));
      await driver.cleanup(prefix);
      prefix = "";
    });

    it("runs an added job with its data", async () => {
      const queue = makeQueue();
      const seen: Array<{ data: unknown; context: JobContext }> = [];
      queue.define("greet", async (data, context) => {
        seen.push({ data, context });
      });
      await queue.start();
      const { id, added } = await queue.add("greet", { invitationId: 42 });
      expect(added).toBe(true);
      await waitFor(() => seen.length === 1);
      expect(seen[0]).toEqual({ data: { invitationId: 42 }, context: { id, name: "greet", attempt: 1 } });
    });

    it("runs a delayed job no earlier than its delay", async () => {
      const queue = makeQueue();
      let ranAt = 0;
      queue.define("later", async () => {
        ranAt = Date.now();
      });
      await queue.start();
      const addedAt = Date.now();
      await queue.add("later", {}, { delayMs: 600 });
      await sleep(200);
      expect(ranAt).toBe(0);
      expect((await queue.counts()).delayed).toBe(1);
      await waitFor(() => ranAt > 0);
      expect(ranAt - addedAt).toBeGreaterThanOrEqual(550);
    });

    it("retries a failing job with exponential backoff, then succeeds", async () => {
      const queue = makeQueue();
      const tries: Array<{ attempt: number; at: number }> = [];
      queue.define("flaky", async (_data, { attempt }) => {
        tries.push({ attempt, at: Date.now() });
        if (attempt < 3) throw new Error("temporary failure");
      });
      await queue.start();
      await queue.add("flaky", {}, { attempts: 3, backoff: { type: "exponential", delayMs: 200 } });
      await waitFor(() => tries.length === 3);
      expect(tries.map((t) => t.attempt)).toEqual([1, 2, 3]);
      const firstWait = tries[1]!.at - tries[0]!.at;
      const secondWait = tries[2]!.at - tries[1]!.at;
      expect(firstWait).toBeGreaterThanOrEqual(180);
      expect(secondWait).toBeGreaterThanOrEqual(360);
      await waitFor(async () => Object.values(await queue.counts()).every((n) => n === 0));
    });

    it("gives up after the last attempt and leaves nothing behind", async () => {
      const queue = makeQueue();
      let calls = 0;
      queue.define("broken", async () => {
        calls += 1;
        throw new Error("permanent failure");
      });
      await queue.start();
      await queue.add("broken", {}, { attempts: 2, backoff: { type: "fixed", delayMs: 50 } });
      await waitFor(() => calls === 2);
      await sleep(300);
      expect(calls).toBe(2);
      expect(await queue.counts()).toEqual({ waiting: 0, delayed: 0, active: 0 });
    });

    it("de-duplicates by job id while the job is pending, and frees the id once it is done", async () => {
      const queue = makeQueue();
      let runs = 0;
      queue.define("send", async () => {
        runs += 1;
      });
      await queue.start();
      const first = await queue.add("send", { n: 1 }, { jobId: "send:invitation:7", delayMs: 300 });
      const second = await queue.add("send", { n: 2 }, { jobId: "send:invitation:7", delayMs: 300 });
      expect(first).toEqual({ id: "send:invitation:7", added: true });
      expect(second).toEqual({ id: "send:invitation:7", added: false });
      await waitFor(() => runs === 1);
      await sleep(400);
      expect(runs).toBe(1);
      await waitFor(async () => (await queue.counts()).active === 0);
      const third = await queue.add("send", { n: 3 }, { jobId: "send:invitation:7" });
      expect(third.added).toBe(true);
      await waitFor(() => runs === 2);
    });

    it("cancels a waiting or delayed job, but not an unknown one", async () => {
      const queue = makeQueue();
      let runs = 0;
      queue.define("reminder", async () => {
        runs += 1;
      });
      await queue.start();
      await queue.add("reminder", {}, { jobId: "reminder:1", delayMs: 300 });
      expect(await queue.cancel("reminder:1")).toBe(true);
      expect(await queue.cancel("reminder:1")).toBe(false);
      expect(await queue.cancel("no-such-job")).toBe(false);
      await sleep(500);
      expect(runs).toBe(0);
      expect(await queue.counts()).toEqual({ waiting: 0, delayed: 0, active: 0 });
    });

    it("does not cancel a running job", async () => {
      const queue = makeQueue();
      let release: () => void = () => undefined;
      let started = false;
      queue.define("long", async () => {
        started = true;
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      });
      await queue.start();
      await queue.add("long", {}, { jobId: "long:1" });
      await waitFor(() => started);
      expect(await queue.cancel("long:1")).toBe(false);
      release();
    });

    it("counts waiting and delayed jobs in a process that only adds (web role)", async () => {
      const queue = makeQueue();
      await queue.add("a", {});
      await queue.add("b", {}, { delayMs: 60_000 });
      expect(await queue.counts()).toEqual({ waiting: 1, delayed: 1, active: 0 });
    });

    it("runs a repeatable schedule once per tick, even when scheduled twice", async () => {
      const first = makeQueue();
      // With Bull a second process schedules the same job; in-process it is the same queue scheduling again.
      const second = driver.shared ? makeQueue() : first;
      // The tick each run belongs to: both drivers end a repeat job's id with the tick's scheduled time (ms).
      // The time a handler runs is no measure: under load the run of one tick can start in the next second.
      const ticks: number[] = [];
      for (const q of new Set([first, second])) {
        q.define("planner", async (_data, { id }) => {
          const tick = /:(\d{13})$/.exec(id);
          expect(tick, id).not.toBeNull();
          ticks.push(Number(tick![1]));
        });
        await q.start();
      }
      await first.schedule("planner", "* * * * * *");
      await second.schedule("planner", "* * * * * *");
      await waitFor(() => ticks.length >= 3, 8_000);
      expect(new Set(ticks).size).toBe(ticks.length);
      await first.unschedule("planner");
      await sleep(1_200);
      const after = ticks.length;
      await sleep(1_500);
      expect(ticks.length).toBe(after);
    });

    it("rejects a schedule with an invalid cron string", async () => {
      const queue = makeQueue();
      await expect(queue.schedule("planner", "every minute please")).rejects.toThrow();
    });

    it("lets a running job finish on close, and leaves nothing to run twice", async () => {
      const queue = makeQueue();
      let started = false;
      let finished = false;
      queue.define("slow", async () => {
        started = true;
        await sleep(700);
        finished = true;
      });
      await queue.start();
      await queue.add("slow", {}, { jobId: "slow:1" });
      await waitFor(() => started);
      await queue.close();
      expect(finished).toBe(true);
      expect(await queue.health()).toEqual({ ok: false, error: expect.any(String) });
      if (driver.shared) {
        // A new process finds nothing left over: the job was completed, not abandoned mid-way.
        const next = makeQueue();
        let reruns = 0;
        next.define("slow", async () => {
          reruns += 1;
        });
        await next.start();
        await sleep(500);
        expect(reruns).toBe(0);
        expect(await next.counts()).toEqual({ waiting: 0, delayed: 0, active: 0 });
      }
    });

    it("reports healthy while open", async () => {
      const queue = makeQueue();
      expect(await queue.health()).toEqual({ ok: true });
    });

    // Only Bull is shared between processes; the in-process driver has no second process to hand to.
    if (driver.shared) it("hands jobs added by a web process to a worker process", async () => {
      const web = makeQueue();
      const worker = makeQueue();
      const seen: unknown[] = [];
      worker.define("send", async (data) => {
        seen.push(data);
      });
      await worker.start();
      await web.add("send", { invitationId: 1 });
      await web.add("send", { invitationId: 2 }, { delayMs: 200 });
      await waitFor(() => seen.length === 2);
      expect(seen).toEqual([{ invitationId: 1 }, { invitationId: 2 }]);
    });
  });
}
