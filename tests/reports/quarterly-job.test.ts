// The quarterly job: when a quarter has ended, each municipality's readers and administrators get an e-mail
// through a real SMTP server with a link to the quarter's report — not the report, not a figure from it —
// once per person and quarter however often the job runs; a refused message is retried on the next run, a
// municipality with nothing to report or still in its waiting days gets nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quarterlyReportsJob } from "../../jobs/quarterly-reports.job.ts";
import { SCHEDULES } from "../../jobs/schedules.ts";
import { setUserActive } from "../../server/accounts/users.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { lastEndedQuarter, type Period } from "../../server/reports/period.ts";
import { REPORT_SETTINGS } from "../../server/reports/reports.schema.ts";
import { writeSettings } from "../../server/settings/settings.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { startTestSmtp, type TestSmtp } from "../helpers/smtp.ts";
import { makeMunicipality, makeUser } from "../helpers/staff.ts";
import { respondents } from "./helpers.ts";

let t: TestApp;
let smtp: TestSmtp;
let quarter: Period;
let now: Date;
let a: MunicipalityRow;
const emails: Record<string, string> = {};
const db = () => t.database.db;

async function member(m: MunicipalityRow, role: "admin" | "reader" | "interviewer" | "data-entry", label: string): Promise<number> {
  const user = await makeUser(db(), { email: `${label}@gemeente.example.test`, memberships: [{ municipalityId: m.id, role }] });
  emails[label] = user.email;
  return user.user.id;
}

const deps = () => ({ db: db(), catalog: t.catalog, mailer: t.mailer, config: t.config, logger: t.logger });

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await createTestApp({ SMTP_URL: smtp.url, MAIL_FROM: "Luisterpost <noreply@luisterpost.example.test>", BASE_URL: "https://luisterpost.example.test" });
  quarter = lastEndedQuarter(new Date());
  now = new Date(quarter.end.getTime() + 86_400_000);
  a = await makeMunicipality(db(), { name: "Meldstad" });
  await respondents(db(), t.catalog, a, quarter, 14);
  await member(a, "admin", "beheer");
  await member(a, "reader", "lezer");
  await member(a, "interviewer", "interviewer");
  await member(a, "data-entry", "invoer");
  const gone = await member(a, "reader", "oud-lezer");
  await setUserActive(db(), gone, false, { actorUserId: null, actor: "test", ip: null, requestId: null });
  // Nothing happened in this municipality's quarter: no mail.
  const empty = await makeMunicipality(db(), { name: "Stilstad" });
  await member(empty, "reader", "stil");
  // This one waits 30 days after the quarter before mailing.
  const patient = await makeMunicipality(db(), { name: "Wachtdorp" });
  await respondents(db(), t.catalog, patient, quarter, 12);
  await member(patient, "reader", "wacht");
  expect((await writeSettings(db(), patient.id, REPORT_SETTINGS, { threshold: 10, shareRegionally: false, notifyDelayDays: 30 }, null)).ok).toBe(true);
});

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe("the quarterly report mail", () => {
  it("is scheduled every morning", () => {
    expect(SCHEDULES.find((s) => s.name === "quarterly-reports")?.cron).toBe("10 7 * * *");
  });

  it("mails the readers and administrators a link to the report, once, and retries a refused message", async () => {
    smtp.refuse.add(emails.lezer!);
    const first = await quarterlyReportsJob(deps(), now);
    expect(first).toMatchObject({ quarter: quarter.key, municipalities: 1, mailed: 1, failed: 1, empty: 1, waiting: 1 });
    expect(smtp.received.map((r) => r.to)).toEqual([emails.beheer]);

    smtp.refuse.clear();
    const second = await quarterlyReportsJob(deps(), now);
    expect(second).toMatchObject({ mailed: 1, failed: 0 });
    const third = await quarterlyReportsJob(deps(), new Date(now.getTime() + 3_600_000));
    expect(third).toMatchObject({ mailed: 0, failed: 0 });
    expect(smtp.received.map((r) => r.to).sort()).toEqual([emails.beheer, emails.lezer].sort());
    expect(await db()("report_notifications").where({ municipality_id: a.id, period: quarter.key }).whereNotNull("sent_at")).toHaveLength(2);

    for (const mail of smtp.received) {
      expect(mail.headers.subject).toContain("staat klaar");
      expect(mail.text).toContain(`https://luisterpost.example.test/staff/m/${a.code}/reports?periode=${quarter.key}`);
      // A link, never the report: no attachment and no figures.
      expect(mail.raw).not.toMatch(/Content-Disposition: attachment/i);
      expect(mail.raw).not.toMatch(/application\/pdf|spreadsheetml/);
      const body = mail.text.slice(mail.text.indexOf("Beste collega"));
      expect(body).not.toMatch(/%|ingevuld|vragenlijsten \d/);
    }
  });

  it("mails the waiting municipality once its waiting days are over, and nobody twice", async () => {
    const later = new Date(quarter.end.getTime() + 31 * 86_400_000);
    const run = await quarterlyReportsJob(deps(), later);
    expect(run).toMatchObject({ mailed: 1, waiting: 0 });
    expect(smtp.received.map((r) => r.to)).toContain(emails.wacht);
    expect(smtp.received.filter((r) => r.to === emails.wacht)).toHaveLength(1);
    expect(smtp.received).toHaveLength(3);
    expect(smtp.received.some((r) => [emails.interviewer, emails.invoer, emails["oud-lezer"], emails.stil].includes(r.to))).toBe(false);
  });
});
