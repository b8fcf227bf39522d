// The regional comparison: only municipalities that agreed to share appear, only with aggregated and
// suppressed figures (a small municipality "< 10", the complementary rule across municipalities, the region's
// total), for platform administrators and the region readers they appoint — nobody else, not even a
// municipality's own reader. Granting and revoking is audited; bad input gets a Dutch message.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { lastEndedQuarter, type Period } from "../../server/reports/period.ts";
import { REPORT_SETTINGS } from "../../server/reports/reports.schema.ts";
import { regionComparison } from "../../server/reports/region.service.ts";
import { writeSettings } from "../../server/settings/settings.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { csrfFor, makeMunicipality, makeUser, signIn, type Agent, type TestUser } from "../helpers/staff.ts";
import { respondents, staffOf } from "./helpers.ts";

let t: TestApp;
let period: Period;
let platform: Agent;
let regional: TestUser;
let sharing: MunicipalityRow[];
let secret: MunicipalityRow;
const db = () => t.database.db;

async function share(m: MunicipalityRow, on: boolean) {
  expect((await writeSettings(db(), m.id, REPORT_SETTINGS, { threshold: 10, shareRegionally: on, notifyDelayDays: 0 }, null)).ok).toBe(true);
}

beforeAll(async () => {
  t = await createTestApp();
  period = lastEndedQuarter(new Date());
  const a = await makeMunicipality(db(), { name: "Aaldorp" });
  const b = await makeMunicipality(db(), { name: "Beekstad" });
  const d = await makeMunicipality(db(), { name: "Duindorp" });
  secret = await makeMunicipality(db(), { name: "Geheimdorp" });
  await respondents(db(), t.catalog, a, period, 30, (i) => ({ answers: { wmo_wist_waar: i < 21 ? 4 : 2, rapportcijfer: 8 } }));
  await respondents(db(), t.catalog, b, period, 25, () => ({ answers: { wmo_wist_waar: 5, rapportcijfer: 6 } }));
  await respondents(db(), t.catalog, d, period, 4);
  await respondents(db(), t.catalog, secret, period, 40, (i) => ({ team: `Team Xqgeheim ${i}` }));
  sharing = [a, b, d];
  for (const m of sharing) await share(m, true);
  platform = await signIn(t.app, await makeUser(db(), { platformAdmin: true }));
  regional = await makeUser(db(), { name: "Regina Regio", email: "regio@regio.example.test" });
});

afterAll(async () => {
  await t?.close();
});

