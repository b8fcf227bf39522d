// Invitations through the job queue, with each driver (in-process, and Bull on real Redis): the mail server
// down for a while, the queued work lost (Redis flushed, or the process's memory gone), and the process
// killed in the middle of a batch and started again. Every due invitation must arrive exactly once,
// counted by a real SMTP server.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defineJobs, planOnStart } from "../../jobs/index.ts";
import { planInvitationsJob } from "../../jobs/plan-invitations.job.ts";
import { createQueue, type JobQueue } from "../../jobs/queue.ts";
import { createMailer } from "../../server/mail/mail.service.ts";
import { createCliRunner, until } from "../helpers/cli.ts";
import { createTestDatabase, testDialect, type TestDatabase } from "../helpers/database.ts";
import { makeJobDeps } from "../helpers/jobs.ts";
import { captureLogger } from "../helpers/app.ts";
import { canReachRedis, skipWithout, testRedisUrl } from "../helpers/services.ts";
import { startTestSmtp, type TestSmtp } from "../helpers/smtp.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { addConversation } from "./fixtures.ts";
import { loadConfig } from "../../server/config.ts";

const skipBull = skipWithout("Redis", await canReachRedis(), `start it or set REDIS_URL (tried ${testRedisUrl})`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function deleteRedisKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}

/** The Redis database the killed-and-restarted worker processes use, apart from every other test. */
const workerRedisUrl = `${testRedisUrl.replace(/\/\d*$/, "")}/11`;

type Driver = { name: string; skip: boolean; make(prefix: string): JobQueue; lose(prefix: string, queue: JobQueue): Promise<void>; role: "serve" | "worker"; env: Record<string, string> };

const drivers: Driver[] = [
  {
    name: "in-process",
    skip: false,
    make: () => createQueue({ logger: captureLogger(loadConfig({ NODE_ENV: "test" })).logger }),
    // The in-process queue's work is its memory: closing it loses everything it held, as a crash would.
    lose: (_prefix, queue) => queue.close(),
    role: "serve",
    env: { PORT: "0" },
  },
  {
    name: "bull",
    skip: skipBull,
    make: (prefix) => createQueue({ redisUrl: testRedisUrl, logger: captureLogger(loadConfig({ NODE_ENV: "test" })).logger, prefix }),
    lose: async (prefix, queue) => {
      await queue.close();
      await deleteRedisKeys(testRedisUrl, `${prefix}:*`);
    },
    role: "worker",
    env: { REDIS_URL: workerRedisUrl },
  },
];

let database: TestDatabase;
let smtp: TestSmtp;
const runner = createCliRunner();
const open: JobQueue[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startTestSmtp();
});

afterEach(async () => {
  for (const q of open.splice(0)) await q.close().catch(() => undefined);
  await runner.cleanup();
});

afterAll(async () => {
  await smtp.close();
  await database.destroy();
  runner.remove();
});

beforeEach(async () => {
  await database.db("deliveries").whereIn("status", ["pending", "sending"]).update({ status: "cancelled" });
  await database.db("job_locks").delete();
});

function depsFor() {
  const { logger } = captureLogger(loadConfig({ NODE_ENV: "test" }), "warn");
  const deps = makeJobDeps(database.db, database.url, logger, { SMTP_URL: smtp.url, MAIL_RATE_PER_SECOND: "1000", BASE_URL: "https://enquete.example.test" });
  return { ...deps, retry: { baseDelayMs: 200, maxDelayMs: 1_000, maxAttempts: 5, outagePauseMs: 300 } };
}

async function seed(count: number) {
  const m = await makeMunicipality(database.db);
  const config = loadConfig({ NODE_ENV: "test", DATABASE_URL: database.url, SESSION_SECRET: "s".repeat(40) });
  const people = [];
  for (let i = 0; i < count; i += 1) people.push(await addConversation(database.db, config, m.id));
  return people;
}

