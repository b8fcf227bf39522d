// A newcomer's first hour, for real (issue 3, acceptance point 4): the first platform administrator is made
// with the CLI, the all-in-one process is started as an operator starts it, and in Chromium the administrator
// logs in, sets up TOTP, adds a municipality and invites an interviewer, who follows the e-mailed link from
// the dev outbox, chooses a password, sets up TOTP and lands on her municipality's page.
// Every page is checked with axe (WCAG 2.1 AA) at a phone's size, must not scroll sideways, and is
// photographed; the process's logs must not contain the e-mail addresses, passwords or secrets used.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, describeViolations, launchBrowser, runAxe, screenshot, watchPage } from "../helpers/browser.ts";
import { skipWithout } from "../helpers/services.ts";
import { totpCode } from "../helpers/staff.ts";

// The callbacks given to page.evaluate() run inside Chromium; the project's tsconfig has no DOM library.
declare const document: { documentElement: { scrollWidth: number; clientWidth: number } };

const skipBrowser = skipWithout("Chromium", chromiumAvailable(), "apt-get install -y chromium");

const root = fileURLToPath(new URL("../..", import.meta.url));
// Node with tsx's loader rather than the tsx command: signals reach the server directly (the tsx command
// relays them and kills a child that does not confirm within 30 ms).
const nodeWithTsx = [process.execPath, "--import", "tsx"] as const;
const PHONE = { width: 375, height: 812 } as const;
const LAPTOP = { width: 1280, height: 800 } as const;

const ADMIN = { email: "beheer@example.test", name: "Platform Beheerder", password: "zonnebloem-fiets-kaas-regen" };
const IRIS = { email: "iris@example.test", name: "Iris Interviewer", password: "paraplu-molenwiek-tulpenveld-haring" };

type Exit = { code: number | null; signal: NodeJS.Signals | null };
type Proc = { child: ChildProcessWithoutNullStreams; stdout(): string; stderr(): string; exit(): Exit | undefined; exited: Promise<Exit> };

/** The CLI in its own process group (tsx starts a second node process), with nothing of this process's env. */
function startCli(args: string[], env: Record<string, string>, stdin?: string): Proc {
  const child = spawn(nodeWithTsx[0], [...nodeWithTsx.slice(1), "server/cli.ts", ...args], { cwd: root, env, stdio: "pipe", detached: true });
  let stdout = "";
  let stderr = "";
  let exit: Exit | undefined;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => child.once("close", (code, signal) => resolve((exit = { code, signal }))));
  if (stdin !== undefined) child.stdin.end(stdin);
  return { child, stdout: () => stdout, stderr: () => stderr, exit: () => exit, exited };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** SIGTERM to tsx (which passes it on to the server), then SIGKILL to the whole group after 10 seconds. */
