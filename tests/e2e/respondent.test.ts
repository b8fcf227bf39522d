// The respondent's questionnaire in real Chromium (issue 5, acceptance 1 and 2): answer half by link, close,
// resume in a fresh browser context, complete, and find exactly what was clicked in the database; the same via
// a typed paper code; a staff-assisted phone interview; the English switch; keyboard only; and axe-core (WCAG
// 2.1 A/AA) on every page at a phone's size and at 200 % zoom, with a screenshot of each.
//
// 200 % zoom: browser zoom at 200 % on a 1280×800 window gives a layout viewport of 640×400 CSS pixels, drawn
// with two device pixels per CSS pixel. A context with viewport 640×400 and deviceScaleFactor 2 is exactly
// that (media queries, reflow and text size behave as zoomed), which CSS `zoom` on <html> is not.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { chromiumAvailable, describeViolations, launchBrowser, runAxe, screenshot, isCancelledFavicon } from "../helpers/browser.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { skipWithout } from "../helpers/services.ts";
import { makeMunicipality, makeUser, totpCode } from "../helpers/staff.ts";
import { invite as inviteIn, storedResponse, type InviteOptions } from "../respondent/fixtures.ts";

// page.evaluate() callbacks run in Chromium; the project's tsconfig has no DOM library.
declare const document: { documentElement: { scrollWidth: number }; activeElement: { tagName: string; type?: string; textContent: string | null } | null };

const skipBrowser = skipWithout("Chromium", chromiumAvailable(), "apt-get install -y chromium");