describe("the regional comparison", () => {
  it("compares the sharing municipalities' suppressed percentages, never rows, and leaves the others out", async () => {
    const comparison = await regionComparison(db(), t.catalog, period);
    expect(comparison.municipalities).toBe(3);
    const wmo = comparison.sections.find((s) => s.id === "wmo")!;
    expect(wmo.lines.map((l) => [l.name, l.respondents])).toEqual([
      ["Aaldorp", { value: 30, hidden: null }],
      ["Beekstad", { value: null, hidden: "complementary" }],
      ["Duindorp", { value: null, hidden: "small" }],
    ]);
    expect(wmo.total.respondents).toEqual({ value: 59, hidden: null });
    const first = (line: (typeof wmo.lines)[number]) => line.statements.find((s) => s.key === "wmo_wist_waar")!;
    expect(first(wmo.lines[0]!)).toEqual({ key: "wmo_wist_waar", n: { value: 30, hidden: null }, pct: 70 });
    expect(first(wmo.lines[1]!).pct).toBeNull();
    expect(first(wmo.lines[2]!).pct).toBeNull();
    expect(first(wmo.total)!.n).toEqual({ value: 59, hidden: null });
    expect(wmo.lines[0]!.grade).toBe(8);
    expect(wmo.lines[1]!.grade).toBeNull();

    const page = await platform.get("/staff/region").query({ periode: period.key });
    expect(page.status).toBe(200);
    for (const name of ["Aaldorp", "Beekstad", "Duindorp"]) expect(page.text).toContain(name);
    expect(page.text).not.toContain("Geheimdorp");
    expect(page.text).not.toContain("Xqgeheim");
    expect(page.text).toContain("&lt; 10");
    expect(page.text).toContain("×");
    expect(page.text).toContain("Regio (alle gemeenten hierboven)");
  });

  it("stops showing a municipality that stops sharing", async () => {
    await share(sharing[2]!, false);
    const comparison = await regionComparison(db(), t.catalog, period);
    const wmo = comparison.sections.find((s) => s.id === "wmo")!;
    expect(wmo.lines.map((l) => l.name)).toEqual(["Aaldorp", "Beekstad"]);
    expect(wmo.lines.map((l) => l.respondents.value)).toEqual([30, 25]);
    await share(sharing[2]!, true);
  });

  it("is for platform administrators and region readers only; the platform administrator appoints them", async () => {
    const anonymous = await request(t.app).get("/staff/region");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/staff\/login/);
    const municipalReader = await staffOf(t, sharing[0]!, "reader");
    expect((await municipalReader.get("/staff/region")).status).toBe(403);
    const before = await signIn(t.app, regional);
    const refused = await before.get("/staff/region");
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("Alleen platformbeheerders en regiolezers");
    expect((await before.get("/staff/region/readers")).status).toBe(403);

    const csrf = await csrfFor(platform, "/staff/region/readers");
    const unknown = await platform.post("/staff/region/readers").type("form").send({ _csrf: csrf, email: "niemand@example.test" });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain("Er is geen gebruiker met dit e-mailadres");
    const bad = await platform.post("/staff/region/readers").type("form").send({ _csrf: csrf, email: "geen adres" });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("Vul het e-mailadres van een bestaande gebruiker in.");
    const granted = await platform.post("/staff/region/readers").type("form").send({ _csrf: csrf, email: "Regio@Regio.example.test" });
    expect(granted.status).toBe(303);
    const list = await platform.get("/staff/region/readers");
    expect(list.text).toContain("Regina Regio");
    // The new region reader gets the link by e-mail (here the dev outbox), nothing else.
    const mail = await db()("dev_outbox").where({ category: "region-reader", recipient: "regio@regio.example.test" });
    expect(mail).toHaveLength(1);
    expect(mail[0].body_text).toContain("/staff/region");
    const again = await platform.post("/staff/region/readers").type("form").send({ _csrf: csrf, email: "regio@regio.example.test" });
    expect(again.headers.location).toContain("melding=al");
    expect(await db()("dev_outbox").where({ category: "region-reader" })).toHaveLength(1);

    const after = await signIn(t.app, { ...regional, totpSecret: undefined });
    const allowed = await after.get("/staff/region").query({ periode: period.key });
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain("Aaldorp");
    expect(allowed.text).not.toContain("Geheimdorp");
    // A region reader manages nobody.
    const theirCsrf = await csrfFor(after, "/staff/account");
    expect((await after.post("/staff/region/readers").type("form").send({ _csrf: theirCsrf, email: "regio@regio.example.test" })).status).toBe(403);
    expect((await after.get("/staff/region").query({ periode: "2026-Q7" })).status).toBe(400);

    const revoke = await platform.post(`/staff/region/readers/${regional.user.id}/remove`).type("form").send({ _csrf: csrf });
    expect(revoke.status).toBe(303);
    expect((await after.get("/staff/region")).status).toBe(403);
    expect((await platform.post(`/staff/region/readers/${regional.user.id}/remove`).type("form").send({ _csrf: csrf })).status).toBe(404);
    expect((await platform.post("/staff/region/readers/abc/remove").type("form").send({ _csrf: csrf })).status).toBe(400);
    const actions = (await db()("audit_events").whereIn("action", ["region_reader.granted", "region_reader.revoked"]).orderBy("id").select("action", "subject_id")).map((e) => [e.action, e.subject_id]);
    expect(actions).toEqual([
      ["region_reader.granted", String(regional.user.id)],
      ["region_reader.revoked", String(regional.user.id)],
    ]);
  });
});
