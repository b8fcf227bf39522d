// Acceptance 4, and the report as people see it: the golden report's PDF is rendered to PNG pages with
// pdftoppm and saved in the artifacts folder for review; its text has the figures and the suppression labels.
// Then the report page of the staff UI and the downloaded HTML file in Chromium: no WCAG 2.1 AA violations
// (axe-core), no inline script or style blocked by the CSP, charts inline, and a print version without the
// controls (screenshots saved beside the PDF pages).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePeriod } from "../../server/reports/period.ts";
import { buildReport, renderReport } from "../../server/reports/reports.service.ts";
import { artifactsDir, chromiumAvailable, describeViolations, launchBrowser, runAxe, screenshot } from "../helpers/browser.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { skipWithout, skipWithoutPoppler } from "../helpers/services.ts";
import { makeUser, TEST_PASSWORD } from "../helpers/staff.ts";
import { loadFixture, type Loaded } from "./golden/load.ts";

declare const document: { querySelectorAll(selector: string): ArrayLike<unknown>; documentElement: { scrollWidth: number } };

let server: TestServer;
let loaded: Loaded;
let pdf: Buffer;
let html: Buffer;
const dir = path.join(artifactsDir(), "reports");

beforeAll(async () => {
  server = await startTestServer();
  loaded = await loadFixture(server.database.db, server.catalog);
  const period = parsePeriod("2026-Q3");
  if (!period.ok) throw new Error(period.message);
  const model = await buildReport(server.database.db, server.catalog, loaded.municipality, period.period, {}, { now: new Date(loaded.fixture.now) });
  pdf = await renderReport(model, "pdf");
  html = await renderReport(model, "html");
  mkdirSync(dir, { recursive: true });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

describe.skipIf(skipWithoutPoppler())("the PDF", () => {
  it("renders to PNG pages with pdftoppm, saved for review", () => {
    for (const old of readdirSync(dir).filter((f) => f.startsWith("golden-2026-Q3-page"))) rmSync(path.join(dir, old));
    const file = path.join(dir, "golden-2026-Q3.pdf");
    writeFileSync(file, pdf);
    const info = execFileSync("pdfinfo", [file], { encoding: "utf8" });
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    expect(pages).toBeGreaterThanOrEqual(6);
    expect(info).toMatch(/Title:\s+Gemeente Goudriaan – 3e kwartaal 2026/);
    execFileSync("pdftoppm", ["-r", "80", "-png", file, path.join(dir, "golden-2026-Q3-page")]);
    const pngs = readdirSync(dir).filter((f) => f.startsWith("golden-2026-Q3-page") && f.endsWith(".png"));
    expect(pngs).toHaveLength(pages);
    for (const png of pngs) expect(statSync(path.join(dir, png)).size).toBeGreaterThan(10_000);

    const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
    expect(text).toContain("Gemeente Goudriaan");
    expect(text).toContain("Ik wist waar ik moest zijn met mijn hulpvraag.");
    expect(text).toMatch(/70,0%\s+61,3–77,5\s+120/);
    expect(text).toMatch(/Wijkteam Centrum\s+< 10/);
    expect(text).toMatch(/Wijkteam Oost\s+×/);
    expect(text).toContain("Zo is gemeten");
    expect(text).toMatch(/pagina 1 van \d+/);
  });
});

const skipBrowser = skipWithout("Chromium", chromiumAvailable(), "apt-get install -y chromium");

describe.skipIf(skipBrowser)("the report in Chromium", () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("the staff page passes axe, shows the charts inline under the CSP, and prints without the controls", async () => {
    const reader = await makeUser(server.database.db, { memberships: [{ municipalityId: loaded.municipality.id, role: "reader" }] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "nl-NL" });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${server.baseUrl}/staff/login`);
    await page.fill("#field-email", reader.email);
    await page.fill("#field-password", TEST_PASSWORD);
    await Promise.all([page.waitForURL(/\/staff\/m\//), page.click("button[type=submit]")]);
    await page.goto(`${server.baseUrl}/staff/m/${loaded.municipality.code}/reports?periode=2026-Q3`);
    await page.waitForSelector("article.lp-report");
    expect(await page.evaluate(() => document.querySelectorAll("article.lp-report svg.lp-chart").length)).toBeGreaterThanOrEqual(4);
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    expect(problems).toEqual([]);
    await screenshot(page, "reports/staff-report-desktop");
    await page.setViewportSize({ width: 375, height: 800 });
    // On a phone the wide tables scroll in their own box; the page itself does not scroll sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, "reports/staff-report-phone");
    await page.setViewportSize({ width: 1000, height: 1400 });
    await page.emulateMedia({ media: "print" });
    expect(await page.isVisible(".lp-report-controls")).toBe(false);
    expect(await page.isVisible(".lp-staff-bar")).toBe(false);
    await screenshot(page, "reports/staff-report-print");
    await context.close();
  });

  it("the downloaded HTML file stands alone and passes axe", async () => {
    const file = path.join(dir, "golden-2026-Q3.html");
    writeFileSync(file, html);
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: "nl-NL" });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    expect(requests.filter((r) => !r.startsWith("file://"))).toEqual([]);
    const violations = await runAxe(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, "reports/standalone-report");
    await context.close();
    expect(existsSync(file)).toBe(true);
  });
});