const PHONE = { name: "phone", viewport: { width: 375, height: 812 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
const ZOOM200 = { name: "zoom200", viewport: { width: 640, height: 400 }, deviceScaleFactor: 2, isMobile: false, hasTouch: false };
const DESKTOP = { name: "desktop", viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, isMobile: false, hasTouch: false };
type Device = typeof PHONE;

// What the tests click, page by page, and what must then be stored.
const PAGE1: Array<[string, string]> = [
  ["Ik wist waar ik moest zijn", "Mee eens"],
  ["Ik werd snel geholpen", "Helemaal mee eens"],
  ["De medewerker nam mij serieus", "Neutraal"],
  ["samen naar oplossingen gezocht", "Weet niet / niet van toepassing"],
  ["onafhankelijke cliëntondersteuner", "Ja"],
];
const PAGE1_STORED = { wmo_wist_waar: 4, wmo_snel_geholpen: 5, wmo_serieus: 3, wmo_samen_oplossingen: 0, wmo_clientondersteuner: "ja" };
const PAGE2: Array<[string, string]> = [["Ik vind de kwaliteit", "Niet mee eens"], ["past bij mijn hulpvraag", "Helemaal niet mee eens"]];
const PAGE2_STORED = { wmo_kwaliteit: 2, wmo_past: 1 };
const PAGE3: Array<[string, string]> = [["kan ik beter de dingen doen", "Mee eens"], ["kan ik mij beter redden", "Neutraal"], ["betere kwaliteit van leven", "Helemaal mee eens"]];
const PAGE3_STORED = { wmo_dingen_doen: 4, wmo_beter_redden: 3, wmo_kwaliteit_leven: 5 };

describe.skipIf(skipBrowser)("the respondent's questionnaire in Chromium", () => {
  let browser: Browser;
  let srv: TestServer;
  let gemeente: MunicipalityRow;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];
  const db = () => srv.database.db;

  beforeAll(async () => {
    browser = await launchBrowser();
    srv = await startTestServer();
    gemeente = await makeMunicipality(db(), { name: "Leusden" });
    await db()("municipalities").where({ id: gemeente.id }).update({ phone: "033 123 45 67" });
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.close();
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    // Every page ran under the app's real CSP: a blocked inline style or script is a console error.
    expect(problems.splice(0)).toEqual([]);
  });

  const invite = (options: InviteOptions = {}) => inviteIn(srv, gemeente, options);

  /** A fresh context (empty cache, no cookies) on the device; problems the browser reports are collected. */
  async function open(device: Device = PHONE): Promise<Page> {
    const { name: _name, ...options } = device;
    const context = await browser.newContext({ ...options, locale: "nl-NL" });
    contexts.push(context);
    const page = await context.newPage();
    page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && problems.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => {
      if (!isCancelledFavicon(r)) problems.push(`failed: ${r.url()}`);
    });
    return page;
  }

  /** axe: no WCAG 2.1 A/AA violations; nothing wider than the screen; a screenshot. */
  async function check(page: Page, name: string, device: Device = PHONE): Promise<void> {
    await screenshot(page, `respondent-${name}-${device.name}`);
    const violations = await runAxe(page);
    expect(violations.map((v) => v.id), `${name}: ${describeViolations(violations)}`).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} scrolls sideways`).toBeLessThanOrEqual(device.viewport.width);
  }

  /** Text of at least 18px in the questionnaire, and touch targets of at least 44×44 px. */
  async function checkSizes(page: Page): Promise<void> {
    const { small, tiny } = (await page.evaluate(`(() => {
      const shown = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
      const small = [...document.querySelectorAll("#lp-respondent *")]
        .filter((e) => shown(e) && [...e.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim()))
        .filter((e) => parseFloat(getComputedStyle(e).fontSize) < 18)
        .map((e) => getComputedStyle(e).fontSize + " " + e.textContent.trim().slice(0, 30));
      const targets = ".sd-rating__item, .sd-navigation__prev-btn, .sd-navigation__next-btn, .sd-navigation__complete-btn, .sd-selectbase__label, .lp-language__button";
      const tiny = [...document.querySelectorAll(targets)].filter(shown).map((e) => [e.getBoundingClientRect(), e.textContent || e.value])
        .filter(([r]) => r.width < 44 || r.height < 44).map(([r, text]) => Math.round(r.width) + "x" + Math.round(r.height) + " " + text);
      return { small, tiny };
    })()`)) as { small: string[]; tiny: string[] };
    expect(small, "text under 18px").toEqual([]);
    expect(tiny, "touch targets under 44×44").toEqual([]);
  }

  const question = (page: Page, title: string) => page.locator(".sd-question", { hasText: title });
  const pageTitle = (page: Page) => page.locator(".sd-page__title");
  const stored = (invitationId: number) => storedResponse(db(), invitationId);

  async function answer(page: Page, clicks: Array<[string, string]>): Promise<void> {
    for (const [title, label] of clicks) await question(page, title).getByText(label, { exact: true }).click();
  }

  async function next(page: Page, expectedTitle: string): Promise<void> {
    await page.getByRole("button", { name: "Volgende" }).click();
    await expect.poll(() => pageTitle(page).textContent()).toBe(expectedTitle);
  }

  async function openSurvey(page: Page, url: string): Promise<void> {
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    await page.locator(".sd-question").first().waitFor();
  }

  /** Pages 3 to 6 after resuming, then "Versturen"; the consent answer and phone differ per test. */
  async function finish(page: Page, consent: "Ja" | "Nee", phone?: string): Promise<void> {
    await answer(page, PAGE3);
    await next(page, "Uw oordeel");
    // The 1–10 grade stays ten buttons on a phone: no drop-down, no <select>.
    const grade = question(page, "Welk rapportcijfer");
    expect(await grade.locator("input[type=radio]").count()).toBe(10);
    expect(await page.locator("select, .sd-dropdown").count()).toBe(0);
    await grade.getByText("8", { exact: true }).click();
    await question(page, "Wat kan er volgens u beter").locator("textarea").fill("Sneller terugbellen, graag.");
    await page.keyboard.press("Tab");
    await next(page, "Over het invullen");
    await answer(page, [["Wie heeft deze vragenlijst ingevuld", "Ikzelf met hulp"]]);
    await next(page, "Contact");
    await answer(page, [["Mogen wij contact met u opnemen", consent]]);
    if (phone) {
      await question(page, "Op welk telefoonnummer").locator("input").fill(phone);
      await page.keyboard.press("Tab");
    }
  }

  const FINISHED = { rapportcijfer: 8, verbetering: "Sneller terugbellen, graag.", ingevuld_door: "ikzelf_met_hulp" };

  async function send(page: Page): Promise<void> {
    await page.getByRole("button", { name: "Versturen" }).click();
    await expect.poll(() => page.locator("#lp-save-status").textContent()).toBe("Uw antwoorden zijn verstuurd. Dank u wel!");
    await page.getByText("Hartelijk dank!").waitFor();
  }

  it("by link: answers half, closes, resumes in a fresh context on the right page, completes; the database holds exactly what was clicked", async () => {
    const inv = await invite();
    const first = await open(PHONE);
    await openSurvey(first, `${srv.baseUrl}/s/${inv.token}`);
    expect(await first.locator("h1").textContent()).toBe("Wat vindt u van de ondersteuning van de gemeente?");
    expect(await first.locator("header").textContent()).toContain("Gemeente Leusden");
    expect(await first.locator(".sd-root-modern").getAttribute("lang")).toBe("nl");
    await check(first, "01-first-page");
    await answer(first, PAGE1);
    await next(first, "De ondersteuning die u krijgt");
    await answer(first, PAGE2);
    await next(first, "Wat de ondersteuning voor u betekent");
    await expect.poll(async () => (await stored(inv.id))?.answers).toEqual({ ...PAGE1_STORED, ...PAGE2_STORED });
    await expect.poll(async () => (await stored(inv.id))?.current_page).toBe(2);
    await expect.poll(() => first.locator("#lp-save-status").textContent()).toBe("Uw antwoorden zijn bewaard");
    await first.context().close();

    const again = await open(PHONE);
    await openSurvey(again, `${srv.baseUrl}/s/${inv.token}`);
    expect(await pageTitle(again).textContent()).toBe("Wat de ondersteuning voor u betekent");
    expect(await again.getByText("Pagina 3 van 6").count()).toBe(1);
    await again.getByRole("button", { name: "Vorige" }).click();
    await expect.poll(() => question(again, "Ik vind de kwaliteit").locator("input[value='2']").isChecked()).toBe(true);
    expect(await question(again, "past bij mijn hulpvraag").locator("input[value='1']").isChecked()).toBe(true);
    await next(again, "Wat de ondersteuning voor u betekent");
    await finish(again, "Ja");
    await check(again, "06-consent-page");
    await send(again);
    await check(again, "07-completed");
    const row = await stored(inv.id);
    expect(row).toMatchObject({ status: "completed", mode: "online", locale: "nl" });
    expect(row!.answers).toEqual({ ...PAGE1_STORED, ...PAGE2_STORED, ...PAGE3_STORED, ...FINISHED, contact_toestemming: "ja" });
    expect((await db()("invitations").where({ id: inv.id }).first()).status).toBe("completed");

    await again.reload();
    expect(await again.locator("h1").textContent()).toBe("Dank u wel!");
    await check(again, "08-thanks");
  });

  it("by paper code (typed in lower case with dashes): resumes after typing the code again, completes, phone to contact data", async () => {
    const inv = await invite({ mobile: false, channel: "letter" });
    const page = await open(PHONE);
    await page.goto(`${srv.baseUrl}/code`);
    await check(page, "10-code-empty");
    const typed = `${inv.code.slice(0, 4)}-${inv.code.slice(4, 8)}-${inv.code.slice(8)}`.toLowerCase();
    const typo = typed.slice(0, -1) + (typed.endsWith("2") ? "3" : "2");
    await page.getByLabel("Code uit uw brief").fill(typo);
    await page.getByRole("button", { name: "Verder naar de vragenlijst" }).click();
    expect(await page.locator(".utrecht-form-field-error-message").textContent()).toContain("Deze code klopt niet");
    await check(page, "11-code-error");
    await page.getByLabel("Code uit uw brief").fill(typed);
    await page.getByRole("button", { name: "Verder naar de vragenlijst" }).click();
    await page.locator(".sd-question").first().waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/s\/c\./);
    await answer(page, PAGE1);
    await next(page, "De ondersteuning die u krijgt");
    await answer(page, PAGE2);
    await next(page, "Wat de ondersteuning voor u betekent");
    await expect.poll(async () => (await stored(inv.id))?.current_page).toBe(2);
    await page.context().close();

    const again = await open(PHONE);
    await again.goto(`${srv.baseUrl}/code`);
    await again.getByLabel("Code uit uw brief").fill(typed);
    await again.getByRole("button", { name: "Verder naar de vragenlijst" }).click();
    await expect.poll(() => pageTitle(again).textContent()).toBe("Wat de ondersteuning voor u betekent");
    await finish(again, "Ja", "06 12345678");
    await send(again);
    const row = await stored(inv.id);
    expect(row).toMatchObject({ status: "completed", mode: "code" });
    expect(row!.answers).toEqual({ ...PAGE1_STORED, ...PAGE2_STORED, ...PAGE3_STORED, ...FINISHED, contact_toestemming: "ja" });
    expect((await db()("client_contacts").where({ client_id: inv.clientId }).first()).callback_phone).toBe("+31612345678");
  });

  it("a staff-assisted phone interview by a signed-in interviewer: mode phone, entered by her", async () => {
    const inv = await invite();
    const iris = await makeUser(db(), { memberships: [{ municipalityId: gemeente.id, role: "interviewer" }] });
    const page = await open(DESKTOP);
    await page.goto(`${srv.baseUrl}/staff/m/${gemeente.code}/invitations/${inv.id}/entry?modus=phone`);
    await page.getByLabel("E-mailadres").fill(iris.email);
    await page.getByLabel("Wachtwoord", { exact: true }).fill(iris.password);
    await page.getByRole("button", { name: "Inloggen" }).click();
    await page.getByLabel("Code", { exact: true }).fill(totpCode(iris.totpSecret!));
    await page.getByRole("button", { name: "Verder" }).click();
    await page.locator(".sd-question").first().waitFor();
    expect(await page.locator(".lp-staff-entry").textContent()).toContain("Telefonisch interview");
    await check(page, "20-staff-phone-entry", DESKTOP);
    await answer(page, PAGE1);
    for (const title of ["De ondersteuning die u krijgt", "Wat de ondersteuning voor u betekent", "Uw oordeel", "Over het invullen", "Contact"]) await next(page, title);
    await answer(page, [["Mogen wij contact met u opnemen", "Nee"]]);
    await send(page);
    expect(await page.locator("#lp-staff-done").isVisible()).toBe(true);
    const row = await stored(inv.id);
    expect(row).toMatchObject({ status: "completed", mode: "phone", entered_by_user_id: iris.user.id });
    expect(row!.answers).toEqual({ ...PAGE1_STORED, contact_toestemming: "nee" });
  });

  it("the English switch changes the texts and keeps the answers; the choice is kept for the next visit", async () => {
    const inv = await invite();
    const page = await open(DESKTOP);
    await openSurvey(page, `${srv.baseUrl}/s/${inv.token}`);
    await answer(page, [PAGE1[0]!]);
    await page.getByRole("button", { name: "English" }).click();
    await expect.poll(() => pageTitle(page).textContent()).toBe("Your request for help and the conversation");
    expect(await page.locator("h1").textContent()).toBe("What do you think of the support from the municipality?");
    expect(await page.locator(".sd-root-modern").getAttribute("lang")).toBe("en");
    expect(await page.getByRole("button", { name: "English" }).getAttribute("aria-pressed")).toBe("true");
    expect(await question(page, "I knew where to go").locator("input[value='4']").isChecked()).toBe(true);
    await answer(page, [["I was helped quickly", "Strongly agree"]]);
    await expect.poll(async () => (await stored(inv.id))?.locale).toBe("en");
    await expect.poll(async () => (await stored(inv.id))?.answers).toEqual({ wmo_wist_waar: 4, wmo_snel_geholpen: 5 });
    await check(page, "30-english", DESKTOP);
    await page.context().close();

    const again = await open(DESKTOP);
    await openSurvey(again, `${srv.baseUrl}/s/${inv.token}`);
    expect(await pageTitle(again).textContent()).toBe("Your request for help and the conversation");
    await again.getByRole("button", { name: "Nederlands" }).click();
    await expect.poll(() => pageTitle(again).textContent()).toBe("Uw hulpvraag en het gesprek");
    expect(await question(again, "Ik werd snel geholpen").locator("input[value='5']").isChecked()).toBe(true);
    await expect.poll(async () => (await stored(inv.id))?.locale).toBe("nl");
  });

  it("keyboard only: a page is answered and left with Tab, Space and Enter", async () => {
    const inv = await invite();
    const page = await open(DESKTOP);
    await openSurvey(page, `${srv.baseUrl}/s/${inv.token}`);
    const focused = () => page.evaluate(() => ({ tag: document.activeElement?.tagName, type: document.activeElement?.type, text: document.activeElement?.textContent?.trim() }));
    for (let i = 0; i < 10 && (await focused()).type !== "radio"; i += 1) await page.keyboard.press("Tab");
    for (let group = 0; group < 5; group += 1) {
      expect((await focused()).type).toBe("radio");
      await page.keyboard.press("Space");
      await page.keyboard.press("Tab");
    }
    await screenshot(page, "respondent-40-keyboard-desktop");
    expect(await focused()).toMatchObject({ tag: "INPUT", type: "button" });
    await page.keyboard.press("Enter");
    await expect.poll(() => pageTitle(page).textContent()).toBe("De ondersteuning die u krijgt");
    // Focus moves to the new page's title, so the next Tab reaches its first question.
    expect(await focused()).toMatchObject({ tag: "H2", text: "De ondersteuning die u krijgt" });
    const everyFirst = { wmo_wist_waar: 5, wmo_snel_geholpen: 5, wmo_serieus: 5, wmo_samen_oplossingen: 5, wmo_clientondersteuner: "ja" };
    await expect.poll(async () => (await stored(inv.id))?.answers).toEqual(everyFirst);
    await expect.poll(async () => (await stored(inv.id))?.current_page).toBe(1);
  });

  it("keeps answers while offline and says so; sends once despite a double click; shows a refusal (422) in Dutch", async () => {
    const inv = await invite();
    const page = await open(PHONE);
    await openSurvey(page, `${srv.baseUrl}/s/${inv.token}`);
    const status = () => page.locator("#lp-save-status").textContent();
    await page.context().setOffline(true);
    await answer(page, [PAGE1[0]!]);
    await expect.poll(status, { timeout: 10_000 }).toBe("Niet bewaard — controleer uw internetverbinding; we proberen het opnieuw");
    await screenshot(page, "respondent-60-offline-phone");
    await page.context().setOffline(false);
    await expect.poll(status, { timeout: 15_000 }).toBe("Uw antwoorden zijn bewaard");
    expect((await stored(inv.id))?.answers).toEqual({ wmo_wist_waar: 4 });

    // A payload the server refuses (a rating of 9, as a tampered page would send): the reasons, nothing stored.
    await page.route("**/progress", (route) => route.continue({ postData: JSON.stringify({ answers: { wmo_wist_waar: 9 }, currentPage: 0, locale: "nl" }) }));
    await answer(page, [PAGE1[1]!]);
    await page.locator("#lp-errors").waitFor();
    expect(await page.locator("#lp-errors").textContent()).toContain("Niet bewaard. Deze antwoorden passen niet bij de vragenlijst:");
    expect(await page.locator("#lp-errors").textContent()).toContain("klopt niet");
    await check(page, "61-refused");
    expect((await stored(inv.id))?.answers).toEqual({ wmo_wist_waar: 4 });
    await page.unroute("**/progress");
    await answer(page, [PAGE1[2]!]);
    await expect.poll(() => page.locator("#lp-errors").isHidden()).toBe(true);
    await expect.poll(async () => (await stored(inv.id))?.answers).toEqual({ wmo_wist_waar: 4, wmo_snel_geholpen: 5, wmo_serieus: 3 });

    for (const title of ["De ondersteuning die u krijgt", "Wat de ondersteuning voor u betekent", "Uw oordeel", "Over het invullen", "Contact"]) await next(page, title);
    const completes: number[] = [];
    page.on("response", (r) => r.url().endsWith("/complete") && completes.push(r.status()));
    await page.context().setOffline(true);
    const button = page.getByRole("button", { name: "Versturen" });
    await button.click();
    await expect.poll(status, { timeout: 10_000 }).toBe("Niet verstuurd — controleer uw internetverbinding; we proberen het opnieuw");
    await button.click();
    await page.context().setOffline(false);
    await expect.poll(status, { timeout: 15_000 }).toBe("Uw antwoorden zijn verstuurd. Dank u wel!");
    expect(completes).toEqual([200]);
    // The requests that failed while offline were the point; nothing else may have failed.
    const offline = problems.filter((p) => /^failed: .*\/(progress|complete)$/.test(p));
    expect(offline.length).toBeGreaterThan(0);
    problems.splice(0, problems.length, ...problems.filter((p) => !offline.includes(p)));
    expect(await stored(inv.id)).toMatchObject({ status: "completed", answers: { wmo_wist_waar: 4, wmo_snel_geholpen: 5, wmo_serieus: 3 } });
  });

  for (const device of [PHONE, ZOOM200]) {
    it(`at ${device.name}: the questionnaire's pages, the code page and the error pages have no axe violations and no sideways scrolling`, async () => {
      const inv = await invite();
      const page = await open(device);
      await openSurvey(page, `${srv.baseUrl}/s/${inv.token}`);
      await check(page, "50-first-page", device);
      await checkSizes(page);
      for (const title of ["De ondersteuning die u krijgt", "Wat de ondersteuning voor u betekent", "Uw oordeel"]) await next(page, title);
      expect(await page.locator("select").count()).toBe(0);
      expect(await question(page, "Welk rapportcijfer").locator("input[type=radio]").count()).toBe(10);
      await check(page, "51-rating-page", device);
      await checkSizes(page);
      for (const title of ["Over het invullen", "Contact"]) await next(page, title);
      await check(page, "52-consent-page", device);
      await page.goto(`${srv.baseUrl}/code`);
      await check(page, "53-code", device);

      const expired = await invite({ expiresAt: new Date(Date.now() - 1000) });
      const optedOut = await invite();
      await db()("clients").where({ id: optedOut.clientId }).update({ opted_out_at: new Date().toISOString() });
      const pages: Array<[string, string, string]> = [
        ["54-unknown", "AAAAAAAAAAAAAAAAAAAAAA", "Deze link werkt niet"],
        ["55-expired", expired.token, "Deze vragenlijst is gesloten"],
        ["56-opted-out", optedOut.token, "U doet niet mee aan dit onderzoek"],
      ];
      for (const [name, token, heading] of pages) {
        await page.goto(`${srv.baseUrl}/s/${token}`);
        expect(await page.locator("h1").textContent()).toBe(heading);
        await check(page, name, device);
      }
    });
  }
});
