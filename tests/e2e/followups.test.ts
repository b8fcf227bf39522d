// Follow-up conversations in Chromium (issue 7, acceptance 2): an interviewer logs in, claims the oldest
// follow-up, looks up the phone number, logs a failed attempt, then a reached call with notes, themes and a
// quote, flags it urgent — the escalation arrives at a real SMTP server with only a link — and closes it with an
// outcome. An administrator follows the e-mailed link, acknowledges the signal and reads the service level.
// axe (WCAG 2.1 AA) finds nothing on the queue, the follow-up page, the service-level page and the settings;
// the forms are used with the keyboard where a mouse is not needed.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateMunicipalityContact, type MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { chromiumAvailable, describeViolations, launchBrowser, runAxe, screenshot, watchPage } from "../helpers/browser.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import { skipWithout } from "../helpers/services.ts";
import { startTestSmtp, type TestSmtp } from "../helpers/smtp.ts";
import { makeMunicipality, makeUser, totpCode, type TestUser } from "../helpers/staff.ts";
import { complete, DISSATISFIED } from "../followups/fixtures.ts";

declare const document: { documentElement: { scrollWidth: number } };

const skipBrowser = skipWithout("Chromium", chromiumAvailable(), "apt-get install -y chromium");
const LAPTOP = { width: 1280, height: 800 } as const;
const PHONE = { width: 375, height: 812 } as const;

