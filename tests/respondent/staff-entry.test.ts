// Staff-assisted entry (issue 5): an interviewer fills in the questionnaire during a phone interview, a
// data-entry worker types in a returned paper form found by its code. The same questionnaire and service as
// the respondent's own page, with mode phone / paper, the staff member recorded and every entry audited.
// Roles outside the mode get 403; another municipality's invitation or code is 404, as if it did not exist.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality, makeUser, signIn } from "../helpers/staff.ts";
import { invite as inviteIn, pageCsrf, postJson, storedResponse, type InviteOptions } from "./fixtures.ts";

let t: TestApp;
let a: MunicipalityRow;
let b: MunicipalityRow;
const db = () => t.database.db;
const invite = (m: MunicipalityRow, options: InviteOptions = {}) => inviteIn(t, m, options);
const csrfOfForm = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

beforeAll(async () => {
  t = await createTestApp();
  a = await makeMunicipality(db(), { name: "Merelveen" });
  b = await makeMunicipality(db(), { name: "Zwaluwkoog" });
});

afterAll(async () => {
  await t?.close();
});

describe("staff-assisted entry", () => {
  it("a phone interview by an interviewer: mode phone, entered_by_user_id set, audited", async () => {
    const inv = await invite(a);
    const interviewer = await makeUser(db(), { memberships: [{ municipalityId: a.id, role: "interviewer" }] });
    const agent = await signIn(t.app, interviewer);
    const page = await agent.get(`/staff/m/${a.code}/invitations/${inv.id}/entry?modus=phone`);
    expect(page.status).toBe(200);
    const base = `/staff/m/${a.code}/invitations/${inv.id}/entry/phone`;
    expect(page.text).toContain(`data-survey-base="${base}"`);
    const v = { agent, csrf: pageCsrf(page.text) };
    expect((await agent.get(`${base}/survey.json`)).body).toMatchObject({ answers: {}, currentPage: 0 });
    // Staff opening the form is not the client opening the invitation.
    expect((await db()("invitations").where({ id: inv.id }).first()).opened_at).toBeNull();
    expect((await postJson(v, `${base}/progress`, { answers: { wmo_serieus: 5 }, currentPage: 1 })).status).toBe(204);
    expect((await postJson(v, `${base}/progress`, { answers: { wmo_serieus: 9 } })).status).toBe(422);
    expect((await postJson(v, `${base}/complete`, { answers: { wmo_serieus: 5, rapportcijfer: 9 } })).status).toBe(200);
    expect((await postJson(v, `${base}/complete`, { answers: { wmo_serieus: 5, rapportcijfer: 9 } })).status).toBe(200);
    const row = await storedResponse(db(), inv.id);
    expect(row).toMatchObject({ mode: "phone", status: "completed", entered_by_user_id: interviewer.user.id });
    expect(row!.answers).toEqual({ wmo_serieus: 5, rapportcijfer: 9 });
    const audit = await db()("audit_events").where({ action: "response.entered", subject_id: String(inv.id) }).orderBy("id");
    expect(audit.map((e) => [e.actor_user_id, JSON.parse(e.details).step])).toEqual([[interviewer.user.id, "opened"], [interviewer.user.id, "completed"]]);
  });

  it("a paper form by data entry, found by its code; wrong roles 403, another municipality 404", async () => {
    const inv = await invite(a, { channel: "letter" });
    const clerk = await signIn(t.app, await makeUser(db(), { memberships: [{ municipalityId: a.id, role: "data-entry" }] }));
    const csrf = csrfOfForm((await clerk.get(`/staff/m/${a.code}/paper`)).text);
    const found = await clerk.post(`/staff/m/${a.code}/paper`).type("form").send({ _csrf: csrf, code: inv.code.toLowerCase() });
    expect(found.status).toBe(303);
    expect(found.headers.location).toBe(`/staff/m/${a.code}/invitations/${inv.id}/entry?modus=paper`);
    const page = await clerk.get(String(found.headers.location));
    const v = { agent: clerk, csrf: pageCsrf(page.text) };
    const base = `/staff/m/${a.code}/invitations/${inv.id}/entry/paper`;
    expect((await postJson(v, `${base}/complete`, { answers: { wmo_kwaliteit: 4 } })).status).toBe(200);
    expect(await storedResponse(db(), inv.id)).toMatchObject({ mode: "paper", status: "completed" });
    const again = await clerk.post(`/staff/m/${a.code}/paper`).type("form").send({ _csrf: csrf, code: inv.code });
    expect(again.status).toBe(409);
    expect(again.text).toContain("Deze vragenlijst is al ingevuld");

    const open = await invite(a);
    expect((await clerk.get(`/staff/m/${a.code}/invitations/${open.id}/entry?modus=phone`)).status).toBe(403);
    expect((await clerk.get(`/staff/m/${a.code}/invitations/${open.id}/entry/phone/survey.json`)).status).toBe(403);
    const interviewer = await signIn(t.app, await makeUser(db(), { memberships: [{ municipalityId: a.id, role: "interviewer" }] }));
    expect((await interviewer.get(`/staff/m/${a.code}/invitations/${open.id}/entry?modus=paper`)).status).toBe(403);
    expect((await interviewer.get(`/staff/m/${a.code}/paper`)).status).toBe(403);
    const reader = await signIn(t.app, await makeUser(db(), { memberships: [{ municipalityId: a.id, role: "reader" }] }));
    expect((await reader.get(`/staff/m/${a.code}/invitations/${open.id}/entry?modus=phone`)).status).toBe(403);

    // B's staff: A's invitation through B's code is 404, A's paper code the same message as an unknown one.
    const bClerk = await signIn(t.app, await makeUser(db(), { memberships: [{ municipalityId: b.id, role: "admin" }] }));
    expect((await bClerk.get(`/staff/m/${b.code}/invitations/${open.id}/entry?modus=phone`)).status).toBe(404);
    expect((await bClerk.get(`/staff/m/${b.code}/invitations/${open.id}/entry/phone/survey.json`)).status).toBe(404);
    expect((await bClerk.get(`/staff/m/${a.code}/invitations/${open.id}/entry?modus=phone`)).status).toBe(404);
    const letter = await invite(a, { channel: "letter" });
    const bCsrf = csrfOfForm((await bClerk.get(`/staff/m/${b.code}/paper`)).text);
    const foreign = await bClerk.post(`/staff/m/${b.code}/paper`).type("form").send({ _csrf: bCsrf, code: letter.code });
    expect(foreign.status).toBe(404);
    expect(foreign.text).toContain("Er is geen uitnodiging van deze gemeente met deze code");
    expect(foreign.text).not.toContain("Merelveen");
    expect(await storedResponse(db(), letter.id)).toBeUndefined();
  });
});

