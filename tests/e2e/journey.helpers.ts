// Helpers for the journey test: one journey of steps that stop at the first failure, pages checked with axe and
// photographed, staff signing in through the real forms, respondents answering over HTTP the way
// public/js/respondent.js does, and the job worker on either queue driver.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { Browser, BrowserContext, Page } from "playwright-core";
import request from "supertest";
import { expect, it } from "vitest";
import { defineJobs, type JobDeps } from "../../jobs/index.ts";
import { createQueue, type JobQueue } from "../../jobs/queue.ts";
import { createSmsSender } from "../../server/sms/sms.service.ts";
import { describeViolations, isCancelledFavicon, runAxe, screenshot } from "../helpers/browser.ts";
import type { TestServer } from "../helpers/server.ts";
import { totpCode, type TestUser } from "../helpers/staff.ts";
import { pageCsrf } from "../respondent/fixtures.ts";

// page.evaluate() callbacks run in Chromium; the project's tsconfig has no DOM library.
declare const document: {
  documentElement: { scrollWidth: number };
  getAnimations(): Array<{ playState: string; effect: { getTiming(): { iterations?: number } } | null }>;
};

export const LAPTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 375, height: 812 } as const;

/**
 * The steps are one journey: once a step throws, the later ones are skipped instead of failing for the same
 * reason. axe findings are soft: they fail their step's test but let the journey go on. `afterEach` runs after
 * every step that passed (the browser's problems must be none).
 */
export function journey(afterEach: () => void = () => undefined) {
  let failed: string | undefined;
  return function step(name: string, run: () => Promise<void>, timeoutMs = 60_000): void {
    it(name, async (ctx) => {
      if (failed) ctx.skip(`an earlier step failed: ${failed}`);
      try {
        await run();
        afterEach();
      } catch (err) {
        failed = name;
        throw err;
      }
    }, timeoutMs);
  };
}

/** Waits for a condition (polling), with a message naming what did not happen. */
export async function waitFor(check: () => boolean | Promise<boolean>, what: () => string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Browser pages that collect what the browser reports (failed requests, script errors, 4xx/5xx sub-resources). */
export function pages(browser: () => Browser) {
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  const failedRequests: Array<{ url: string; error: string }> = [];
  const downloads = new Set<string>();
  return {
    /** Everything the browser reported so far; a download shows as an aborted navigation, which it is not. */
    problems: () => [...failedRequests.filter((f) => !(downloads.has(f.url) && f.error.includes("ERR_ABORTED"))).map((f) => `failed: ${f.url} ${f.error}`), ...problems],
    async open(viewport: { width: number; height: number } = LAPTOP, mobile = false): Promise<Page> {
      const context = await browser().newContext({ viewport, locale: "nl-NL", isMobile: mobile, hasTouch: mobile, acceptDownloads: true });
      contexts.push(context);
      // Generous for a 2-core machine that runs other test files at the same time; a step still fails within a minute.
      context.setDefaultTimeout(20_000);
      context.setDefaultNavigationTimeout(30_000);
      const page = await context.newPage();
      page.on("requestfailed", (r) => {
        if (!isCancelledFavicon(r)) failedRequests.push({ url: r.url(), error: r.failure()?.errorText ?? "" });
      });
      page.on("download", (d) => downloads.add(d.url()));
      page.on("response", (r) => {
        if (r.request().resourceType() !== "document" && r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
      });
      page.on("console", (m) => {
        if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      return page;
    },
    async closeAll(): Promise<void> {
      for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
    },
  };
}

/**
 * Waits until no finite animation is running: axe measures colour contrast as drawn, and a question that is
 * fading in has a contrast it will not have a moment later.
 */
async function settle(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.getAnimations().every((a) => a.playState !== "running" || a.effect?.getTiming().iterations === Number.POSITIVE_INFINITY),
    undefined,
    { timeout: 5_000 },
  );
}

/** Screenshots named journey-<setup>-<step and name>. */
export function camera(setup: string) {
  return {
    /** A full-page screenshot; returns its path. */
    snap: (page: Page, name: string) => screenshot(page, `journey-${setup}-${name}`),
    /** A screenshot, then axe (WCAG 2.1 AA) must find nothing and the page must not scroll sideways. */
    async check(page: Page, name: string, width: number = LAPTOP.width): Promise<void> {
      await settle(page);
      const file = await screenshot(page, `journey-${setup}-${name}`);
      // A full-page screenshot resizes the viewport for a moment, and SurveyJS fades its rows in again.
      await settle(page);
      const violations = await runAxe(page);
      expect.soft(violations.map((v) => v.id), `axe on ${name}, screenshot ${file}:\n${describeViolations(violations)}`).toEqual([]);
      expect.soft(await page.evaluate(() => document.documentElement.scrollWidth), `${name} scrolls sideways, screenshot ${file}`).toBeLessThanOrEqual(width);
    },
  };
}

/** Clicks a submit button and waits for the page the form leads to; returns the POST's status. */
export async function submit(page: Page, button: string | RegExp, expectedUrl: RegExp): Promise<number> {
  const [post] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === "POST" && r.request().resourceType() === "document"),
    page.getByRole("button", { name: button, exact: typeof button === "string" }).first().click(),
  ]);
  await page.waitForURL(expectedUrl, { waitUntil: "load" });
  return post.status();
}