describe.skipIf(skipBrowser)("an interviewer works a follow-up in Chromium, and an urgent signal reaches the municipality", () => {
  let smtp: TestSmtp;
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let m: MunicipalityRow;
  let iris: TestUser;
  let anne: TestUser;
  let irisPage: Page;
  let annePage: Page;
  const ids: { oldest: number; middle: number; newest: number } = { oldest: 0, middle: 0, newest: 0 };
  const problems: string[] = [];
  let shot = 0;
  let failedStep: string | undefined;

  function step(name: string, run: () => Promise<void>): void {
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
    smtp = await startTestSmtp();
    server = await startTestServer({ SMTP_URL: smtp.url, MAIL_FROM: "Luisterpost <noreply@luisterpost.example.test>" });
    const db = server.database.db;
    m = await makeMunicipality(db, { name: "Zilverveen" });
    await updateMunicipalityContact(db, m.id, { phone: "14 0999", contactEmail: "zorgsignalen@zilverveen.example.test" });
    iris = await makeUser(db, { name: "Iris Interviewer", memberships: [{ municipalityId: m.id, role: "interviewer" }] });
    anne = await makeUser(db, { name: "Anne Beheer", memberships: [{ municipalityId: m.id, role: "admin" }] });
    const day = 86_400_000;
    // Made newest first, so the oldest is not simply the lowest id.
    ids.newest = (await complete(server, m, { wmo_past: 2, contact_toestemming: "ja" }, { at: new Date(Date.now() - 1 * day) })).followupId!;
    ids.middle = (await complete(server, m, DISSATISFIED, { at: new Date(Date.now() - 4 * day) })).followupId!;
    ids.oldest = (await complete(server, m, DISSATISFIED, { at: new Date(Date.now() - 9 * day), phone: "06 24681357", mobile: false })).followupId!;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    await smtp?.close();
  });

  async function newPage(): Promise<Page> {
    const context = await browser.newContext({ viewport: LAPTOP, locale: "nl-NL" });
    contexts.push(context);
    context.setDefaultTimeout(10_000);
    const page = watchPage(await context.newPage(), problems);
    return page;
  }

  /** axe finds no violation at a laptop's and a phone's size, nothing scrolls sideways, one h1, a screenshot. */
  async function checkPage(page: Page, name: string): Promise<void> {
    for (const [size, viewport] of [["desktop", LAPTOP], ["phone", PHONE]] as const) {
      await page.setViewportSize(viewport);
      const file = await screenshot(page, `followups-${String(++shot).padStart(2, "0")}-${name}-${size}`);
      const violations = await runAxe(page);
      expect.soft(violations.map((v) => v.id), `axe on ${name} (${size}), screenshot ${file}:\n${describeViolations(violations)}`).toEqual([]);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect.soft(width, `${name} scrolls sideways at ${viewport.width}px, screenshot ${file}`).toBeLessThanOrEqual(viewport.width);
    }
    await page.setViewportSize(LAPTOP);
    expect(await page.locator("h1").count(), `${name} has one h1`).toBe(1);
    expect(problems, `browser problems up to ${name}`).toEqual([]);
  }

  /** Clicks a submit button and waits for the page the form leads to. */
  async function submit(page: Page, button: string, expectedPath: RegExp): Promise<number> {
    const [post] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && r.request().resourceType() === "document"),
      page.getByRole("button", { name: button, exact: true }).click(),
    ]);
    await page.waitForURL(expectedPath, { waitUntil: "load" });
    return post.status();
  }

  async function logIn(page: Page, who: TestUser): Promise<void> {
    await page.goto(`${server.baseUrl}/staff/login`);
    await page.getByLabel("E-mailadres").fill(who.email);
    await page.getByLabel("Wachtwoord", { exact: true }).fill(who.password);
    await submit(page, "Inloggen", /\/staff\/login\/code/);
    await page.getByLabel("Code", { exact: true }).fill(totpCode(who.totpSecret!));
    await submit(page, "Verder", /\/staff\/m\/GM\d{4}$/);
  }

  const followupPath = (id: number) => new RegExp(`/staff/m/${m.code}/followups/${id}(\\?.*)?(#.*)?$`);

  step("1. the interviewer logs in and opens the queue: the oldest follow-up is on top, late, with its answers", async () => {
    irisPage = await newPage();
    await logIn(irisPage, iris);
    await Promise.all([irisPage.waitForURL(/\/followups$/), irisPage.getByRole("link", { name: "Verdiepingsgesprekken", exact: true }).click()]);
    expect((await irisPage.locator("h1").textContent())?.trim()).toBe("Verdiepingsgesprekken");
    const rows = irisPage.locator("table.lp-queue tbody tr");
    expect(await rows.count()).toBe(3);
    expect(await rows.first().getByRole("link").first().textContent()).toBe(`Nr. ${ids.oldest}`);
    expect(await rows.first().textContent()).toContain("Te laat");
    expect(await rows.first().textContent()).toContain("Ik werd snel geholpen.");
    expect(await rows.first().textContent()).toContain("Nederlands");
    await checkPage(irisPage, "queue");
  });

  step("2. she claims the oldest follow-up and, on purpose, looks up the phone number", async () => {
    await Promise.all([irisPage.waitForURL(followupPath(ids.oldest)), irisPage.getByRole("button", { name: `Gesprek ${ids.oldest} oppakken` }).click()]);
    expect(await irisPage.getByRole("status").first().textContent()).toContain("U heeft dit gesprek opgepakt.");
    expect(await irisPage.locator("main").textContent()).not.toContain("24681357");
    await checkPage(irisPage, "followup-claimed");
    expect(await submit(irisPage, "Toon telefoonnummer", new RegExp(`/followups/${ids.oldest}/contact$`))).toBe(200);
    expect(await irisPage.getByTestId("phone").textContent()).toContain("+31624681357");
    expect(await irisPage.getByRole("link", { name: "+31624681357" }).getAttribute("href")).toBe("tel:+31624681357");
  });

  step("3. she logs a failed attempt, with the keyboard", async () => {
    const noAnswer = irisPage.getByLabel("Niet opgenomen", { exact: true });
    await noAnswer.focus();
    await irisPage.keyboard.press("Space");
    expect(await noAnswer.isChecked()).toBe(true);
    await irisPage.getByRole("button", { name: "Poging vastleggen" }).focus();
    const [post] = await Promise.all([irisPage.waitForResponse((r) => r.request().method() === "POST"), irisPage.keyboard.press("Enter")]);
    expect(post.status()).toBe(303);
    await irisPage.waitForURL(/melding=poging/);
    expect(await irisPage.locator("#attempts-caption + thead + tbody tr").count()).toBe(1);
    expect(await irisPage.locator("table", { has: irisPage.locator("#attempts-caption") }).textContent()).toContain("Niet opgenomen");
  });

  step("4. she reaches the client, writes notes per topic, chooses themes and saves", async () => {
    await irisPage.getByLabel("Gesproken: de cliënt wil het gesprek voeren").check();
    await submit(irisPage, "Poging vastleggen", /melding=poging/);
    await irisPage.getByLabel("Ik werd snel geholpen.").fill("Wachtte zeven weken op een besluit over huishoudelijke hulp en hoorde niets.");
    await irisPage.getByLabel("De medewerker nam mij serieus.").fill("Voelde zich afgescheept aan de telefoon.");
    await irisPage.getByLabel("Algemeen (wat verder ter sprake kwam)").fill("Wil voortaan één vaste contactpersoon.");
    await irisPage.getByLabel("Wachttijd", { exact: true }).check();
    await irisPage.getByLabel("Bejegening", { exact: true }).check();
    await submit(irisPage, "Opslaan", /melding=opgeslagen/);
    expect(await irisPage.getByLabel("Ik werd snel geholpen.").inputValue()).toContain("zeven weken");
    expect(await irisPage.getByLabel("Wachttijd", { exact: true }).isChecked()).toBe(true);
    await checkPage(irisPage, "followup-notes");
  });

  step("5. she adds a quote the client agreed to, and a quote with a phone number waits for review", async () => {
    await irisPage.getByLabel("Nieuw citaat, in de woorden van de cliënt").fill("Ik heb het gevoel dat niemand mijn aanvraag echt leest.");
    await irisPage.getByLabel("De cliënt vindt het goed dat dit anoniem in een rapport staat").check();
    await irisPage.getByLabel("Er staan geen namen, adressen of andere gegevens in waaraan iemand de cliënt kan herkennen", { exact: true }).last().check();
    await submit(irisPage, "Citaat toevoegen", /melding=citaat-goedgekeurd/);
    await irisPage.getByLabel("Nieuw citaat, in de woorden van de cliënt").fill("Bel me maar op 06-24681357 als het eindelijk geregeld is.");
    await irisPage.getByLabel("De cliënt vindt het goed dat dit anoniem in een rapport staat").check();
    await irisPage.locator("#quote-confirmed").check();
    await submit(irisPage, "Citaat toevoegen", /melding=citaat-controle/);
    expect(await irisPage.locator("mark").first().textContent()).toContain("06-24681357");
    expect(await irisPage.locator("main").textContent()).toContain("Wacht op controle: mogelijk telefoonnummer.");
  });

  step("6. she flags it urgent: the e-mail reaches the municipality's address over SMTP, with only a link", async () => {
    const before = smtp.received.length;
    await irisPage.getByLabel("De cliënt krijgt zorg of hulp die nodig is niet").check();
    await submit(irisPage, "Urgent melden bij de gemeente", /melding=urgent-verstuurd/);
    expect(smtp.received).toHaveLength(before + 1);
    const mail = smtp.received[smtp.received.length - 1]!;
    expect(mail.to).toBe("zorgsignalen@zilverveen.example.test");
    expect(mail.text).toContain(`/staff/m/${m.code}/followups/${ids.oldest}`);
    for (const secret of ["zeven weken", "afgescheept", "contactpersoon", "24681357", "niemand mijn aanvraag"]) expect(mail.text.includes(secret), secret).toBe(false);
    expect(await irisPage.locator("main").textContent()).toContain("De gemeente kreeg op");
  });

  step("7. she closes it with an outcome", async () => {
    await irisPage.getByLabel("Doorverwezen", { exact: true }).check();
    await submit(irisPage, "Opslaan en afsluiten", /melding=afgesloten/);
    expect(await irisPage.locator("main").textContent()).toContain("Uitkomst: Doorverwezen");
    const row = await server.database.db("followups").where({ id: ids.oldest }).first();
    expect(row.status).toBe("closed");
    expect(row.outcome).toBe("doorverwezen");
    expect(await server.database.db("followup_themes").where({ followup_id: ids.oldest }).orderBy("theme").pluck("theme")).toEqual(["bejegening", "wachttijd"]);
    await checkPage(irisPage, "followup-closed");
    // Back in the queue, two are left.
    await irisPage.getByRole("link", { name: "Terug naar de wachtrij" }).click();
    expect(await irisPage.locator("table.lp-queue tbody tr").count()).toBe(2);
  });

  step("8. the administrator follows the e-mailed link and acknowledges the signal", async () => {
    const mail = smtp.received[smtp.received.length - 1]!;
    const path = /https?:\/\/[^\s"<>]+?(\/staff\/m\/GM\d{4}\/followups\/\d+)/.exec(mail.text)![1]!;
    annePage = await newPage();
    await logIn(annePage, anne);
    await annePage.goto(`${server.baseUrl}${path}`);
    expect((await annePage.locator("h1").textContent())?.trim()).toBe(`Verdiepingsgesprek ${ids.oldest}`);
    await checkPage(annePage, "followup-admin-urgent");
    await submit(annePage, "Bevestigen: de gemeente pakt dit op", /melding=bevestigd/);
    expect(await annePage.locator("main").textContent()).toContain("De gemeente bevestigde op");
  });

  step("9. the administrator reads the service level, reviews the flagged quote and sees the settings", async () => {
    await annePage.goto(`${server.baseUrl}/staff/m/${m.code}/followups/service-level`);
    expect(await annePage.locator("main").textContent()).toContain("2 open, waarvan 2 nog door niemand opgepakt");
    expect(await annePage.locator("main").textContent()).toContain("Iris Interviewer");
    await checkPage(annePage, "service-level");
    await annePage.goto(`${server.baseUrl}/staff/m/${m.code}/quotes`);
    expect(await annePage.locator("main").textContent()).toContain("Te beoordelen (1)");
    await checkPage(annePage, "quotes");
    await annePage.getByLabel("Tekst zoals die in rapporten komt").fill("Bel me maar als het eindelijk geregeld is.");
    await annePage.getByLabel(/Ik heb het gecontroleerd/).check();
    await submit(annePage, "Goedkeuren", /melding=goedgekeurd/);
    await annePage.goto(`${server.baseUrl}/staff/m/${m.code}/followups/settings`);
    await checkPage(annePage, "settings");
  });
});
