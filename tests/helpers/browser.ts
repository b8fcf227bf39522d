// Real-browser tests: Debian's Chromium driven by playwright-core. No browser is ever downloaded; a machine
// without /usr/bin/chromium skips the browser suites (and fails under CI=true, see tests/helpers/services.ts).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Result } from "axe-core";
import { chromium, type Browser, type Page } from "playwright-core";

export const chromiumPath = "/usr/bin/chromium";

/** Whether Debian's Chromium is installed (apt-get install -y chromium). */
export function chromiumAvailable(): boolean {
  return existsSync(chromiumPath);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

const axeSource = (() => {
  let source: string | undefined;
  return () => (source ??= readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8"));
})();

/** The WCAG 2.1 A and AA rules: the level Dutch government sites must meet. */
export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/**
 * Runs axe-core on the page and returns its violations (empty when the page passes).
 *
 * The app's Content-Security-Policy (script-src 'self') blocks page.addScriptTag({ content }), because that
 * adds an inline <script>. page.evaluate() runs the source through the DevTools protocol instead, which the
 * page's CSP does not govern, so the page is tested under its real CSP. Creating the context with
 * bypassCSP: true would also work, but would hide CSP mistakes of the app itself from these tests.
 */
export async function runAxe(page: Page): Promise<Result[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === "object");
  if (!loaded) await page.evaluate(axeSource());
  return page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: typeof import("axe-core") }).axe;
    const results = await axe.run({ runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return results.violations;
  }, AXE_TAGS);
}

/** The violations as readable lines, for assertion messages. */
export function describeViolations(violations: Result[]): string {
  return violations
    .map((v) => `${v.id} (${v.impact ?? "?"}): ${v.help}\n${v.nodes.map((n) => `  ${n.target.join(" ")}: ${n.failureSummary ?? ""}`).join("\n")}`)
    .join("\n");
}

/** Folder for screenshots: ARTIFACTS_DIR when set, else tests/artifacts/ (git-ignored). */
export function artifactsDir(): string {
  return process.env.ARTIFACTS_DIR || path.resolve(import.meta.dirname, "..", "artifacts");
}

/** Writes a full-page PNG named <name>.png into the artifacts folder and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = artifactsDir();
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^a-z0-9._-]+/gi, "-")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Chromium cancels a page's favicon request (net::ERR_ABORTED) when the next navigation starts before it
 * finished; that is the browser's doing, not a failed request of ours.
 */
export function isCancelledFavicon(request: { url(): string; failure(): { errorText: string } | null }): boolean {
  return request.url().includes("/favicon") && (request.failure()?.errorText ?? "").includes("ERR_ABORTED");
}

/**
 * Collects what a page reports that a test should fail on: failed requests (but a cancelled favicon), 4xx/5xx
 * sub-resources (the document's own 4xx, a form with errors, is expected), script errors and console errors.
 */
export function watchPage(page: Page, problems: string[]): Page {
  page.on("requestfailed", (request) => {
    if (!isCancelledFavicon(request)) problems.push(`failed: ${request.url()} ${request.failure()?.errorText ?? ""}`);
  });
  page.on("response", (response) => {
    if (response.request().resourceType() !== "document" && response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
  });
  page.on("console", (message) => {
    // A failed resource is reported by the listeners above already.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  return page;
}
