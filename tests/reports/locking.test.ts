// Acceptance 3, period locking (invariant 6): an administrator closes a period that has ended; from then on its
// report is served from the stored bytes, byte for byte the same in every format, however many responses arrive
// later — also responses completed inside the closed period, which count in the period they arrive in and are
// noted beside the closed report and in the later one. Closing is refused before the period's end, twice, and
// for anyone but an administrator.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toDbTime } from "../../server/db.ts";
import { lastEndedQuarter, nextPeriod, periodContaining, periodLabel, type Period } from "../../server/reports/period.ts";
import { buildReport } from "../../server/reports/reports.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { csrfFor, makeMunicipality, type Agent } from "../helpers/staff.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { makeFollowup, makeRespondent } from "./factories.ts";
import { binary, respondents, staffOf, within } from "./helpers.ts";

const FORMATS = ["html", "pdf", "csv", "xlsx", "json"] as const;

let t: TestApp;
let m: MunicipalityRow;
let admin: Agent;
let reader: Agent;
let period: Period;
let made: Awaited<ReturnType<typeof respondents>>;
const db = () => t.database.db;

async function download(agent: Agent, format: string, query: Record<string, string> = {}) {
  const res = await agent.get(`/staff/m/${m.code}/reports/download`).query({ periode: period.key, formaat: format, ...query }).buffer(true).parse(binary);
  expect(res.status, `${format}: ${res.status}`).toBe(200);
  return res.body as Buffer;
}

async function closePeriod(agent: Agent, key: string) {
  const csrf = await csrfFor(agent, `/staff/m/${m.code}/reports?periode=${key}`);
  return agent.post(`/staff/m/${m.code}/reports/close`).type("form").send({ _csrf: csrf, periode: key });
}

beforeAll(async () => {
  t = await createTestApp();
  m = await makeMunicipality(db());
  period = lastEndedQuarter(new Date());
  made = await respondents(db(), t.catalog, m, period, 36, (i) => ({ team: i < 20 ? "Team Noord" : "Team Zuid" }));
  // A follow-up still open when the period is closed.
  await makeFollowup(db(), { municipalityId: m.id, responseId: made[0]!.responseId!, invitationId: made[0]!.invitationId, clientId: made[0]!.clientId, createdAt: within(period, 0.2), deadlineAt: within(period, 0.3) });
  admin = await staffOf(t, m, "admin");
  reader = await staffOf(t, m, "reader");
});

afterAll(async () => {
  await t?.close();
});