describe("the entry page's other states", () => {
  it("without a mode it offers the modes of the role; a completed or expired invitation says so", async () => {
    const inv = await invite(a);
    const admin = await signIn(t.app, await makeUser(db(), { memberships: [{ municipalityId: a.id, role: "admin" }] }));
    const choice = await admin.get(`/staff/m/${a.code}/invitations/${inv.id}/entry`);
    expect(choice.status).toBe(200);
    expect(choice.text).toContain(`entry?modus=phone`);
    expect(choice.text).toContain(`entry?modus=paper`);
    const clerk = await signIn(t.app, await makeUser(db(), { memberships: [{ municipalityId: a.id, role: "data-entry" }] }));
    const clerkChoice = await clerk.get(`/staff/m/${a.code}/invitations/${inv.id}/entry`);
    expect(clerkChoice.text).toContain(`entry?modus=paper`);
    expect(clerkChoice.text).not.toContain(`entry?modus=phone`);

    const page = await admin.get(`/staff/m/${a.code}/invitations/${inv.id}/entry?modus=paper`);
    const base = `/staff/m/${a.code}/invitations/${inv.id}/entry/paper`;
    expect((await postJson({ agent: admin, csrf: pageCsrf(page.text) }, `${base}/complete`, { answers: {} })).status).toBe(200);
    const done = await admin.get(`/staff/m/${a.code}/invitations/${inv.id}/entry?modus=paper`);
    expect(done.status).toBe(200);
    expect(done.text).toContain("Deze vragenlijst is ingevuld");
    expect(done.text).not.toContain("data-survey-base");
    expect((await admin.get(`${base}/survey.json`)).status).toBe(409);

    const expired = await invite(a, { expiresAt: new Date(Date.now() - 1000) });
    const closed = await admin.get(`/staff/m/${a.code}/invitations/${expired.id}/entry?modus=phone`);
    expect(closed.status).toBe(410);
    expect(closed.text).toContain("Deze uitnodiging is verlopen");
    expect(await storedResponse(db(), expired.id)).toBeUndefined();
  });
});
