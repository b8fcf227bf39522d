// The public pages in real Chromium: status, language, headings, skip link, WCAG 2.1 AA (axe-core),
// no requests to other servers, the NL Design System styles, and a municipality's theme.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { insertMunicipality } from "../../server/municipalities/municipalities.queries.ts";
import { publicDir } from "../../server/paths.ts";
import { chromiumAvailable, describeViolations, launchBrowser, runAxe, screenshot, watchPage } from "../helpers/browser.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { skipWithout } from "../helpers/services.ts";

// The callbacks given to page.evaluate() run inside Chromium. The project's tsconfig has no DOM library
// (server code must not see browser globals), so this file declares the few it uses, for itself only.
type CssStyle = { fontFamily: string; fontSize: string; backgroundColor: string; borderBottomColor: string; getPropertyValue(name: string): string };
declare const document: {
  activeElement: { id: string } | null;
  body: unknown;
  documentElement: { scrollWidth: number };
  querySelector(selector: string): unknown;
  querySelectorAll(selector: string): ArrayLike<unknown>;
  styleSheets: ArrayLike<{ href: string | null; cssRules: { length: number } }>;
};
declare const location: { href: string };
declare function getComputedStyle(element: unknown): CssStyle;

const skipBrowser = skipWithout("Chromium", chromiumAvailable(), "apt-get install -y chromium");

const VIEWPORTS = [
  { name: "phone", width: 375, height: 812, isMobile: true },
  { name: "desktop", width: 1280, height: 800, isMobile: false },
] as const;
type Viewport = (typeof VIEWPORTS)[number];