function receivedOnce(people: Array<{ email: string }>): boolean {
  return people.every((p) => smtp.received.filter((r) => r.to === p.email).length === 1);
}

function expectEachOnce(people: Array<{ email: string }>): void {
  for (const p of people) expect(smtp.received.filter((r) => r.to === p.email), p.email).toHaveLength(1);
}

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`invitations through the ${driver.name} queue (${testDialect})`, () => {
    const prefix = () => `lp-faults-${process.pid}-${randomBytes(3).toString("hex")}`;

    it("waits while the mail server is down and sends each invitation once when it is back", async () => {
      const people = await seed(5);
      await smtp.stop();
      const deps = depsFor();
      const queue = driver.make(prefix());
      open.push(queue);
      defineJobs(queue, deps);
      await queue.start();
      await queue.add("plan-invitations", {});
      await waitFor(async () => (await database.db("deliveries").whereIn("invitation_id", database.db("invitations").select("id").whereIn("client_id", people.map((p) => p.clientId))).where("status", "pending")).length === 5, 10_000, "planned deliveries");
      await sleep(800);
      expect(smtp.received.filter((r) => people.some((p) => p.email === r.to))).toHaveLength(0);
      await smtp.start();
      await waitFor(() => receivedOnce(people), 20_000, "every invitation after the outage");
      await sleep(700);
      expectEachOnce(people);
      await deps.mailer.close();
    });

    it("re-derives queued work from the database after the queue lost it", async () => {
      const people = await seed(4);
      const p = prefix();
      const deps = depsFor();
      // A web process plans and queues the sends, but nothing runs them before the queue loses its work.
      const web = driver.make(p);
      await planInvitationsJob(database.db, deps.catalog, web);
      expect((await web.counts()).waiting).toBeGreaterThanOrEqual(1);
      await driver.lose(p, web);
      const worker = driver.make(p);
      open.push(worker);
      defineJobs(worker, deps);
      await worker.start();
      await planOnStart(worker);
      await waitFor(() => receivedOnce(people), 20_000, "every invitation after the queue was lost");
      await sleep(500);
      expectEachOnce(people);
      await deps.mailer.close();
    });

    it("sends every due invitation exactly once when the worker is killed mid-batch and restarted", { timeout: 90_000 }, async () => {
      if (driver.name === "bull") await deleteRedisKeys(workerRedisUrl, "*");
      const people = await seed(40);
      const env = runner.env({
        DATABASE_URL: database.url,
        SMTP_URL: smtp.url,
        MAIL_RATE_PER_SECOND: "1000",
        BASE_URL: "https://enquete.example.test",
        SESSION_SECRET: "k".repeat(40),
        LOG_LEVEL: "warn",
        ...driver.env,
      });
      const ours = () => smtp.received.filter((r) => people.some((p) => p.email === r.to)).length;
      smtp.holdAfter(15);
      const first = runner.start([driver.role], env);
      await until(first, () => "15 messages and a held one", 30_000, () => (ours() >= 15 && smtp.held() > 0 ? true : undefined));
      // Every accepted message has had time to be recorded; the held ones were never accepted.
      await sleep(500);
      await first.kill();
      smtp.dropHeld();
      expect(ours()).toBe(15);
      const sending = await database.db("deliveries").where({ status: "sending" }).count({ n: "*" });
      expect(Number(sending[0]!.n)).toBeGreaterThan(0);
      const second = runner.start([driver.role], env);
      await until(second, () => `all 40 invitations (have ${ours()})`, 60_000, () => (ours() >= 40 ? true : undefined));
      await sleep(1_000);
      expectEachOnce(people);
      expect(ours()).toBe(40);
      await second.kill();
      if (driver.name === "bull") await deleteRedisKeys(workerRedisUrl, "*");
    });
  });
}

// The mailer is imported for its type in depsFor's result; keep the import honest.
void createMailer;
