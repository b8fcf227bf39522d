// The whole journey as a municipality lives it (issue 9), in headless Chromium against the app on a real port,
// with a real SMTP server on loopback and the local Twilio-compatible server:
//   1. an administrator signs in, sets the smallest number shown to its minimum and imports a CSV of 32 intakes
//      through the upload page (upload → preview → import with progress; two bad rows come back with their line);
//   2. the planner and the dispatchers run on the job queue — the app's in-process queue on SQLite, Bull on Redis
//      on PostgreSQL — and the e-mails, SMS and a letter batch go out, each exactly once;
//   3. a client opens the link from the e-mail the SMTP server received and answers in Chromium (dissatisfied,
//      consent "ja"); another follows the link in the SMS the Twilio server recorded; a third types the code from
//      the letter PDF the administrator downloaded (read with pdftotext) on /code; the other clients answer over
//      HTTP with known answers, start without finishing, open only, or do nothing;
//   4. an interviewer works a follow-up in Chromium (claim, reached, notes, themes, outcome), a colleague four more;
//   5. a reader opens the current quarter's report and downloads the PDF and the XLSX: every figure — invited,
//      delivered, opened, started and completed per channel, response rate, every statement's % and n, the themes,
//      the grade, the breakdowns, the other question, the follow-up counts — is what the plan in journey.plan.ts
//      says, shown where it may be and hidden as "< 5" or "×" where the small-number rule says so.
// Every step is photographed into the artifacts folder (named by setup and step); axe finds nothing on the
// respondent pages and the staff pages used.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import type { Browser, Page } from "playwright-core";
import request from "supertest";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { invitationSettings } from "../../server/invitations/invitations.schema.ts";
import { importsSettled } from "../../server/intake/imports.service.ts";
import { updateMunicipalityContact, type MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { periodContaining } from "../../server/reports/period.ts";
import { writeSettings } from "../../server/settings/settings.service.ts";
import { addDays, amsterdamClock, amsterdamDate } from "../../server/time.ts";
import { artifactsDir, chromiumAvailable, launchBrowser } from "../helpers/browser.ts";
import { testDialect } from "../helpers/database.ts";
import { startTestServerAtBaseUrl, type TestServer } from "../helpers/server.ts";
import { canReachRedis, skipWithout, skipWithoutPoppler, testRedisUrl } from "../helpers/services.ts";
import { linkIn, startTestSmtp, type TestSmtp } from "../helpers/smtp.ts";
import { csrfFor, makeMunicipality, makeUser, signIn, type Agent, type TestUser } from "../helpers/staff.ts";
import { startTestTwilio, type TestTwilio } from "../helpers/twilio.ts";
import {
  camera,
  completeOverHttp,
  journey,
  LAPTOP,
  logIn,
  openOverHttp,
  pages,
  pathForCode,
  PHONE,
  rowsOf,
  startOverHttp,
  startWorker,
  submit,
  waitFor,
  type Worker,
} from "./journey.helpers.ts";
import {
  AGE,
  AREA,
  badRows,
  BROWSER_CLICKS,
  COMPLEMENTARY,
  csvOf,
  expectedFunnel,
  expectedGrade,
  expectedStatements,
  expectedThemes,
  population,
  PROVISION,
  SMALL,
  STATEMENTS,
  TEAM,
  THRESHOLD,
  type Answers,
  type Client,
  type Shown,
} from "./journey.plan.ts";

const skipBrowser = skipWithout("Chromium", chromiumAvailable(), "apt-get install -y chromium");
// The second CI run sets REDIS_URL (with TEST_DATABASE_URL): then the jobs run on Bull.
const bull = Boolean(process.env.REDIS_URL);
const skipRedis = bull && skipWithout("Redis", await canReachRedis(), `start it or unset REDIS_URL (tried ${testRedisUrl})`);
const skipPdf = skipWithoutPoppler();
const setup = `${testDialect}-${bull ? "bull" : "in-process"}`;
const DAY_MS = 86_400_000;
/** expect.poll gives up after a second by default; a busy CI machine needs longer for a save to come back. */
const POLL = { timeout: 15_000 };

/** A published figure as the HTML page and the PDF write it. */
const text = (f: Shown) => (typeof f === "number" ? f.toLocaleString("nl-NL") : f);
const pctText = (p: number | null) => (p === null ? "–" : `${p.toLocaleString("nl-NL", { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`);
const dec = (v: number) => v.toLocaleString("nl-NL", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
/** The same figure in the report's JSON model. */
const figure = (f: Shown) => (typeof f === "number" ? { value: f, hidden: null } : { value: null, hidden: f === SMALL ? "small" : "complementary" });

describe.skipIf(skipBrowser || skipRedis || skipPdf)(`the whole journey in Chromium (${setup})`, () => {
  let browser: Browser;
  const tabs = pages(() => browser);
  const step = journey(() => expect(tabs.problems(), "what the browser reported (failed requests, script errors)").toEqual([]));
  const shots = camera(setup);
  let smtp: TestSmtp;
  let twilio: TestTwilio;
  let server: TestServer;
  let worker: Worker | undefined;
  let m: MunicipalityRow;
  let admin: TestUser;
  let iris: TestUser;
  let ivo: TestUser;
  let rita: TestUser;
  let adminPage: Page;
  let clients: Client[];
  let quarter: ReturnType<typeof periodContaining>;
  let letterCodes: string[] = [];
  /** The follow-ups that the answers given in Chromium made, by client. */
  const browserFollowups = new Map<string, number>();
  /** Resolves to the error, if any, so that nothing is left unhandled before step 5 looks. */
  let warmSurveyFiles: Promise<unknown> = Promise.resolve(undefined);
  const db = () => server.database.db;
  const byKey = (key: string) => clients.find((c) => c.key === key)!;
  const mobileE164 = (c: Client) => `+316${c.row.mobiel!.replace(/\D/g, "").slice(2)}`;

  beforeAll(async () => {
    smtp = await startTestSmtp();
    twilio = await startTestTwilio();
    server = await startTestServerAtBaseUrl({
      SMTP_URL: smtp.url,
      MAIL_FROM: "Luisterpost <noreply@luisterpost.example.test>",
      MAIL_RATE_PER_SECOND: "1000",
      SMS_RATE_PER_SECOND: "1000",
      ...twilio.env(),
    });
    m = await makeMunicipality(db(), { name: "Luisterveen" });
    await updateMunicipalityContact(db(), m.id, { phone: "14 0999", contactEmail: "zorgsignalen@luisterveen.example.test" });
    admin = await makeUser(db(), { name: "Anne Beheer", memberships: [{ municipalityId: m.id, role: "admin" }] });
    iris = await makeUser(db(), { name: "Iris Interviewer", memberships: [{ municipalityId: m.id, role: "interviewer" }] });
    ivo = await makeUser(db(), { name: "Ivo Interviewer", memberships: [{ municipalityId: m.id, role: "interviewer" }] });
    rita = await makeUser(db(), { name: "Rita Lezer", memberships: [{ municipalityId: m.id, role: "reader" }] });

    // The intakes are held in the current quarter (so is the report) and are due today: 21 days ago by default,
    // or, in a quarter's first three weeks, on its first day with a shorter wait. SMS may go out at any hour:
    // the test must not depend on the time of day it runs.
    const now = new Date();
    const today = amsterdamDate(now);
    quarter = periodContaining("quarter", now);
    const due = addDays(today, -21);
    const held = (i: number) => {
      const day = addDays(due, -(i % 5));
      return day > quarter.firstDay ? day : quarter.firstDay;
    };
    const waitDays = due >= quarter.firstDay ? 21 : Math.round((Date.parse(today) - Date.parse(quarter.firstDay)) / DAY_MS);
    const policy = await writeSettings(db(), m.id, invitationSettings, { waitDays, smsWindow: { start: "00:00", end: "23:59", days: [1, 2, 3, 4, 5, 6, 7] } }, null);
    expect(policy.ok).toBe(true);
    clients = population(held, Number(today.slice(0, 4)) - AGE);
    browser = await launchBrowser();
    // The app compresses the SurveyJS files at the highest setting on their first request, which takes seconds on
    // a busy 2-core machine: start it now, while the administrator works, rather than in the first
    // respondent's page load.
    warmSurveyFiles = Promise.all(
      ["survey.core.min.js", "dutch.min.js", "contrast-light.min.js", "survey-js-ui.min.js", "survey-core.fontless.min.css"].map((file) =>
        request(server.app).get(`/assets/survey/${file}`).set("accept-encoding", "br").then((res) => expect(res.status, file).toBe(200)),
      ),
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
  });

  afterAll(async () => {
    await warmSurveyFiles;
    await tabs.closeAll();
    await browser?.close();
    await importsSettled();
    await worker?.close();
    await server?.close();
    await smtp?.close();
    await twilio?.close();
  });

  step("1. the administrator signs in and sets the smallest number shown to 5, the minimum", async () => {
    adminPage = await tabs.open(LAPTOP);
    await logIn(adminPage, server.baseUrl, admin, new RegExp(`/staff/m/${m.code}$`));
    await shots.snap(adminPage, "01a-admin-municipality");
    await adminPage.goto(`${server.baseUrl}/staff/m/${m.code}/reports/settings`);
    await adminPage.getByLabel("Kleinste aantal dat we tonen").fill("4");
    expect(await submit(adminPage, "Opslaan", /\/reports\/settings$/)).toBe(400);
    expect(await adminPage.locator("main").textContent()).toContain("De grens is ten minste 5");
    await adminPage.getByLabel("Kleinste aantal dat we tonen").fill(String(THRESHOLD));
    await submit(adminPage, "Opslaan", /melding=opgeslagen/);
    expect(await adminPage.getByLabel("Kleinste aantal dat we tonen").inputValue()).toBe(String(THRESHOLD));
    await shots.check(adminPage, "01b-admin-report-settings");
  });

  step("2. the administrator imports the CSV: upload, preview, import with progress; two bad rows come back with line and reason", async () => {
    const bad = badRows(clients[0]!.row.gespreksdatum!);
    await adminPage.goto(`${server.baseUrl}/staff/m/${m.code}/imports`);
    await shots.check(adminPage, "02a-admin-import-upload");
    await adminPage.locator("#field-bestand").setInputFiles({ name: "gesprekken-reis.csv", mimeType: "text/csv", buffer: csvOf(clients, bad) });
    await Promise.all([adminPage.waitForURL(/\/imports\/\d+$/), adminPage.getByRole("button", { name: "Bestand bekijken" }).click()]);
    expect(await adminPage.locator("h1").textContent()).toBe("Voorbeeld van gesprekken-reis.csv");
    expect(await adminPage.locator(".lp-data-list").textContent()).toContain("puntkomma (;)");
    expect(await adminPage.locator("main").textContent()).toContain(clients[0]!.row.email!);
    await shots.check(adminPage, "02b-admin-import-preview");
    await submit(adminPage, "Importeren", /\/imports\/\d+$/);
    // The progress page follows the background import and shows the result when it is done.
    await adminPage.getByText(new RegExp(`^Klaar\\. ${clients.length + bad.length} regels verwerkt\\.`)).waitFor();
    expect(await adminPage.locator('[data-count="accepted"]').textContent()).toBe(String(clients.length));
    expect(await adminPage.locator('[data-count="rejected"]').textContent()).toBe("2");
    const rejected = await rowsOf(adminPage, "table:has(#rejections-caption) tbody tr");
    expect(rejected.map((r) => r[0])).toEqual([String(clients.length + 2), String(clients.length + 3)]);
    expect(rejected[0]![1]).toBe("gespreksdatum");
    await shots.check(adminPage, "02c-admin-import-done");
    await importsSettled();
    expect(await db()("conversations").where({ municipality_id: m.id }).count({ n: "*" })).toEqual([{ n: clients.length }]);
  });

  step(`3. the planner runs and the messages go out through the ${bull ? "Bull (Redis)" : "in-process"} queue, each once`, async () => {
    // Planning at 23:59 Amsterdam time would put the SMS at midnight, after the window of the test's policy.
    await waitFor(
      () => {
        const c = amsterdamClock(new Date());
        return !(c.hour === 23 && c.minute === 59);
      },
      () => "a minute other than 23:59",
      61_000,
    );
    worker = await startWorker(server, bull ? testRedisUrl : undefined);
    expect(worker.queue.driver).toBe(bull ? "bull" : "in-process");
    await worker.queue.add("plan-invitations", {}, { jobId: "plan-invitations:journey", attempts: 1 });
    const emails = clients.filter((c) => c.channel === "email").map((c) => c.row.email!);
    const numbers = clients.filter((c) => c.channel === "sms").map(mobileE164);
    const received = () => smtp.received.filter((r) => emails.includes(r.to)).length;
    const unsent = async () => (await db()("deliveries").whereIn("channel", ["email", "sms"]).whereNot({ status: "sent" }).count({ n: "*" }))[0]!.n;
    await waitFor(
      async () => received() >= emails.length && twilio.messages.length >= numbers.length && (await unsent()) === 0,
      () => `${emails.length} e-mails (have ${received()}) and ${numbers.length} SMS (have ${twilio.messages.length}) recorded as sent`,
    );
    for (const email of emails) expect(smtp.received.filter((r) => r.to === email), email).toHaveLength(1);
    for (const number of numbers) expect(twilio.messages.filter((x) => x.to === number), number).toHaveLength(1);
    const perChannel = await db()("invitations").where({ municipality_id: m.id }).select("channel").count({ n: "*" }).groupBy("channel").orderBy("channel");
    expect(perChannel).toEqual([{ channel: "email", n: 16 }, { channel: "letter", n: 6 }, { channel: "sms", n: 8 }]);
    await worker.queue.add("letter-batches", {}, { jobId: "letter-batches:journey", attempts: 1 });
    await waitFor(async () => (await db()("letter_batches").where({ municipality_id: m.id }).count({ n: "*" }))[0]!.n === 1, () => "the letter batch");
    expect(await db()("letter_batches").where({ municipality_id: m.id }).first("letters")).toEqual({ letters: 6 });
    await adminPage.goto(`${server.baseUrl}/staff/m/${m.code}/invitations`);
    expect(await adminPage.getByTestId("conversations-total").textContent()).toBe("30");
    expect(await adminPage.getByTestId("conversations-invited").textContent()).toBe("30");
    await shots.check(adminPage, "03-admin-invitations-sent");
  }, 120_000);

  step("4. the administrator downloads the letters' PDF (codes read with pdftotext) and marks them posted", async () => {
    await adminPage.goto(`${server.baseUrl}/staff/m/${m.code}/letters`);
    await shots.check(adminPage, "04a-admin-letters");
    const [download] = await Promise.all([adminPage.waitForEvent("download"), adminPage.getByRole("link", { name: /^Download PDF/ }).click()]);
    const dir = path.join(artifactsDir(), `journey-${setup}-files`);
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "brieven.pdf");
    await download.saveAs(file);
    expect(readFileSync(file).subarray(0, 5).toString()).toBe("%PDF-");
    const pdf = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
    expect(pdf).toMatch(/Proefstraat 1\b/);
    expect(pdf).toMatch(/9999 ZZ\s+VOORBEELDSTAD/);
    expect(pdf).toContain(`${server.baseUrl.replace(/^https?:\/\//, "")}/code`);
    letterCodes = [...new Set([...pdf.matchAll(/\b([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z])\b/g)].map((x) => x[1]!))];
    expect(letterCodes).toHaveLength(6);
    execFileSync("pdftoppm", ["-png", "-r", "50", "-f", "1", "-l", "1", file, path.join(dir, "brieven")]);
    await submit(adminPage, /^Verstuurd/, /melding=verstuurd/);
    expect(await adminPage.locator("main").textContent()).toContain("Verstuurd op");
    await shots.snap(adminPage, "04b-admin-letters-posted");
  });

  /** Answers the questionnaire in Chromium as BROWSER_CLICKS says; checks the pages with axe when `checkAll` is set. */
  async function answerInChromium(page: Page, name: string, options: { phone?: string; checkAll: boolean }): Promise<void> {
    const question = (title: string) => page.locator(".sd-question", { hasText: title });
    const next = async (title: string) => {
      await page.getByRole("button", { name: "Volgende" }).click();
      await expect.poll(() => page.locator(".sd-page__title").textContent(), POLL).toBe(title);
    };
    await page.locator(".sd-question").first().waitFor();
    expect(await page.locator("header").textContent()).toContain("Gemeente Luisterveen");
    // axe on each kind of respondent page once (the same pages follow an SMS link or a code).
    if (options.checkAll) await shots.check(page, `${name}-1-first-page`, PHONE.width);
    else await shots.snap(page, `${name}-1-first-page`);
    for (const [title, label] of BROWSER_CLICKS.page1) await question(title).getByText(label, { exact: true }).click();
    await next("De ondersteuning die u krijgt");
    for (const [title, label] of BROWSER_CLICKS.page2) await question(title).getByText(label, { exact: true }).click();
    await next("Wat de ondersteuning voor u betekent");
    await next("Uw oordeel");
    await question("Welk rapportcijfer").getByText(BROWSER_CLICKS.grade, { exact: true }).click();
    await next("Over het invullen");
    await next("Contact");
    await question("Mogen wij contact met u opnemen").getByText("Ja", { exact: true }).click();
    if (options.phone) {
      await question("Op welk telefoonnummer").locator("input").fill(options.phone);
      await page.keyboard.press("Tab");
    }
    if (options.checkAll) await shots.check(page, `${name}-2-consent-page`, PHONE.width);
    await page.getByRole("button", { name: "Versturen" }).click();
    await expect.poll(() => page.locator("#lp-save-status").textContent(), POLL).toBe("Uw antwoorden zijn verstuurd. Dank u wel!");
    await page.getByText("Hartelijk dank!").waitFor();
    if (options.checkAll) await shots.check(page, `${name}-3-thanks`, PHONE.width);
    else await shots.snap(page, `${name}-3-thanks`);
  }

  async function storedOf(client: Client) {
    const row = await db()("responses as r")
      .join("invitations as i", "i.id", "r.invitation_id")
      .join("clients as c", "c.id", "i.client_id")
      .where({ "c.external_id": client.row.client_id, "c.municipality_id": m.id })
      .first("r.id", "r.status", "r.mode", "r.answers", "i.client_id");
    return row ? { ...row, answers: typeof row.answers === "string" ? JSON.parse(row.answers) : row.answers } : undefined;
  }

  /** The response is stored as answered and made exactly one follow-up, whose id is kept for the interviewers. */
  async function expectFollowupFor(client: Client): Promise<void> {
    const stored = await storedOf(client);
    expect(stored).toMatchObject({ status: "completed", answers: client.answers });
    const followups = (await db()("followups").where({ response_id: stored!.id }).pluck("id")) as number[];
    expect(followups).toHaveLength(1);
    browserFollowups.set(client.key, followups[0]!);
  }

  step("5. a client opens the link in the e-mail the SMTP server received and answers in Chromium: dissatisfied, consent, a phone number", async () => {
    const warm = await warmSurveyFiles;
    if (warm) throw warm;
    const client = byKey("E01");
    const mail = smtp.received.find((r) => r.to === client.row.email)!;
    expect(mail.headers.subject).toBe("Hoe was uw gesprek met de gemeente Luisterveen?");
    const link = linkIn(mail.text);
    expect(mail.text).toContain(`${server.baseUrl}${link}`);
    const page = await tabs.open(PHONE, true);
    expect((await page.goto(`${server.baseUrl}${link}`))?.status()).toBe(200);
    await answerInChromium(page, "05-email-respondent", { phone: "06 24681357", checkAll: true });
    await expectFollowupFor(client);
    expect((await storedOf(client))!.mode).toBe("online");
    expect(await db()("client_contacts").where({ client_id: (await storedOf(client))!.client_id }).first("callback_phone")).toEqual({ callback_phone: "+31624681357" });
  });

  step("6. a client follows the link in the SMS the Twilio server recorded and answers in Chromium", async () => {
    const client = byKey("S01");
    const sms = twilio.messages.find((x) => x.to === mobileE164(client))!;
    const url = new RegExp(`${server.baseUrl.replace(/[.]/g, "\\.")}/s/[A-Za-z0-9_-]{22}`).exec(sms.body)?.[0];
    expect(url, sms.body).toBeDefined();
    const page = await tabs.open(PHONE, true);
    expect((await page.goto(url!))?.status()).toBe(200);
    await answerInChromium(page, "06-sms-respondent", { checkAll: false });
    await expectFollowupFor(client);
    expect((await storedOf(client))!.mode).toBe("sms");
  });

  step("7. a client types the paper code from the letter on /code and answers in Chromium", async () => {
    const page = await tabs.open(PHONE, true);
    await page.goto(`${server.baseUrl}/code`);
    await shots.check(page, "07a-code-page", PHONE.width);
    await page.getByLabel("Code uit uw brief").fill(letterCodes[0]!);
    await page.getByRole("button", { name: "Verder naar de vragenlijst" }).click();
    await page.waitForURL(/\/s\/c\./);
    await answerInChromium(page, "07b-letter-respondent", { phone: "06 13572468", checkAll: false });
    const completed = await db()("responses as r").join("invitations as i", "i.id", "r.invitation_id").where({ "i.municipality_id": m.id, "r.mode": "code", "r.status": "completed" }).select("r.id");
    expect(completed).toHaveLength(1);
    const followups = (await db()("followups").where({ response_id: completed[0]!.id }).pluck("id")) as number[];
    expect(followups).toHaveLength(1);
    browserFollowups.set("letter", followups[0]!);
  });

  step("8. the other clients answer over HTTP with known answers, or only start, or only open the link", async () => {
    let letters = 1;
    for (const client of clients) {
      if (client.act === "browser" || client.act === "none") continue;
      let link: string;
      if (client.channel === "email") link = linkIn(smtp.received.find((r) => r.to === client.row.email)!.text);
      else if (client.channel === "sms") link = linkIn(twilio.messages.find((x) => x.to === mobileE164(client))!.body);
      else link = await pathForCode(server, letterCodes[letters++]!);
      if (client.act === "open") await openOverHttp(server, link);
      else if (client.act === "start") await startOverHttp(server, link, client.answers!);
      else await completeOverHttp(server, link, client.answers!);
    }
    const statuses = await db()("responses as r").join("invitations as i", "i.id", "r.invitation_id").where({ "i.municipality_id": m.id }).select("r.status").count({ n: "*" }).groupBy("r.status").orderBy("r.status");
    expect(statuses).toEqual([{ status: "completed", n: 21 }, { status: "in_progress", n: 1 }]);
    expect(await db()("followups").where({ municipality_id: m.id }).count({ n: "*" })).toEqual([{ n: 10 }]);
    await adminPage.reload();
    await shots.snap(adminPage, "08-admin-invitations-answered");
  });

  let irisPage: Page;

  step("9. an interviewer signs in and works a follow-up in Chromium: claim, a reached call, notes, themes, an outcome", async () => {
    const page = (irisPage = await tabs.open(LAPTOP));
    await logIn(page, server.baseUrl, iris, new RegExp(`/staff/m/${m.code}$`));
    await Promise.all([page.waitForURL(/\/followups$/), page.getByRole("link", { name: "Verdiepingsgesprekken", exact: true }).click()]);
    expect(await page.locator("table.lp-queue tbody tr").count()).toBe(10);
    await shots.check(page, "09a-interviewer-queue");
    // She takes the one the e-mailed client's answers in Chromium made.
    const irisFollowup = browserFollowups.get("E01")!;
    await Promise.all([page.waitForURL(new RegExp(`/followups/${irisFollowup}(\\?.*)?$`)), page.getByRole("button", { name: `Gesprek ${irisFollowup} oppakken`, exact: true }).click()]);
    expect(await page.getByRole("status").first().textContent()).toContain("U heeft dit gesprek opgepakt.");
    await page.getByLabel("Gesproken: de cliënt wil het gesprek voeren").check();
    await submit(page, "Poging vastleggen", /melding=poging/);
    await page.getByLabel("Ik werd snel geholpen.").fill("Wachtte lang op een besluit en hoorde niets.");
    await page.getByLabel("Algemeen (wat verder ter sprake kwam)").fill("Wil voortaan één vaste contactpersoon.");
    await page.getByLabel("Wachttijd", { exact: true }).check();
    await page.getByLabel("Bejegening", { exact: true }).check();
    await page.getByLabel("Opgelost", { exact: true }).check();
    await submit(page, "Opslaan en afsluiten", /melding=afgesloten/);
    expect(await page.locator("main").textContent()).toContain("Uitkomst: Opgelost");
    await shots.check(page, "09b-interviewer-followup-closed");
    const row = await db()("followups").where({ id: irisFollowup }).first("status", "outcome", "claimed_by_user_id");
    expect(row).toEqual({ status: "closed", outcome: "opgelost", claimed_by_user_id: iris.user.id });
    expect(await db()("followup_themes").where({ followup_id: irisFollowup }).orderBy("theme").pluck("theme")).toEqual(["bejegening", "wachttijd"]);
  });

  step("10. a second interviewer works four more over HTTP: claim, reached, a note, a theme, solved", async () => {
    const agent: Agent = await signIn(server.app, ivo);
    const csrf = await csrfFor(agent, "/staff/account");
    // The other two made in Chromium (SMS link, paper code), then the oldest two of those made over HTTP.
    const browserMade = [browserFollowups.get("S01")!, browserFollowups.get("letter")!];
    const others = (await db()("followups").where({ municipality_id: m.id, status: "open" }).whereNotIn("id", browserMade).orderBy("id").limit(2).pluck("id")) as number[];
    const ids = [...browserMade, ...others];
    expect(ids).toHaveLength(4);
    const post = (id: number, what: string, fields: Record<string, string>) => agent.post(`/staff/m/${m.code}/followups/${id}/${what}`).type("form").send({ _csrf: csrf, ...fields });
    for (const id of ids) {
      expect((await post(id, "claim", {})).status).toBe(303);
      expect((await post(id, "attempts", { result: "reached" })).status).toBe(303);
      const closed = await post(id, "conversation", { note_algemeen: "Besproken wat beter kan.", themes: "wachttijd", action: "close", outcome: "opgelost" });
      expect(closed.status, closed.text.slice(0, 500)).toBe(303);
      expect(closed.headers.location).toContain("melding=afgesloten");
    }
    const states = await db()("followups").where({ municipality_id: m.id }).select("status").count({ n: "*" }).groupBy("status").orderBy("status");
    expect(states).toEqual([{ status: "closed", n: 5 }, { status: "open", n: 5 }]);
    await irisPage.goto(`${server.baseUrl}/staff/m/${m.code}/followups`);
    expect(await irisPage.locator("table.lp-queue tbody tr").count()).toBe(5);
    await shots.snap(irisPage, "10-interviewer-queue-after");
  });

  // --- the report ------------------------------------------------------------------------------------------------

  const completedAnswers = (): Answers[] => clients.filter((c) => c.act === "browser" || c.act === "complete").map((c) => c.answers!);

  /**
   * The funnel as published. Raw numbers from the plan; hidden cells by the rule: the letters' opened, started
   * and completed counts are under 5, and the SMS ones are hidden with them ("×") because otherwise the letters'
   * would follow from the total minus e-mail and SMS. Nothing bounced: every bounced cell is under 5.
   */
  function funnelLines(): Array<{ label: string; cells: Shown[]; rate: number | null }> {
    const f = expectedFunnel(clients);
    expect([f.email, f.sms, f.letter, f.total].map((l) => [l.invited, l.opened, l.started, l.completed])).toEqual([
      [16, 14, 13, 12],
      [8, 6, 6, 6],
      [6, 3, 3, 3],
      [30, 23, 22, 21],
    ]);
    return [
      { label: "E-mail", cells: [f.email.invited, f.email.delivered, SMALL, f.email.opened, f.email.started, f.email.completed], rate: 75 },
      { label: "Sms", cells: [f.sms.invited, f.sms.delivered, SMALL, COMPLEMENTARY, COMPLEMENTARY, COMPLEMENTARY], rate: null },
      { label: "Brief", cells: [f.letter.invited, f.letter.delivered, SMALL, SMALL, SMALL, SMALL], rate: null },
      { label: "Totaal", cells: [f.total.invited, f.total.delivered, SMALL, f.total.opened, f.total.started, f.total.completed], rate: 70 },
    ];
  }

  /**
   * The follow-ups: 10 made (3 in Chromium, 7 over HTTP), 5 worked to "opgelost" on the day, 5 untouched. Per
   * line: label, count, and the share where the table has one (undefined: that line has no share).
   */
  const FOLLOWUPS: Array<[string, Shown, number | null | undefined]> = [
    ["Aangemaakt (toestemming en een negatief antwoord)", 10, undefined],
    ["Cliënt bereikt", 5, 50],
    // Every first attempt was on time; "te laat" is 0 and so hidden, and with it the share on time.
    ["Eerste belpoging op tijd", 5, null],
    ["Eerste belpoging te laat", SMALL, undefined],
    ["Nog geen poging, termijn loopt", 5, undefined],
    ["Nog niet afgerond", 5, undefined],
    ["Dringend gemeld aan de gemeente", SMALL, undefined],
  ];
  const OUTCOMES: Array<[string, Shown, number | null]> = [
    ["Opgelost", 5, 50],
    ["Doorverwezen", SMALL, null],
    ["Signaal aan de gemeente", SMALL, null],
    ["Geen actie nodig", SMALL, null],
    ["Cliënt wil niet", SMALL, null],
    ["Niet bereikt", SMALL, null],
    ["Nog niet afgerond", 5, 50],
  ];
  /** Themes are a share of the reached clients (a follow-up can have several). */
  const THEMES: Array<[string, Shown, number | null]> = [
    ["Wachttijd", 5, 100],
    ["Bejegening", SMALL, null],
  ];
  /** By mode: 12 by e-mail link, 6 by SMS link, 3 by code; the code row is small and the SMS row goes with it. */
  const MODES: Array<[string, Shown]> = [
    ["Online (link in e-mail)", 12],
    ["Online (link in sms)", COMPLEMENTARY],
    ["Online (code uit brief)", SMALL],
  ];

  let reader: Page;
  const reportQuery = () => `periode=${quarter.key}`;

  step("11. a reader signs in and opens the current quarter's report: every figure is what the test did", async () => {
    reader = await tabs.open(LAPTOP);
    await logIn(reader, server.baseUrl, rita, new RegExp(`/staff/m/${m.code}$`));
    await Promise.all([reader.waitForURL(/\/reports$/), reader.getByRole("link", { name: "Rapporten", exact: true }).click()]);
    await reader.getByLabel("Periode", { exact: true }).selectOption(quarter.key);
    await Promise.all([reader.waitForURL(new RegExp(reportQuery())), reader.getByRole("button", { name: "Rapport tonen" }).click()]);
    const main = (await reader.locator("main").textContent())!.replace(/\s+/g, " ");
    expect(main).toContain(`Een getal onder de ${THRESHOLD} tonen we niet`);
    expect(main).toContain("Voorlopige cijfers: de periode is nog niet voorbij.");
    expect(main).toContain("21 ingevulde vragenlijsten; respons 70,0%");
    expect(main).toContain("Gesprekken in deze periode: 30, waarvan 30 met een uitnodiging.");

    const funnel = await rowsOf(reader, "table:has(#r-funnel-caption) tbody tr");
    expect(funnel).toEqual(funnelLines().map((l) => [l.label, ...l.cells.map(text), pctText(l.rate)]));

    const answers = completedAnswers();
    const statements = expectedStatements(answers);
    // The fifth question (ja/nee) was answered three times: n and % are hidden; so is "weet niet" of question 4.
    expect(statements.find((s) => s.key === "wmo_clientondersteuner")).toMatchObject({ n: SMALL, pct: null });
    expect(statements.find((s) => s.key === "wmo_samen_oplossingen")).toMatchObject({ n: 19, dontKnow: SMALL });
    const shownStatements = await rowsOf(reader, "table:has(#r-q0-st-caption) tbody tr");
    expect(shownStatements.map((r) => [r[0], r[2], r[3], r[4], r[5], r[6], r[7]])).toEqual(
      statements.map((s, i) => [String(i + 1), pctText(s.pct), s.ci ? `${dec(s.ci.low)}–${dec(s.ci.high)}` : "–", text(s.n), s.dontKnow === null ? "" : text(s.dontKnow), "–", "–"]),
    );
    const themes = expectedThemes(answers);
    expect(await rowsOf(reader, "table:has(caption:text-matches('^Thema.s Wmo')) tbody tr")).toEqual(
      ["toegang", "kwaliteit", "effect"].map((t) => [t[0]!.toUpperCase() + t.slice(1), pctText(themes[t]!), "–", "–"]),
    );
    const grade = expectedGrade(answers);
    expect(main).toContain(`Gemiddeld rapportcijfer: ${dec(grade.mean)} (n = ${grade.n}; ${pctText(grade.sufficientPct)} geeft een 6 of hoger)`);
    expect(await rowsOf(reader, "table:has(#r-q0-mode-caption) tbody tr").then((rows) => rows.map((r) => [r[0], r[1]]))).toEqual(MODES.map(([label, n]) => [label, text(n)]));
    for (const [dimension, label] of [["team", TEAM], ["area", AREA], ["provision", PROVISION], ["age_band", "75 tot 85 jaar"]] as const) {
      expect((await rowsOf(reader, `table:has(#r-q0-${dimension}-caption) tbody tr`)).map((r) => [r[0], r[1]]), dimension).toEqual([[label, "21"]]);
    }
    const followups = await rowsOf(reader, "section[aria-labelledby='r-followups'] table:first-of-type tbody tr");
    expect(followups).toEqual(FOLLOWUPS.map(([label, n, p]) => [label, text(n), p === undefined ? "" : pctText(p)]));
    expect(await rowsOf(reader, "table:has(caption:text-is('Uitkomst van de gesprekken')) tbody tr")).toEqual(OUTCOMES.map(([label, n, p]) => [label, text(n), pctText(p)]));
    expect(await rowsOf(reader, "table:has(caption:text-matches('^Thema.s in de gesprekken')) tbody tr")).toEqual(THEMES.map(([label, n, p]) => [label, text(n), pctText(p)]));
    await shots.check(reader, "11-reader-report");
  });

  step("12. the reader downloads the PDF and the XLSX (and the JSON model): the same figures in each", async () => {
    const dir = path.join(artifactsDir(), `journey-${setup}-files`);
    mkdirSync(dir, { recursive: true });
    const fetchDownload = async (label: string, name: string) => {
      const [download] = await Promise.all([reader.waitForEvent("download"), reader.getByRole("link", { name: label, exact: true }).click()]);
      const file = path.join(dir, name);
      await download.saveAs(file);
      return file;
    };

    // PDF: the lines of the funnel, statements and follow-ups as pdftotext lays them out.
    const pdfFile = await fetchDownload("PDF", "rapport.pdf");
    const pdf = execFileSync("pdftotext", ["-layout", pdfFile, "-"], { encoding: "utf8" });
    // pdftotext closes up the space in "< 5".
    const lineWith = (...cells: string[]) => new RegExp(cells.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/^< /, "<\\s*")).join("\\s+"));
    for (const l of funnelLines()) expect(pdf, `funnel ${l.label}`).toMatch(lineWith(l.label, ...l.cells.map(text), pctText(l.rate)));
    const answers = completedAnswers();
    for (const s of expectedStatements(answers)) {
      const n = text(s.n);
      expect(pdf, s.key).toMatch(lineWith(pctText(s.pct), ...(s.ci ? [`${dec(s.ci.low)}–${dec(s.ci.high)}`] : ["–"]), n));
    }
    for (const [label, n] of [...FOLLOWUPS.slice(1, 2), ...OUTCOMES.slice(0, 1), ...THEMES]) expect(pdf, label).toMatch(lineWith(label, text(n)));
    execFileSync("pdftoppm", ["-png", "-r", "50", "-f", "1", "-l", "2", pdfFile, path.join(dir, "rapport")]);

    // XLSX: the response sheet, the statements and the follow-ups, as numbers or hidden labels.
    const xlsxFile = await fetchDownload("Excel (XLSX)", "rapport.xlsx");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(readFileSync(xlsxFile) as unknown as ArrayBuffer);
    const rowsOfSheet = (name: string) => {
      const rows: unknown[][] = [];
      workbook.getWorksheet(name)!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
      return rows;
    };
    const cell = (f: Shown) => f;
    const response = rowsOfSheet("Respons");
    for (const l of funnelLines()) expect(response, `funnel ${l.label}`).toContainEqual([l.label, ...l.cells.map(cell), ...(l.rate === null ? [] : [l.rate])]);
    const sheet = rowsOfSheet("Stellingen");
    for (const s of expectedStatements(answers)) {
      const row = sheet.find((r) => r[2] === s.key)!;
      expect([row[5] ?? null, row[8], row[9] ?? null], s.key).toEqual([s.pct, cell(s.n), s.dontKnow === null ? null : cell(s.dontKnow)]);
    }
    const followupSheet = rowsOfSheet("Verdiepingsgesprekken");
    expect(followupSheet).toContainEqual(["aangemaakt", 10]);
    expect(followupSheet).toContainEqual(["cliënt bereikt", 5, 50]);
    expect(followupSheet).toContainEqual(["Opgelost", 5, 50]);

    // JSON: the model behind every format, checked as a whole where the plan says what it must be.
    const res = await reader.request.get(`${server.baseUrl}/staff/m/${m.code}/reports/download?${reportQuery()}&formaat=json`);
    expect(res.status()).toBe(200);
    const model = await res.json();
    expect(model.threshold).toBe(THRESHOLD);
    expect(model.respondents).toEqual(figure(21));
    expect(model.population).toMatchObject({ conversations: figure(30), invited: figure(30), skipped: [] });
    const stages = ["invited", "delivered", "bounced", "opened", "started", "completed"];
    const lines = [...model.funnel.channels, model.funnel.total];
    funnelLines().forEach((l, i) => {
      expect(lines[i].label).toBe(l.label);
      stages.forEach((stage, k) => expect(lines[i][stage], `${l.label} ${stage}`).toEqual(figure(l.cells[k]!)));
      expect(lines[i].rate).toBe(l.rate);
    });
    const wmo = model.questionnaires[0];
    expect(model.questionnaires).toHaveLength(1);
    expect(wmo.respondents).toEqual(figure(21));
    for (const s of expectedStatements(answers)) {
      const got = wmo.statements.find((x: { key: string }) => x.key === s.key);
      expect({ n: got.n, pct: got.pct, ci: got.ci, dontKnow: got.dontKnow }, s.key).toEqual({ n: figure(s.n), pct: s.pct, ci: s.ci, dontKnow: s.dontKnow === null ? null : figure(s.dontKnow) });
    }
    const themes = expectedThemes(answers);
    expect(Object.fromEntries(wmo.themes.map((t: { theme: string; pct: number | null }) => [t.theme, t.pct]))).toEqual(themes);
    const grade = expectedGrade(answers);
    expect({ n: wmo.grade.n, mean: wmo.grade.mean, sufficientPct: wmo.grade.sufficientPct }).toEqual({ n: figure(grade.n), mean: grade.mean, sufficientPct: grade.sufficientPct });
    expect(wmo.grade.distribution.map((d: { count: unknown }) => d.count)).toEqual(grade.distribution.map(figure));
    // The other closed question: 16 answered it, 9 "ikzelf", 7 "ikzelf met hulp", nobody "iemand anders" (a lone 0).
    const filledBy = wmo.otherQuestions.find((o: { key: string }) => o.key === "ingevuld_door");
    expect(filledBy.n).toEqual(figure(16));
    expect(filledBy.options.map((o: { value: string; count: unknown; pct: unknown }) => [o.value, o.count, o.pct])).toEqual([
      ["ikzelf", figure(9), 56.3],
      ["ikzelf_met_hulp", figure(7), 43.8],
      ["iemand_anders", figure(SMALL), null],
    ]);
    const byMode = wmo.breakdowns.find((b: { dimension: string }) => b.dimension === "mode");
    expect(byMode.rows.map((r: { label: string; respondents: unknown }) => [r.label, r.respondents])).toEqual(MODES.map(([label, n]) => [label, figure(n)]));
    const current = wmo.trend.find((p: { quarter: string }) => p.quarter === quarter.key);
    expect(current.respondents).toEqual(figure(21));
    expect(current.themes).toEqual(themes);
    expect(current.grade).toBe(grade.mean);
    for (const d of model.nonResponse) expect(d.rows.map((r: { invited: unknown; completed: unknown; rate: unknown }) => [r.invited, r.completed, r.rate]), d.dimension).toEqual([[figure(30), figure(21), 70]]);
    const f = model.followups;
    expect([f.triggered, f.reached, f.withinSla, f.lateSla, f.pendingSla, f.open, f.escalated]).toEqual(FOLLOWUPS.map(([, n]) => figure(n)));
    expect([f.reachedPct, f.withinSlaPct]).toEqual([50, null]);
    expect(f.outcomes.map((o: { label: string; count: unknown; pct: unknown }) => [o.label, o.count, o.pct])).toEqual(OUTCOMES.map(([label, n, p]) => [label, figure(n), p]));
    expect(f.themes.map((t: { label: string; count: unknown; pct: unknown }) => [t.label, t.count, t.pct])).toEqual(THEMES.map(([label, n, p]) => [label, figure(n), p]));
    expect(STATEMENTS).toHaveLength(wmo.statements.length);
  });

  step("13. nothing personal reached the logs: no address, phone number, code, link, answer text or note", async () => {
    const logs = server.logs().map((line) => JSON.stringify(line)).join("\n");
    expect(logs.length).toBeGreaterThan(0);
    const secrets = [
      ...clients.flatMap((c) => [c.row.email, c.row.mobiel, c.row.mobiel && mobileE164(c), c.row.straat && `${c.row.straat} ${c.row.huisnummer}`]),
      ...letterCodes,
      ...smtp.received.map((r) => linkIn(r.text).slice(3)),
      "24681357",
      "13572468",
      "Wachtte lang op een besluit",
      "vaste contactpersoon",
      "Besproken wat beter kan",
    ].filter((x): x is string => typeof x === "string" && x !== "");
    for (const secret of secrets) expect(logs.includes(secret), `the logs contain ${secret}`).toBe(false);
  });
});
