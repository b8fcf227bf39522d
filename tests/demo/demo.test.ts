// The demo municipality: a year of Voorbeeldstad made through the real code paths, checked table by table (every
// state exists), over HTTP as its staff would see it (a closed quarter's stored report with real figures, the
// follow-up queue, the funnel, letters, outbox), through the printed links and code, and for synthetic data only.
// The demo runs at a third of its size here; how long the full one takes is measured outside the tests.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueue, type JobQueue } from "../../jobs/queue.ts";
import { createApp } from "../../server/app.ts";
import { loadConfig, type Config } from "../../server/config.ts";
import { countOf, fromDbTime, fromJson, toCount } from "../../server/db.ts";
import { createDemo, DemoRefusedError, describeDemo, type DemoSummary } from "../../server/demo/demo.service.ts";
import { checkQuote } from "../../server/followups/quotes.check.ts";
import { createLogger } from "../../server/logger.ts";
import { createMailer } from "../../server/mail/mail.service.ts";
import { parsePeriod, periodContaining } from "../../server/reports/period.ts";
import type { ReportModel } from "../../server/reports/reports.model.ts";
import { reportFile } from "../../server/reports/reports.service.ts";
import { openWithToken } from "../../server/respondent/respondent.service.ts";
import { loadSurveyCatalog } from "../../server/surveys/surveys.loader.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { signIn, submitForm, type TestUser } from "../helpers/staff.ts";

let database: TestDatabase;
let summary: DemoSummary;
let config: Config;
let queue: JobQueue;
const catalog = loadSurveyCatalog();
const now = new Date();
const configFor = (url: string, env: Record<string, string> = {}) => loadConfig({ NODE_ENV: "development", LOG_LEVEL: "silent", DATA_DIR: mkdtempSync(path.join(tmpdir(), "lp-demo-")), DATABASE_URL: url, ...env });

beforeAll(async () => {
  database = await createTestDatabase();
  config = configFor(database.url);
  summary = await createDemo(database.db, config, catalog, now, { scale: 0.35 });
}, 300_000);
afterAll(async () => {
  await queue?.close();
  await database.destroy();
});

const db = () => database.db;
const municipalityId = async () => (await db()("municipalities").where({ code: "GM9999" }).first("id")).id as number;
/** Row counts per value of a column (or of several, joined with "/"; null as "-"). */
async function countsBy(table: string, columns: string[], where: Record<string, unknown> = {}): Promise<Record<string, number>> {
  const rows = await db()(table).where(where).select(columns).count({ count: "*" }).groupBy(columns);
  return Object.fromEntries(rows.map((r: Record<string, unknown>) => [columns.map((c) => String(r[c] ?? "-")).join("/"), toCount(r.count)]));
}
async function count(query: PromiseLike<Array<{ count?: unknown }>>): Promise<number> {
  return countOf(await query);
}
/** The keys that are missing (no rows) from the counts. */
const missing = (counts: Record<string, number>, ...keys: string[]) => keys.filter((k) => !(counts[k]! > 0));

function app() {
  const logger = createLogger(config);
  queue ??= createQueue({ logger });
  return createApp({ config, db: db(), queue, logger, mailer: createMailer({ config, db: db(), logger }), catalog });
}
function staff(role: string): TestUser {
  const account = summary.accounts.find((a) => a.role === role)!;
  return { email: account.email, password: account.password, totpSecret: account.totpSecret ?? undefined } as TestUser;
}

