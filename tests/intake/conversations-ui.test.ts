// The conversations list and the client page: no contact data unless explicitly asked for, and audited.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprintKey, registerConversations } from "../../server/intake/intake.service.ts";
import { validateConversation } from "../../server/intake/intake.schema.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality, makeUser, signIn, submitForm, type Agent } from "../helpers/staff.ts";

let t: TestApp;
let codeA: string;
let clientA: number;
let clientB: number;
let interviewer: Agent;
let reader: Agent;
let interviewerId: number;

async function register(municipalityId: number, id: string, clientId: string, team: string, law: string, email: string) {
  const input = validateConversation({ externalId: id, law, heldOn: "2026-10-01", team, client: { externalId: clientId, email, mobile: "0612345678" } });
  if (!input.ok) throw new Error(JSON.stringify(input.problems));
  const [outcome] = await registerConversations(t.database.db, fingerprintKey(t.config.sessionSecret), municipalityId, [input.value], { source: "api" });
  return outcome!;
}

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  const a = await makeMunicipality(db);
  const b = await makeMunicipality(db);
  codeA = a.code;
  await register(a.id, "KTG-A-1", "CLIENT-A-1", "Team Noord", "wmo", "adres.a1@example.test");
  await register(a.id, "KTG-A-2", "CLIENT-A-2", "Team Zuid", "jeugd", "adres.a2@example.test");
  await register(b.id, "KTG-B-1", "CLIENT-B-1", "Team West", "wmo", "adres.b1@example.test");
  clientA = (await db("clients").where({ external_id: "CLIENT-A-1" }).first("id")).id;
  clientB = (await db("clients").where({ external_id: "CLIENT-B-1" }).first("id")).id;
  const i = await makeUser(db, { memberships: [{ municipalityId: a.id, role: "interviewer" }] });
  interviewerId = i.user.id;
  interviewer = await signIn(t.app, i);
  reader = await signIn(t.app, await makeUser(db, { memberships: [{ municipalityId: a.id, role: "reader" }] }));
});

afterAll(async () => {
  await t.close();
});

describe("conversations list", () => {
  it("lists the municipality's conversations without any contact data", async () => {
    const res = await reader.get(`/staff/m/${codeA}/conversations`);
    expect(res.status).toBe(200);
    expect(res.text).toContain("KTG-A-1");
    expect(res.text).toContain("KTG-A-2");
    expect(res.text).not.toContain("KTG-B-1");
    expect(res.text).not.toMatch(/example\.test|\+316/);
    expect(res.text).not.toContain(`/clients/`);
  });

  it("searches by id and filters by law and team", async () => {
    const byId = await interviewer.get(`/staff/m/${codeA}/conversations?zoek=a-2`);
    expect(byId.text).toContain("KTG-A-2");
    expect(byId.text).not.toContain("KTG-A-1<");
    const byLaw = await interviewer.get(`/staff/m/${codeA}/conversations?wet=wmo`);
    expect(byLaw.text).toContain("KTG-A-1");
    expect(byLaw.text).not.toContain("KTG-A-2<");
    const byTeam = await interviewer.get(`/staff/m/${codeA}/conversations?team=Team%20Zuid`);
    expect(byTeam.text).toContain("KTG-A-2");
    expect(byTeam.text).not.toContain("KTG-A-1<");
    const nonsense = await interviewer.get(`/staff/m/${codeA}/conversations?wet=drop&pagina=-4`);
    expect(nonsense.status).toBe(200);
  });
});

describe("client page", () => {
  it("hides contact data until asked, then shows it and writes the audit log", async () => {
    const page = await interviewer.get(`/staff/m/${codeA}/clients/${clientA}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("CLIENT-A-1");
    expect(page.text).not.toContain("adres.a1@example.test");
    const before = await t.database.db("audit_events").where({ action: "contact.viewed" });

    const shown = await submitForm(interviewer, `/staff/m/${codeA}/clients/${clientA}`, `/staff/m/${codeA}/clients/${clientA}/contact`, {});
    expect(shown.status).toBe(200);
    expect(shown.text).toContain("adres.a1@example.test");
    expect(shown.text).toContain("+31612345678");
    const after = await t.database.db("audit_events").where({ action: "contact.viewed" });
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({ actor_user_id: interviewerId, subject_type: "client", subject_id: String(clientA) });
  });

  it("is not for readers, and another municipality's client does not exist here", async () => {
    expect((await reader.get(`/staff/m/${codeA}/clients/${clientA}`)).status).toBe(403);
    expect((await interviewer.get(`/staff/m/${codeA}/clients/${clientB}`)).status).toBe(404);
    const peek = await submitForm(interviewer, `/staff/m/${codeA}/clients/${clientA}`, `/staff/m/${codeA}/clients/${clientB}/contact`, {});
    expect(peek.status).toBe(404);
    expect(peek.text).not.toContain("adres.b1@example.test");
    expect((await interviewer.get(`/staff/m/${codeA}/clients/${clientA}/contact`)).status).toBe(404);
    expect((await interviewer.get(`/staff/m/${codeA}/clients/abc`)).status).toBe(404);
  });
});