const stylesheet = readFileSync(path.join(publicDir, "css", "luisterpost.css"), "utf8");
function cssToken(name: string): string {
  const match = new RegExp(`${name}:\\s*([^;]+);`).exec(stylesheet);
  if (!match?.[1]) throw new Error(`${name} is not set in public/css/luisterpost.css`);
  return match[1].trim();
}
/** Compares font stacks regardless of quoting and spacing. */
const normalizeFontStack = (stack: string) => stack.split(",").map((f) => f.trim().replace(/^["']|["']$/g, ""));

type Opened = { context: BrowserContext; page: Page; requests: string[]; problems: string[] };

describe.skipIf(skipBrowser)("public pages in Chromium", () => {
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
  });

  /** A fresh context (empty cache) at the viewport, recording every request the page makes. */
  async function open(viewport: Viewport = VIEWPORTS[0]): Promise<Opened> {
    const context = await browser.newContext({
      viewport: { width: viewport.width, height: viewport.height },
      isMobile: viewport.isMobile,
      hasTouch: viewport.isMobile,
      locale: "nl-NL",
    });
    contexts.push(context);
    const page = await context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    watchPage(page, problems);
    return { context, page, requests, problems };
  }

  async function expectNoAxeViolations(page: Page): Promise<void> {
    const violations = await runAxe(page);
    expect(violations.map((v) => v.id), describeViolations(violations)).toEqual([]);
  }

  describe("without a municipality", () => {
    let srv: TestServer;
    beforeAll(async () => {
      srv = await startTestServer();
    });
    afterAll(async () => {
      await srv?.close();
    });

    for (const viewport of VIEWPORTS) {
      it(`home page at ${viewport.name} ${viewport.width}×${viewport.height}: 200, Dutch, one h1, a working skip link, no axe violations`, async () => {
        const { page, problems } = await open(viewport);
        const response = await page.goto(`${srv.baseUrl}/`);
        expect(response?.status()).toBe(200);
        expect(await page.getAttribute("html", "lang")).toBe("nl");
        expect(await page.locator("h1").count()).toBe(1);
        expect(await page.locator("h1").textContent()).toContain("Uw mening over de hulp van de gemeente");
        await screenshot(page, `home-${viewport.name}`);

        // Keyboard: the first Tab reaches the skip link, which is then visible; Enter moves focus to <main>.
        await page.keyboard.press("Tab");
        const skip = page.locator("a.utrecht-skip-link");
        expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
        expect(await skip.getAttribute("href")).toBe("#main");
        expect(await skip.textContent()).toContain("Direct naar de inhoud");
        const box = await skip.boundingBox();
        expect(box, "the focused skip link has a box").not.toBeNull();
        expect(box!.width).toBeGreaterThan(10);
        expect(box!.height).toBeGreaterThan(10);
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.y).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
        await screenshot(page, `home-${viewport.name}-skip-link-focused`);
        await expectNoAxeViolations(page);
        await page.keyboard.press("Enter");
        await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("main");
        expect(new URL(page.url()).hash).toBe("#main");

        // Nothing is wider than the screen (no sideways scrolling on a phone).
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        expect(problems).toEqual([]);
      });

      it(`unknown page at ${viewport.name} ${viewport.width}×${viewport.height}: the Dutch 404 page, no axe violations`, async () => {
        const { page, problems } = await open(viewport);
        const response = await page.goto(`${srv.baseUrl}/bestaat-niet`);
        expect(response?.status()).toBe(404);
        expect(await page.getAttribute("html", "lang")).toBe("nl");
        expect(await page.locator("h1").count()).toBe(1);
        expect(await page.locator("h1").textContent()).toBe("Deze pagina bestaat niet");
        expect(await page.locator("main a[href='/']").textContent()).toBe("beginpagina");
        await screenshot(page, `404-${viewport.name}`);
        await expectNoAxeViolations(page);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        expect(problems).toEqual([]);
      });
    }

    it("the pages request nothing from any other server (no external fonts or CDNs)", async () => {
      const { page, requests, problems } = await open();
      await page.goto(`${srv.baseUrl}/`);
      await page.waitForLoadState("networkidle");
      await page.goto(`${srv.baseUrl}/bestaat-niet`);
      await page.waitForLoadState("networkidle");
      // The pages and their style sheets were seen, so the listener works.
      expect(requests).toContain(`${srv.baseUrl}/`);
      expect(requests.some((url) => url.startsWith(`${srv.baseUrl}/assets/nlds/`))).toBe(true);
      const elsewhere = requests.filter((url) => !url.startsWith(`${srv.baseUrl}/`) && !url.startsWith("data:"));
      expect(elsewhere).toEqual([]);
      expect(problems).toEqual([]);
    });

    it("the page uses the NL Design System styles with Luisterpost's system font stack, colour and text size", async () => {
      const { page, problems } = await open();
      await page.goto(`${srv.baseUrl}/`);
      const styles = await page.evaluate(() => {
        const body = getComputedStyle(document.body);
        return {
          fontFamily: body.fontFamily,
          primary: body.getPropertyValue("--lp-color-primary").trim(),
          // A token only the NL Design System tokens file defines.
          nldsToken: body.getPropertyValue("--utrecht-typography-weight-scale-bold-font-weight").trim(),
          footerBackground: getComputedStyle(document.querySelector("footer")!).backgroundColor,
          paragraphFontSizes: Array.from(document.querySelectorAll("main p"), (p) => parseFloat(getComputedStyle(p).fontSize)),
          sheets: Array.from(document.styleSheets).map((sheet) => ({ href: new URL(sheet.href ?? "", location.href).pathname, rules: sheet.cssRules.length })),
        };
      });
      expect(normalizeFontStack(styles.fontFamily)).toEqual(normalizeFontStack(cssToken("--lp-font-family")));
      expect(styles.fontFamily).toMatch(/^system-ui,/);
      expect(styles.primary).toBe(cssToken("--lp-color-primary"));
      expect(styles.primary).toBe("#154273");
      expect(styles.nldsToken).toBe("700");
      // Body text is at least 18px for older readers (the tokens' default is 16px).
      expect(styles.paragraphFontSizes.length).toBeGreaterThan(0);
      expect(Math.min(...styles.paragraphFontSizes)).toBeGreaterThanOrEqual(18);
      expect(styles.footerBackground).toBe("rgb(21, 66, 115)");
      for (const sheet of ["/assets/nlds/design-tokens.css", "/assets/nlds/components.css", "/assets/css/luisterpost.css"]) {
        const loaded = styles.sheets.find((s) => s.href === sheet);
        expect(loaded, `${sheet} is loaded`).toBeDefined();
        expect(loaded!.rules, `${sheet} has rules`).toBeGreaterThan(0);
      }
      expect(problems).toEqual([]);
    });
  });

  describe("an installation with one municipality", () => {
    let srv: TestServer;
    beforeAll(async () => {
      srv = await startTestServer();
    });
    afterAll(async () => {
      await srv?.close();
    });

    it("brands the home page with the municipality's theme and name", async () => {
      const { page, requests, problems } = await open(VIEWPORTS[0]);
      await page.goto(`${srv.baseUrl}/`);
      const primary = () => page.evaluate(() => getComputedStyle(document.body).getPropertyValue("--lp-color-primary").trim());
      expect(await primary()).toBe("#154273");
      expect(await page.locator("header").textContent()).toContain("Luisterpost");

      await insertMunicipality(srv.database.db, { code: "GM0327", name: "Leusden", theme: { tokens: { "--lp-color-primary": "#0b5e2a" } } });
      await page.reload();
      expect(await primary()).toBe("#0b5e2a");
      expect((await page.locator("header").textContent())?.trim()).toBe("Gemeente Leusden");
      expect(await page.locator("header").evaluate((el) => getComputedStyle(el).borderBottomColor)).toBe("rgb(11, 94, 42)");
      expect(await page.locator("footer").evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(11, 94, 42)");
      expect(requests).toContain(`${srv.baseUrl}/theme/GM0327.css`);
      await screenshot(page, "home-phone-gemeente-leusden");
      await expectNoAxeViolations(page);

      await page.setViewportSize({ width: 1280, height: 800 });
      await screenshot(page, "home-desktop-gemeente-leusden");
      await expectNoAxeViolations(page);
      expect(problems).toEqual([]);
    });
  });
});
