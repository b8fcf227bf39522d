// The audit-log page: an administrator reads and filters their own municipality's trail, and nothing else.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upsertMembership } from "../../server/accounts/accounts.queries.ts";
import { insertAuditEvent } from "../../server/audit/audit.queries.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality, makeUser, signIn, type Agent, type TestUser } from "../helpers/staff.ts";

let t: TestApp;
let agent: Agent;
let code: string;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  const a = await makeMunicipality(db, { name: "Gemeente Aa" });
  const b = await makeMunicipality(db, { name: "Gemeente Bee" });
  code = a.code;
  admin = await makeUser(db, { name: "Ada Admin", memberships: [{ municipalityId: a.id, role: "admin" }] });
  const colleague = await makeUser(db, { name: "Cor Collega", memberships: [{ municipalityId: a.id, role: "reader" }] });
  const stranger = await makeUser(db, { name: "Stijn Vreemd", memberships: [{ municipalityId: b.id, role: "reader" }] });
  const bureau = await makeUser(db, { name: "Bas Bureau", memberships: [{ municipalityId: b.id, role: "interviewer" }] });
  await upsertMembership(db, bureau.user.id, a.id, "interviewer");

  const at = (day: string) => new Date(`${day}T10:00:00Z`);
  await insertAuditEvent(db, { action: "apikey.created", municipalityId: a.id, actorUserId: admin.user.id, actor: admin.email, details: { name: "MARKER-A-KEY" } }, at("2026-10-01"));
  await insertAuditEvent(db, { action: "apikey.created", municipalityId: b.id, actor: "MARKER-B-ACTOR", details: { name: "MARKER-B-KEY" } }, at("2026-10-02"));
  await insertAuditEvent(db, { action: "login.failed", actorUserId: colleague.user.id, actor: "MARKER-COLLEAGUE" }, at("2026-10-03"));
  await insertAuditEvent(db, { action: "login.succeeded", actorUserId: stranger.user.id, actor: "MARKER-STRANGER" }, at("2026-10-04"));
  await insertAuditEvent(db, { action: "login.succeeded", actorUserId: bureau.user.id, actor: "MARKER-BUREAU" }, at("2026-10-05"));
  await insertAuditEvent(db, { action: "user.deactivated", actor: "platform", subjectType: "user", subjectId: colleague.user.id }, at("2026-10-06"));
  await insertAuditEvent(db, { action: "membership.added", municipalityId: b.id, actor: "MARKER-B-MEMBERSHIP", subjectType: "user", subjectId: bureau.user.id }, at("2026-10-07"));
  agent = await signIn(t.app, admin);
});

afterAll(async () => {
  await t.close();
});

const page = async (query = "") => {
  const res = await agent.get(`/staff/m/${code}/audit${query}`);
  expect(res.status, res.text).toBe(200);
  return res.text;
};

describe("audit log page", () => {
  it("shows the municipality's own events and its staff's general events, never another municipality's", async () => {
    const html = await page();
    expect(html).toContain("MARKER-COLLEAGUE");
    expect(html).toContain("MARKER-BUREAU");
    expect(html).toContain("Gebruiker uitgeschakeld");
    expect(html).not.toContain("MARKER-STRANGER");
    expect(html).not.toContain("MARKER-B-MEMBERSHIP");
    expect(html).not.toContain("MARKER-B-ACTOR");
  });

  it("filters by event, by user and by Dutch calendar days", async () => {
    const failed = await page("?actie=login.failed");
    expect(failed).toContain("MARKER-COLLEAGUE");
    expect(failed).not.toContain("MARKER-BUREAU");
    expect(failed).toMatch(/>1 gebeurtenis</);

    const range = await page("?van=2026-10-05&tot=2026-10-06");
    expect(range).toContain("MARKER-BUREAU");
    expect(range).toContain("Gebruiker uitgeschakeld");
    expect(range).not.toContain("MARKER-COLLEAGUE");
  });

  it("ignores nonsense filters instead of failing", async () => {
    const html = await page("?actie=drop%20table&gebruiker=-1&van=gisteren&pagina=abc");
    expect(html).toContain("MARKER-COLLEAGUE");
  });

  it("cannot be changed through the app", async () => {
    for (const method of ["post", "put", "patch", "delete"] as const) {
      const res = await agent[method](`/staff/m/${code}/audit`).set("x-csrf-token", "x");
      expect([403, 404]).toContain(res.status);
    }
  });
});