describe("closing a period", () => {
  it("is for administrators only", async () => {
    const csrf = await csrfFor(reader, `/staff/m/${m.code}/reports`);
    const res = await reader.post(`/staff/m/${m.code}/reports/close`).type("form").send({ _csrf: csrf, periode: period.key });
    expect(res.status).toBe(403);
    expect(await db()("report_periods").where({ municipality_id: m.id })).toHaveLength(0);
    const page = await reader.get(`/staff/m/${m.code}/reports?periode=${period.key}`);
    expect(page.text).not.toContain("reports/close");
  });

  it("is refused for a period that has not ended, with a clear message", async () => {
    const current = periodContaining("quarter", new Date());
    const res = await closePeriod(admin, current.key);
    expect(res.status).toBe(409);
    expect(res.text).toContain("is nog niet voorbij");
    const future = await closePeriod(admin, nextPeriod(current).key);
    expect(future.status).toBe(409);
    const bad = await closePeriod(admin, "2026-Q9");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("geen periode");
    const csrf = await csrfFor(admin, `/staff/m/${m.code}/reports`);
    const missing = await admin.post(`/staff/m/${m.code}/reports/close`).type("form").send({ _csrf: csrf });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain("Kies de periode");
  });

  it("keeps the closed report byte-identical in every format after new data arrives, and notes the late data", async () => {
    const before: Record<string, Buffer> = {};
    for (const format of FORMATS) before[format] = await download(admin, format);

    const closed = await closePeriod(admin, period.key);
    expect(closed.status).toBe(303);
    expect(closed.headers.location).toContain("melding=afgesloten");
    expect((await db()("report_snapshots").where({ municipality_id: m.id, period: period.key }).select("format")).map((r) => r.format).sort()).toEqual(["csv", "fragment", "html", "json", "pdf", "xlsx"]);
    expect(await db()("audit_events").where({ municipality_id: m.id, action: "report.period_closed" })).toHaveLength(1);

    const frozen: Record<string, Buffer> = {};
    for (const format of FORMATS) frozen[format] = await download(reader, format);
    // The JSON and CSV of the closed report carry its status; the figures are those of before.
    const frozenModel = JSON.parse(frozen.json!.toString("utf8"));
    expect(frozenModel.status).toBe("closed");
    expect(frozenModel.respondents).toEqual({ value: 36, hidden: null });
    expect(JSON.parse(before.json!.toString("utf8")).respondents).toEqual({ value: 36, hidden: null });
    const pageBefore = (await reader.get(`/staff/m/${m.code}/reports?periode=${period.key}`)).text;

    // New data: 12 responses completed in the closed period that only arrive now (typed-in paper forms), 15 in
    // the current period, the open follow-up closed, a team renamed in the intake data.
    const now = new Date();
    await db().transaction(async (trx) => {
      for (let i = 0; i < 12; i++) {
        await makeRespondent(trx, t.catalog, m.id, { invitedAt: within(period, 0.5), completedAt: within(period, 0.6), arrivedAt: now, mode: "paper", channel: "letter", team: "Team Zuid", answers: { wmo_wist_waar: 1, rapportcijfer: 2 } });
      }
      for (let i = 0; i < 15; i++) {
        await makeRespondent(trx, t.catalog, m.id, { invitedAt: new Date(now.getTime() - 3_600_000), completedAt: now, answers: { wmo_wist_waar: 5 } });
      }
    });
    await db()("followups").where({ response_id: made[0]!.responseId! }).update({ status: "closed", outcome: "opgelost", closed_at: toDbTime(new Date(Date.now() + 1000)) });
    await db()("conversations").where({ municipality_id: m.id, team: "Team Noord" }).update({ team: "Team Noord-Oost" });

    for (const format of FORMATS) {
      const after = await download(reader, format);
      expect(after.equals(frozen[format]!), `${format} changed after new data arrived`).toBe(true);
    }
    // The page shows the stored report unchanged, with the late data noted beside it.
    const pageAfter = (await reader.get(`/staff/m/${m.code}/reports?periode=${period.key}`)).text;
    const fragmentOf = (html: string) => html.slice(html.indexOf('<article class="lp-report"'), html.indexOf("</article>") + 10);
    expect(fragmentOf(pageAfter)).toBe(fragmentOf(pageBefore));
    const stored = await db()("report_snapshots").where({ municipality_id: m.id, period: period.key, format: "fragment" }).first("content");
    expect(fragmentOf(pageAfter)).toBe(fragmentOf(Buffer.from(stored.content).toString("utf8")));
    expect(pageAfter).toContain("Na het afsluiten kwamen nog 12 vragenlijsten binnen die in deze periode zijn ingevuld");
    expect(pageAfter).toContain("Na het afsluiten zijn nog minder dan 10 verdiepingsgesprekken uit deze periode afgerond");

    // The late responses count in the period they arrived in, and that report says where they came from.
    const current = periodContaining("quarter", now);
    const live = await buildReport(db(), t.catalog, m, current, {}, { now: new Date(now.getTime() + 1000) });
    expect(live.respondents).toEqual({ value: 27, hidden: null });
    expect(live.notes.join(" ")).toContain(`Hierin zitten 12 vragenlijsten uit de periode ${periodLabel(period)} (${period.key}) die pas binnenkwamen nadat die periode was afgesloten.`);

    // A filtered view of the closed period is computed now, and says so.
    const filtered = await reader.get(`/staff/m/${m.code}/reports`).query({ periode: period.key, team: "Team Zuid" });
    expect(filtered.status).toBe(200);
    expect(filtered.text).toContain("Dit is een uitsnede, berekend met de gegevens van nu");
  });

  it("cannot be closed twice", async () => {
    const again = await closePeriod(admin, period.key);
    expect(again.status).toBe(409);
    expect(again.text).toContain("al afgesloten");
    expect(await db()("report_periods").where({ municipality_id: m.id })).toHaveLength(1);
  });

  it("shows readers the closed state instead of the close button", async () => {
    const page = await admin.get(`/staff/m/${m.code}/reports?periode=${period.key}`);
    expect(page.text).toContain("Deze periode is afgesloten op");
    expect(page.text).not.toContain('action="/staff/m/' + m.code + '/reports/close"');
    expect((await request(t.app).get(`/staff/m/${m.code}/reports/download?periode=${period.key}`)).status).toBe(303);
  });
});