describe("the demo municipality Voorbeeldstad", () => {
  it("has staff for every role and prints how to sign in, what to fill in and where to look", async () => {
    expect(await db()("municipalities").pluck("code")).toEqual(["GM9999"]);
    expect(summary.accounts.map((a) => a.role)).toEqual(["platformbeheerder", "admin", "interviewer", "reader", "data-entry"]);
    expect(summary.accounts.filter((a) => a.totpSecret).map((a) => a.role)).toEqual(["platformbeheerder", "admin", "interviewer", "data-entry"]);
    const text = describeDemo(summary, "http://localhost:3000");
    for (const account of summary.accounts) expect(text).toContain(account.password);
    for (const secret of summary.accounts.flatMap((a) => (a.totpSecret ? [a.totpSecret] : []))) expect(text).toContain(secret);
    for (const invitation of summary.invitations) expect(text).toContain(invitation.link);
    expect(text).toContain("http://localhost:3000/code");
    expect(text).toMatch(/code [2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]/);
    for (const page of ["reports", "followups", "invitations", "letters", "phone-list", "outbox"]) expect(text).toContain(`http://localhost:3000/staff/m/GM9999/${page}`);
  });

  it("holds a year of intakes: Wmo and Jeugd, teams, areas, provisions and ages, with second conversations and every kind of skip", async () => {
    const conversations = await db()("conversations").select("law", "team", "area", "provision", "held_on", "client_id", "plan_status", "plan_reason");
    expect(conversations.length).toBeGreaterThan(200);
    expect(conversations.length).toBeLessThan(3_000);
    expect(new Set(conversations.map((c) => c.law))).toEqual(new Set(["wmo", "jeugd"]));
    expect(new Set(conversations.map((c) => c.team)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(conversations.map((c) => c.area)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(conversations.map((c) => c.provision)).size).toBeGreaterThanOrEqual(8);
    // Spread over the twelve months before today.
    const months = new Set(conversations.filter((c) => c.held_on >= new Date(now.getTime() - 366 * 86_400_000).toISOString().slice(0, 10)).map((c) => c.held_on.slice(0, 7)));
    expect(months.size).toBeGreaterThanOrEqual(12);
    const perClient = new Map<number, number>();
    for (const c of conversations) perClient.set(c.client_id, (perClient.get(c.client_id) ?? 0) + 1);
    expect([...perClient.values()].filter((n) => n > 1).length).toBeGreaterThan(5);
    const plans = await countsBy("conversations", ["plan_status", "plan_reason"]);
    expect(missing(plans, "invited/-", "skipped/fatigue", "skipped/opted_out", "skipped/unreachable", "skipped/too_old", "-/-")).toEqual([]);
    const birthYears = await db()("clients").pluck("birth_year");
    expect(Math.min(...birthYears)).toBeLessThan(now.getUTCFullYear() - 85);
    expect(Math.max(...birthYears)).toBeGreaterThan(now.getUTCFullYear() - 6);
    expect(await countsBy("invitations", ["audience"])).toMatchObject({ client: expect.any(Number), ouders: expect.any(Number), jongeren: expect.any(Number) });
  });

  it("has invitations in every state on every channel, deliveries in theirs, reminders, fallbacks and letter batches", async () => {
    const invitations = await countsBy("invitations", ["status"]);
    expect(missing(invitations, "planned", "sent", "completed", "expired", "opted_out", "failed")).toEqual([]);
    expect(missing(await countsBy("invitations", ["channel"]), "email", "sms", "letter", "phone")).toEqual([]);
    const deliveries = await countsBy("deliveries", ["channel", "status"]);
    expect(missing(deliveries, "email/sent", "email/bounced", "email/failed", "sms/delivered", "sms/failed", "letter/sent", "letter/batched", "phone/sent", "phone/pending")).toEqual([]);
    expect(Object.entries(deliveries).filter(([k]) => k.endsWith("/cancelled")).length).toBeGreaterThan(0);
    expect(missing(await countsBy("deliveries", ["kind"]), "invite", "reminder")).toEqual([]);
    // A failed or bounced message was followed by the same step on another channel.
    const fallbacks = db()("deliveries as failed")
      .join("deliveries as next", function () {
        this.on("next.invitation_id", "failed.invitation_id").andOn("next.sequence", "failed.sequence").andOn("next.channel", "<>", "failed.channel");
      })
      .whereIn("failed.status", ["failed", "bounced"])
      .count({ count: "*" });
    expect(await count(fallbacks)).toBeGreaterThan(0);
    // A mail server that asked to try again later: sent at the second attempt.
    expect(await count(db()("deliveries").where("attempts", ">", 1).where({ channel: "email", status: "sent" }).count({ count: "*" }))).toBeGreaterThan(0);
    const batches = await countsBy("letter_batches", ["status"]);
    expect(missing(batches, "posted", "ready")).toEqual([]);
    expect(await count(db()("letter_batches").where({ status: "ready" }).whereNotNull("pdf").count({ count: "*" }))).toBeGreaterThan(0);
    // What the funnel reads is kept in step with the invitations.
    expect(countOf(await db()("report_invitation_facts").count({ count: "*" }))).toBe(countOf(await db()("invitations").count({ count: "*" })));
  });

  it("has answers in every mode with plausible distributions: mostly positive, some negative, some don't-know, blanks, open answers", async () => {
    expect(missing(await countsBy("responses", ["mode"], { status: "completed" }), "online", "sms", "code", "paper", "phone")).toEqual([]);
    expect(await count(db()("responses").where({ status: "in_progress" }).count({ count: "*" }))).toBeGreaterThan(0);
    // Opened and left without an answer.
    expect(await count(db()("invitations as i").leftJoin("responses as r", "r.invitation_id", "i.id").whereNotNull("i.opened_at").whereNull("r.id").count({ count: "*" }))).toBeGreaterThan(0);

    const wmo = (await db()("responses as r").join("questionnaire_versions as q", "q.id", "r.questionnaire_version_id").where({ "r.status": "completed", "q.questionnaire": "wmo" }).pluck("r.answers")).map(
      (a) => fromJson<Record<string, unknown>>(a)!,
    );
    expect(wmo.length).toBeGreaterThan(60);
    const statements = wmo.flatMap((a) => Object.entries(a).filter(([k, v]) => k.startsWith("wmo_") && typeof v === "number").map(([, v]) => v as number));
    const share = (test: (v: number) => boolean) => statements.filter(test).length / statements.length;
    expect(share((v) => v >= 4)).toBeGreaterThan(0.6);
    expect(share((v) => v === 0)).toBeGreaterThan(0.01);
    const dissatisfied = wmo.filter((a) => Object.entries(a).some(([k, v]) => k.startsWith("wmo_") && (v === 1 || v === 2))).length / wmo.length;
    expect(dissatisfied).toBeGreaterThan(0.08);
    expect(dissatisfied).toBeLessThan(0.3);
    const grades = wmo.map((a) => a.rapportcijfer).filter((g): g is number => typeof g === "number");
    const mean = grades.reduce((s, g) => s + g, 0) / grades.length;
    expect(mean).toBeGreaterThan(6.5);
    expect(mean).toBeLessThan(8);
    expect(grades.some((g) => g <= 5)).toBe(true);
    expect(grades.length).toBeLessThan(wmo.length);
    expect(new Set(wmo.map((a) => a.ingevuld_door).filter(Boolean))).toEqual(new Set(["ikzelf", "ikzelf_met_hulp", "iemand_anders"]));
    expect(new Set(wmo.map((a) => a.contact_toestemming).filter(Boolean))).toEqual(new Set(["ja", "nee"]));
    expect(wmo.filter((a) => typeof a.verbetering === "string").length).toBeGreaterThan(5);
    // Every completed response is in the report facts.
    expect(countOf(await db()("report_facts").count({ count: "*" }))).toBe(countOf(await db()("responses").where({ status: "completed" }).count({ count: "*" })));
  });

  it("has follow-ups in every state with attempts, notes per topic, themes, quotes and urgent signals", async () => {
    expect(missing(await countsBy("followups", ["status"]), "open", "claimed", "closed")).toEqual([]);
    expect(missing(await countsBy("followups", ["outcome"]), "opgelost", "doorverwezen", "signaal", "geen_actie", "wil_niet", "niet_bereikt")).toEqual([]);
    expect(missing(await countsBy("followup_attempts", ["result"]), "no_answer", "voicemail", "callback", "reached", "wrong_number")).toEqual([]);
    const notReached = await db()("followups as f").join("followup_attempts as a", "a.followup_id", "f.id").where({ "f.outcome": "niet_bereikt" }).groupBy("f.id").having(db().raw("count(*) >= 3")).select("f.id");
    expect(notReached.length).toBeGreaterThan(0);
    const topics = await db()("followup_notes").distinct("topic").pluck("topic");
    expect(topics).toContain("algemeen");
    expect(topics.filter((t: string) => t !== "algemeen").length).toBeGreaterThan(3);
    expect((await db()("followup_themes").distinct("theme").pluck("theme")).length).toBeGreaterThanOrEqual(4);
    expect(missing(await countsBy("quotes", ["source", "status"]), "followup/approved", "answer/approved", "followup/pending")).toEqual([]);
    const urgent = await db()("followups").where({ urgent: true }).select("escalated_at", "acknowledged_at");
    expect(urgent.every((u) => fromDbTime(u.escalated_at) !== null)).toBe(true);
    expect(urgent.filter((u) => fromDbTime(u.acknowledged_at) !== null).length).toBe(1);
    expect(urgent.filter((u) => fromDbTime(u.acknowledged_at) === null).length).toBe(1);
    // Work of two interviewers; what is being called now is the printed interviewer's.
    expect((await db()("followups").whereNotNull("claimed_by_user_id").distinct("claimed_by_user_id")).length).toBe(2);
    const interviewer = await db()("users").where({ email: staff("interviewer").email }).first("id");
    expect(await count(db()("followups").where({ status: "claimed", claimed_by_user_id: interviewer.id }).count({ count: "*" }))).toBeGreaterThan(0);
  });

  it("closes the past quarters through the reports service: their stored reports show real figures; the current quarter is open", async () => {
    const closed = await db()("report_periods").orderBy("period").pluck("period");
    const quarters = closed.filter((p: string) => p.includes("Q"));
    expect(quarters.length).toBeGreaterThanOrEqual(3);
    expect(closed).not.toContain(periodContaining("quarter", now).key);
    const municipality = { id: await municipalityId(), code: "GM9999", name: "Voorbeeldstad" };
    for (const key of quarters) {
      const parsed = parsePeriod(key);
      if (!parsed.ok) throw new Error(key);
      const file = await reportFile(db(), catalog, municipality, parsed.period, "json", {}, now);
      expect(file.fromSnapshot).toBe(true);
      const model = JSON.parse(file.content.toString("utf8")) as ReportModel;
      expect(model.status).toBe("closed");
      const wmo = model.questionnaires.find((q) => q.id === "wmo")!;
      expect(wmo.respondents.value).toBeGreaterThanOrEqual(10);
      const shown = wmo.statements.filter((s) => s.pct !== null);
      expect(shown.length).toBeGreaterThanOrEqual(8);
      expect(shown.every((s) => s.pct! > 10 && s.pct! <= 100)).toBe(true);
      expect(wmo.grade?.mean).toBeGreaterThan(5);
      expect(model.funnel.total.invited.value).toBeGreaterThanOrEqual(10);
    }
    // The approved quotes of the year reach the reports (follow-ups and chosen open answers).
    const quotes = await Promise.all(
      closed.map(async (key: string) => {
        const file = await reportFile(db(), catalog, municipality, (parsePeriod(key) as { ok: true; period: never }).period, "json", {}, now);
        return (JSON.parse(file.content.toString("utf8")) as ReportModel).quotes.length;
      }),
    );
    expect(quotes.some((n) => n > 0)).toBe(true);
    const pdf = await reportFile(db(), catalog, municipality, (parsePeriod(quarters.at(-1)) as { ok: true; period: never }).period, "pdf", {}, now);
    expect(pdf.content.subarray(0, 5).toString()).toBe("%PDF-");

    const reader = await signIn(app(), staff("reader"));
    const page = await reader.get(`/staff/m/GM9999/reports?periode=${quarters.at(-1)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("afgesloten");
    expect(page.text).toMatch(/\d+(,\d)?\s?%/);
  });

  it("shows the interviewer a follow-up queue with work, and the administrator a filled funnel, letters, phone list and outbox", async () => {
    const interviewer = await signIn(app(), staff("interviewer"));
    const queuePage = await interviewer.get("/staff/m/GM9999/followups");
    expect(queuePage.status).toBe(200);
    expect((queuePage.text.match(/\/staff\/m\/GM9999\/followups\/\d+/g) ?? []).length).toBeGreaterThan(0);
    const admin = await signIn(app(), staff("admin"));
    for (const page of ["invitations", "letters", "phone-list", "outbox", "followups/service-level", "quotes", "conversations"]) {
      const res = await admin.get(`/staff/m/GM9999/${page}`);
      expect(res.status, page).toBe(200);
    }
    expect(missing(await countsBy("dev_outbox", ["channel", "category"]), "email/invitation", "email/reminder", "email/followup-urgent", "email/report-ready")).toEqual([]);
    expect(missing(await countsBy("dev_outbox", ["channel"]), "sms")).toEqual([]);
  });

  it("prints links and a paper code that open the questionnaire", async () => {
    expect(summary.invitations.filter((i) => i.channel === "e-mail").length).toBeGreaterThan(0);
    const web = request.agent(app());
    for (const invitation of summary.invitations) {
      const token = invitation.link.split("/s/")[1]!;
      expect((await openWithToken(db(), token)).kind).toBe("ok");
      expect((await web.get(`/s/${token}`)).status).toBe(200);
      const survey = await web.get(`/s/${token}/survey.json`);
      expect(survey.status).toBe(200);
      expect(survey.body.definition).toBeTruthy();
    }
    const letter = summary.invitations.find((i) => i.code)!;
    const typed = await submitForm(web, "/code", "/code", { code: letter.code! });
    expect(typed.status).toBe(303);
    expect((await web.get(typed.headers.location!)).status).toBe(200);
  });

  it("tells one year: nothing after now, rows stamped with their simulated moment", async () => {
    const latest = async (table: string, column: string) => fromDbTime((await db()(table).max({ at: column }))[0]!.at);
    for (const [table, column] of [
      ["conversations", "created_at"],
      ["clients", "created_at"],
      ["invitations", "created_at"],
      ["deliveries", "sent_at"],
      ["responses", "completed_at"],
      ["followups", "created_at"],
      ["followup_attempts", "attempted_at"],
      ["dev_outbox", "created_at"],
      ["letter_batches", "created_at"],
    ] as const) {
      expect((await latest(table, column))!.getTime(), `${table}.${column}`).toBeLessThanOrEqual(now.getTime() + 60_000);
    }
    const earliest = fromDbTime((await db()("conversations").min({ at: "created_at" }))[0]!.at)!;
    expect(now.getTime() - earliest.getTime()).toBeGreaterThan(300 * 86_400_000);
    const users = await db()("users").pluck("created_at");
    expect(users.every((u: unknown) => fromDbTime(u)!.getTime() <= earliest.getTime())).toBe(true);
  });

  it("holds synthetic data only: example.test addresses, 06-12 numbers, Voorbeeldlaan 9999 ZZ, free text without personal details", async () => {
    const contacts = await db()("client_contacts").select("email", "mobile", "callback_phone", "street", "postal_code", "city");
    expect(contacts.length).toBeGreaterThan(100);
    for (const c of contacts) {
      if (c.email) expect(c.email).toMatch(/^[a-z]+-\d{5}@example\.test$/);
      if (c.mobile) expect(c.mobile).toMatch(/^\+31612\d{6}$/);
      if (c.callback_phone) expect(c.callback_phone).toMatch(/^\+31612\d{6}$/);
      if (c.street) expect([c.street, c.postal_code, c.city]).toEqual(["Voorbeeldlaan", "9999 ZZ", "Voorbeeldstad"]);
    }
    expect(contacts.some((c) => c.callback_phone)).toBe(true);
    expect((await db()("users").pluck("email")).every((e: string) => e.endsWith("@voorbeeldstad.example.test"))).toBe(true);
    for (const m of await db()("dev_outbox").select("channel", "recipient")) expect(m.recipient).toMatch(m.channel === "sms" ? /^\+31612\d{6}$/ : /@(voorbeeldstad\.)?example\.test$/);
    const texts = [
      ...(await db()("followup_notes").pluck("text")),
      ...(await db()("responses").pluck("answers")).flatMap((a) => Object.values(fromJson<Record<string, unknown>>(a) ?? {}).filter((v): v is string => typeof v === "string" && v.length > 12)),
    ];
    for (const text of texts) expect(text).not.toMatch(/@|\d{6,}|[1-9]\d{3} ?[A-Z]{2}\b/);
    for (const quote of await db()("quotes").where({ status: "approved" }).pluck("text")) expect(checkQuote(quote)).toEqual([]);
  });

  it("refuses a database that is not empty, and production", async () => {
    await expect(createDemo(db(), configFor(database.url), catalog)).rejects.toBeInstanceOf(DemoRefusedError);
    const production = configFor(database.url, { NODE_ENV: "production", SESSION_SECRET: "s".repeat(40), BASE_URL: "https://lp.example.test" });
    await expect(createDemo(db(), production, catalog)).rejects.toThrow(/productie/);
  });
});