/** Signs in through the login form, and the code form when the account has TOTP. */
export async function logIn(page: Page, baseUrl: string, who: TestUser, landing: RegExp): Promise<void> {
  await page.goto(`${baseUrl}/staff/login`);
  await page.getByLabel("E-mailadres").fill(who.email);
  await page.getByLabel("Wachtwoord", { exact: true }).fill(who.password);
  if (who.totpSecret) {
    await submit(page, "Inloggen", /\/staff\/login\/code/);
    await page.getByLabel("Code", { exact: true }).fill(totpCode(who.totpSecret));
    await submit(page, "Verder", landing);
  } else {
    await submit(page, "Inloggen", landing);
  }
}

/** The cells' text of the rows a (Playwright) selector finds, whitespace collapsed. */
export async function rowsOf(page: Page, selector: string): Promise<string[][]> {
  type Row = { children: ArrayLike<{ textContent: string | null }> };
  return page.locator(selector).evaluateAll((rows: Row[]) => rows.map((tr) => Array.from(tr.children).map((c) => (c.textContent ?? "").replace(/\s+/g, " ").trim())));
}

// --- respondents over HTTP -------------------------------------------------------------------------------------

/** Opens a questionnaire as respondent.js does (the page, then survey.json: that marks it opened). */
async function openSurvey(server: TestServer, path: string) {
  const agent = request.agent(server.app);
  const page = await agent.get(path);
  expect(page.status, `${path}: ${page.text.slice(0, 200)}`).toBe(200);
  const survey = await agent.get(`${path}/survey.json`).set("accept", "application/json");
  expect(survey.status).toBe(200);
  return { agent, csrf: pageCsrf(page.text) };
}

export async function openOverHttp(server: TestServer, path: string): Promise<void> {
  await openSurvey(server, path);
}

export async function startOverHttp(server: TestServer, path: string, answers: Record<string, unknown>): Promise<void> {
  const { agent, csrf } = await openSurvey(server, path);
  const saved = await agent.post(`${path}/progress`).set("x-csrf-token", csrf).set("accept", "application/json").send({ answers, currentPage: 0 });
  expect(saved.status, saved.text).toBe(204);
}

export async function completeOverHttp(server: TestServer, path: string, answers: Record<string, unknown>): Promise<void> {
  const { agent, csrf } = await openSurvey(server, path);
  const done = await agent.post(`${path}/complete`).set("x-csrf-token", csrf).set("accept", "application/json").send({ answers });
  expect(done.status, done.text).toBe(200);
}

/** Types a paper code on /code over HTTP; returns the questionnaire's path it leads to. */
export async function pathForCode(server: TestServer, code: string): Promise<string> {
  const agent = request.agent(server.app);
  const form = await agent.get("/code");
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? "";
  const typed = await agent.post("/code").type("form").send({ _csrf: csrf, code });
  expect(typed.status, typed.text.slice(0, 300)).toBe(303);
  return typed.headers.location as string;
}

// --- the worker --------------------------------------------------------------------------------------------------

export type Worker = { queue: JobQueue; driver: "bull" | "in-process"; close(): Promise<void> };

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

/**
 * The jobs of jobs/index.ts on a started queue: the app's own in-process queue (the all-in-one process), or a
 * Bull queue on Redis under a key prefix of its own (a worker process), removed again by close().
 */
export async function startWorker(server: TestServer, redisUrl: string | undefined): Promise<Worker> {
  const db = server.database.db;
  const deps: JobDeps = {
    db,
    logger: server.logger,
    config: server.config,
    catalog: server.catalog,
    mailer: server.mailer,
    sms: createSmsSender({ config: server.config, db, logger: server.logger }),
  };
  if (!redisUrl) {
    defineJobs(server.queue, deps);
    await server.queue.start();
    return { queue: server.queue, driver: "in-process", close: async () => undefined };
  }
  const prefix = `lp-journey-${process.pid}-${randomBytes(4).toString("hex")}`;
  const queue = createQueue({ redisUrl, logger: server.logger, prefix });
  defineJobs(queue, deps);
  await queue.start();
  return {
    queue,
    driver: "bull",
    async close() {
      await queue.close();
      await deleteRedisKeys(redisUrl, `${prefix}:*`);
    },
  };
}