async function stop(proc: Proc | undefined): Promise<void> {
  if (!proc || proc.exit()) return;
  proc.child.kill("SIGTERM");
  try {
    // The server gives requests in flight 5 s and running jobs their time; a busy CI machine needs more.
    await withTimeout(proc.exited, 25_000, () => "did not stop on SIGTERM");
  } catch {
    try {
      process.kill(-proc.child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    await withTimeout(proc.exited, 5_000, () => "did not die on SIGKILL").catch(() => undefined);
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(skipBrowser)("a newcomer sets up Luisterpost: CLI admin, TOTP, a municipality and an interviewer in Chromium", () => {
  let dataDir: string;
  let env: Record<string, string>;
  let baseUrl: string;
  let cli: Proc | undefined;
  let server: Proc | undefined;
  let browser: Browser | undefined;
  let admin: Page;
  let iris: Page;
  const contexts: BrowserContext[] = [];
  /** Secrets seen during the run (TOTP keys, the invitation link's token); none may reach the logs. */
  const secrets: string[] = [];
  /** Problems the browser reported on any page: failed requests, console errors, script errors. */
  const problems: string[] = [];
  /** Every page checked, as "step name: path". */
  const visited: string[] = [];
  const axeResults: Array<{ page: string; violations: number }> = [];
  let shot = 0;
  /**
   * The steps are one journey: once a step throws, the later ones are skipped instead of failing too. A page's
   * axe or width problem is a soft failure: it fails its step, but the journey goes on to check the rest.
   */
  let failedStep: string | undefined;
  function step(name: string, run: () => Promise<void> | void): void {
    it(name, async (ctx) => {
      if (failedStep) ctx.skip(`an earlier step failed: ${failedStep}`);
      try {
        await run();
      } catch (err) {
        failedStep = name;
        throw err;
      }
    }, 60_000);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "luisterpost-onboarding-"));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    env = {
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      HOME: process.env.HOME ?? dataDir,
      NODE_ENV: "development",
      DATABASE_URL: `sqlite:${path.join(dataDir, "lp.sqlite")}`,
      DATA_DIR: dataDir,
      PORT: String(port),
      BASE_URL: baseUrl,
    };
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
    await browser?.close();
    await stop(cli);
    await stop(server);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function newPhonePage(): Promise<Page> {
    const context = await browser!.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: "nl-NL" });
    contexts.push(context);
    // Well under the step's timeout, so a missing element fails with Playwright's own explanation.
    context.setDefaultTimeout(10_000);
    const page = watchPage(await context.newPage(), problems);
    return page;
  }

  /** axe finds no WCAG 2.1 AA violation, nothing is wider than the phone, and a screenshot is kept. */
  async function checkPage(page: Page, name: string): Promise<void> {
    const where = new URL(page.url()).pathname;
    visited.push(`${name}: ${where}`);
    const file = await screenshot(page, `onboarding-${String(++shot).padStart(2, "0")}-${name}`);
    // Soft: the journey goes on, so one run reports every page's problems; the step still fails.
    const violations = await runAxe(page);
    axeResults.push({ page: name, violations: violations.length });
    expect.soft(violations.map((v) => v.id), `axe on ${name} (${where}), screenshot ${file}:\n${describeViolations(violations)}`).toEqual([]);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect.soft(width, `${name} (${where}) scrolls sideways on a ${PHONE.width}px phone, screenshot ${file}`).toBeLessThanOrEqual(PHONE.width);
    expect(await page.locator("h1").count(), `${name} has one h1`).toBe(1);
    expect(problems, `browser problems up to ${name}`).toEqual([]);
  }

  /** The same page at a laptop's size (where staff mostly work): axe and a screenshot, then back to the phone. */
  async function checkDesktop(page: Page, name: string): Promise<void> {
    await page.setViewportSize(LAPTOP);
    try {
      const file = await screenshot(page, `onboarding-${String(shot).padStart(2, "0")}-${name}-desktop`);
      const violations = await runAxe(page);
      axeResults.push({ page: `${name} (${LAPTOP.width}×${LAPTOP.height})`, violations: violations.length });
      expect.soft(violations.map((v) => v.id), `axe on ${name} at ${LAPTOP.width}px, screenshot ${file}:\n${describeViolations(violations)}`).toEqual([]);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect.soft(width, `${name} scrolls sideways at ${LAPTOP.width}px, screenshot ${file}`).toBeLessThanOrEqual(LAPTOP.width);
    } finally {
      await page.setViewportSize(PHONE);
    }
  }

  /** Clicks a submit button and waits for the document the POST leads to (after any redirect). */
  async function submit(page: Page, button: string, expectedPath: RegExp): Promise<Response> {
    const [post] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && r.request().resourceType() === "document"),
      page.getByRole("button", { name: button, exact: true }).click(),
    ]);
    // A 303 continues with a GET; a re-rendered form (400) stays on the POST's address.
    await page.waitForURL(expectedPath, { waitUntil: "load" });
    return post;
  }

  async function heading(page: Page): Promise<string> {
    return ((await page.locator("h1").textContent()) ?? "").trim();
  }

  async function fillLogin(page: Page, who: { email: string; password: string }): Promise<void> {
    await page.getByLabel("E-mailadres").fill(who.email);
    await page.getByLabel("E-mailadres").press("Tab");
    await page.getByLabel("Wachtwoord", { exact: true }).fill(who.password);
    await page.getByLabel("Wachtwoord", { exact: true }).press("Tab");
  }

  /** On the forced TOTP page: read the key, type the app's code, see 10 recovery codes, continue. */
  async function setUpTotp(page: Page, who: string): Promise<void> {
    expect(new URL(page.url()).pathname).toBe("/staff/account/totp");
    expect(await heading(page)).toBe("Tweestapsverificatie instellen");
    expect(await page.locator("img.lp-qr").evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    const shown = ((await page.locator("code.lp-secret").textContent()) ?? "").trim();
    expect(shown, "the key is shown in groups of four").toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
    const secret = shown.replace(/\s+/g, "");
    secrets.push(secret);
    await checkPage(page, `${who}-totp-setup`);

    await page.getByLabel("Code uit de app").fill(totpCode(secret));
    const post = await submit(page, "Instellen", /\/staff\/account\/totp$/);
    expect(post.status()).toBe(200);
    await page.locator("h1", { hasText: "Uw herstelcodes" }).waitFor();
    const codes = await page.locator("ul.lp-codes li code").allTextContents();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    await checkPage(page, `${who}-recovery-codes`);
  }

  step("1. the CLI creates the first platform administrator from a password on stdin", async () => {
    cli = startCli(["user", "add", "--email", ADMIN.email, "--role", "admin", "--name", ADMIN.name, "--password-stdin"], env, ADMIN.password);
    const exit = await withTimeout(cli.exited, 30_000, () => `user add did not exit\n${cli!.stderr()}`);
    expect(exit.code, cli.stderr()).toBe(0);
    expect(cli.stderr()).toContain("Gebruiker aangemaakt: platformbeheerder.");
    expect(cli.stdout(), "no invitation link: the password came from stdin").toBe("");
  });

  step("2. serve starts on the same database and answers /healthz", async () => {
    server = startCli(["serve"], env);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const exit = server.exit();
      if (exit) throw new Error(`serve exited (${JSON.stringify(exit)}) before it was healthy\n${server.stderr()}`);
      const res = await fetch(`${baseUrl}/healthz`).catch(() => undefined);
      if (res?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`serve was not healthy within 30 s (last: ${res?.status ?? "no answer"})\n${server.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 100)); // polling interval, not an assertion
    }
  });

  step("3. the administrator logs in, is sent to set up TOTP, keeps 10 recovery codes and reaches /staff", async () => {
    admin = await newPhonePage();
    const response = await admin.goto(`${baseUrl}/staff/login`);
    expect(response?.status()).toBe(200);
    expect(await heading(admin)).toBe("Inloggen voor medewerkers");
    await checkPage(admin, "login");

    await fillLogin(admin, ADMIN);
    await submit(admin, "Inloggen", /\/staff\/account\/totp$/);
    expect(await admin.locator("main").textContent(), "the forced set-up explains why").toContain("Stel dat nu eerst in.");
    await setUpTotp(admin, "admin");

    await Promise.all([admin.waitForURL(`${baseUrl}/staff`), admin.getByRole("link", { name: "Ik heb de codes bewaard" }).click()]);
    expect(await heading(admin)).toBe(`Welkom, ${ADMIN.name}`);
    expect(await admin.getByRole("navigation", { name: "Menu voor medewerkers" }).isVisible()).toBe(true);
    await checkPage(admin, "staff-home");
  });

  step("4. the administrator adds GM0327 Leusden; a malformed code is refused in Dutch next to the field", async () => {
    await Promise.all([admin.waitForURL(/\/staff\/platform\/municipalities$/), admin.getByRole("link", { name: "Gemeenten", exact: true }).first().click()]);
    expect(await heading(admin)).toBe("Gemeenten");
    expect(await admin.locator("main").textContent()).toContain("Er zijn nog geen gemeenten.");
    await checkPage(admin, "municipalities-empty");

    await admin.getByLabel("Gemeentecode (CBS)").fill("GM0327");
    await admin.getByLabel("Naam", { exact: true }).fill("Leusden");
    await submit(admin, "Gemeente toevoegen", /\/staff\/platform\/municipalities\?melding=toegevoegd$/);
    expect(await admin.getByRole("status").textContent()).toContain("De gemeente is toegevoegd.");
    const rows = admin.locator("table.lp-table tbody tr");
    expect(await rows.count()).toBe(1);
    expect((await rows.first().locator("td").allTextContents()).map((t) => t.trim())).toEqual(["Leusden", "GM0327", "0"]);
    await checkPage(admin, "municipality-added");

    await admin.getByLabel("Gemeentecode (CBS)").fill("GM327");
    await admin.getByLabel("Naam", { exact: true }).fill("Nergensdorp");
    const post = await submit(admin, "Gemeente toevoegen", /\/staff\/platform\/municipalities$/);
    expect(post.status()).toBe(400);
    const code = admin.getByLabel("Gemeentecode (CBS)");
    expect(await code.getAttribute("aria-invalid")).toBe("true");
    expect(await code.inputValue(), "what was typed is kept").toBe("GM327");
    const error = admin.locator("#field-code-error");
    expect(await error.textContent()).toContain("GM gevolgd door vier cijfers");
    expect((await code.getAttribute("aria-describedby"))?.split(" ")).toContain("field-code-error");
    expect(await admin.getByLabel("Naam", { exact: true }).getAttribute("aria-invalid")).toBeNull();
    // Nothing was added: still only Leusden.
    expect(await rows.count()).toBe(1);
    expect((await rows.first().locator("td").first().textContent())?.trim()).toBe("Leusden");
    await checkPage(admin, "municipality-bad-code");
  });

  let invitationHref = "";

  step("5a. the administrator invites Iris as interviewer for Leusden; the e-mail is in the outbox with a working link", async () => {
    await Promise.all([admin.waitForURL(/\/staff\/platform\/users$/), admin.getByRole("link", { name: "Alle gebruikers", exact: true }).first().click()]);
    expect(await heading(admin)).toBe("Alle gebruikers");
    await checkPage(admin, "users");

    await admin.getByLabel("Naam", { exact: true }).fill(IRIS.name);
    await admin.getByLabel("E-mailadres").fill(IRIS.email);
    await admin.getByLabel("Gemeente", { exact: true }).selectOption("GM0327");
    await admin.getByLabel("Rol bij die gemeente").selectOption("interviewer");
    await submit(admin, "Gebruiker toevoegen", /\/staff\/platform\/users\?melding=uitgenodigd$/);
    expect(await admin.getByRole("status").textContent()).toContain("De gebruiker is toegevoegd en krijgt een e-mail om een wachtwoord te kiezen.");
    const irisRow = admin.locator("table.lp-table tbody tr", { hasText: IRIS.email });
    expect(await irisRow.count()).toBe(1);
    expect(await irisRow.textContent()).toContain("Uitgenodigd");
    await checkPage(admin, "user-invited");
    // The widest table, with its action buttons, also at a laptop's size.
    await checkDesktop(admin, "user-invited");

    await Promise.all([admin.waitForURL(/\/staff\/outbox$/), admin.getByRole("link", { name: "Outbox", exact: true }).click()]);
    expect(await heading(admin)).toBe("Outbox");
    const mail = admin.locator("table.lp-table tbody tr", { hasText: IRIS.email });
    expect(await mail.count()).toBe(1);
    await checkPage(admin, "outbox");

    await Promise.all([admin.waitForURL(/\/staff\/outbox\/\d+$/), mail.getByRole("link").click()]);
    expect(await admin.locator("dl").textContent()).toContain(IRIS.email);
    // The text has two links: the invitation, and the login page for afterwards (without the full stop after it).
    const links = admin.locator("[data-testid=outbox-text] a");
    const hrefs = await links.evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
    expect(hrefs).toHaveLength(2);
    expect(hrefs[1]).toBe(`${baseUrl}/staff/login`);
    const link = links.first();
    invitationHref = (await link.getAttribute("href")) ?? "";
    expect(await link.textContent(), "the link shows where it goes").toBe(invitationHref);
    expect(invitationHref).toMatch(new RegExp(`^${baseUrl.replace(/[.]/g, "\\.")}/staff/password/[A-Za-z0-9_-]{20,}$`));
    secrets.push(invitationHref.split("/").pop()!);
    await checkPage(admin, "outbox-message");

    // The link works when followed from the message (looking does not use it up).
    await Promise.all([admin.waitForURL(invitationHref), link.click()]);
    expect(await heading(admin)).toBe("Welkom bij Luisterpost");
    expect(await admin.locator("main").textContent()).toContain(IRIS.email);

    // The administrator is done and logs out.
    await admin.goto(`${baseUrl}/staff`);
    await submit(admin, "Uitloggen", /\/staff\/login\?melding=uitgelogd$/);
    expect(await admin.getByRole("status").textContent()).toContain("U bent uitgelogd.");
  });

  step("5b. Iris chooses a password through the link, logs in, sets up TOTP and lands on Leusden's page", async () => {
    // Iris on her own device: a fresh browser with no cookies.
    iris = await newPhonePage();
    const response = await iris.goto(invitationHref);
    expect(response?.status()).toBe(200);
    expect(await heading(iris)).toBe("Welkom bij Luisterpost");
    expect(await iris.locator("main").textContent()).toContain(IRIS.email);
    await checkPage(iris, "iris-choose-password");

    await iris.getByLabel("Nieuw wachtwoord").fill(IRIS.password);
    await iris.getByLabel("Typ het wachtwoord nog een keer").fill(IRIS.password);
    await submit(iris, "Wachtwoord opslaan", /\/staff\/login\?melding=wachtwoord-ingesteld$/);
    expect(await iris.getByRole("status").textContent()).toContain("Uw wachtwoord is ingesteld. Log in met uw nieuwe wachtwoord.");
    await checkPage(iris, "iris-login-password-set");

    await fillLogin(iris, IRIS);
    await submit(iris, "Inloggen", /\/staff\/account\/totp$/);
    await setUpTotp(iris, "iris");

    await Promise.all([iris.waitForURL(`${baseUrl}/staff/m/GM0327`), iris.getByRole("link", { name: "Ik heb de codes bewaard" }).click()]);
    expect(await heading(iris)).toBe("Gemeente Leusden");
    expect(await iris.locator(".utrecht-pre-heading").textContent()).toBe("Interviewer");
    const nav = iris.getByRole("navigation", { name: "Menu voor medewerkers" });
    expect(await nav.getByRole("link", { name: "Alle gebruikers" }).count(), "no platform administration for an interviewer").toBe(0);
    await checkPage(iris, "iris-municipality");

    // The invitation link worked once only.
    const again = await iris.goto(invitationHref);
    expect(again?.status()).toBe(410);
  });

  step("6. every page was checked with axe at 375×812 (and the users page at 1280×800)", () => {
    expect(visited.map((v) => v.split(":")[0])).toEqual([
      "login",
      "admin-totp-setup",
      "admin-recovery-codes",
      "staff-home",
      "municipalities-empty",
      "municipality-added",
      "municipality-bad-code",
      "users",
      "user-invited",
      "outbox",
      "outbox-message",
      "iris-choose-password",
      "iris-login-password-set",
      "iris-totp-setup",
      "iris-recovery-codes",
      "iris-municipality",
    ]);
    const failing = axeResults.filter((r) => r.violations > 0);
    console.info(`[onboarding] axe (WCAG 2.1 A/AA) on ${axeResults.length} pages: ${failing.length === 0 ? "no violations" : failing.map((r) => `${r.page}: ${r.violations}`).join(", ")}`);
    expect(failing).toEqual([]);
  });

  step("7. the logs never contain the e-mail addresses, passwords, TOTP keys or the invitation token", async () => {
    expect(server, "serve was started").toBeDefined();
    expect(secrets).toHaveLength(3);
    // Stopped first, so the asynchronous log destination has written everything; a clean stop exits 0.
    await stop(server);
    expect(server!.exit(), server!.stderr()).toEqual({ code: 0, signal: null });
    const logs = [
      { name: "user add (stderr)", text: cli!.stderr() },
      { name: "serve (stderr)", text: server!.stderr() },
      { name: "serve (stdout)", text: server!.stdout() },
    ];
    // The request log did record the journey, so its silence about personal data means something.
    expect(server!.stderr()).toMatch(/"path":"\/staff\/platform\/users"/);
    const forbidden = [ADMIN.email, IRIS.email, ADMIN.password, IRIS.password, ...secrets];
    for (const log of logs) {
      for (const value of forbidden) {
        expect(log.text.toLowerCase().includes(value.toLowerCase()), `${log.name} contains "${value}"`).toBe(false);
      }
    }
  });
});
