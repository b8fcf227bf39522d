// The respondent's routes over HTTP (issue 5): opening by link and by paper code, progress and resume, the
// tampered answers of the issue's Bad input list (422, nothing stored), completing exactly once, the callback
// phone, guessing (404, then 429) and staff-assisted entry by phone and from a paper form. SQLite by default,
// PostgreSQL with TEST_DATABASE_URL.
import request from "supertest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { saveCustomisation } from "../../server/invitations/invitations.queries.ts";
import { signCodeAccess } from "../../server/respondent/respondent.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { invite as inviteIn, pageCsrf, postJson, storedResponse, type InviteOptions, type Visitor } from "./fixtures.ts";

let t: TestApp;
let a: MunicipalityRow;
let b: MunicipalityRow;
const db = () => t.database.db;
const invite = (m: MunicipalityRow, options: InviteOptions = {}) => inviteIn(t, m, options);
const responseRow = (invitationId: number) => db()("responses").where({ invitation_id: invitationId }).first();
const answersOf = async (invitationId: number) => (await storedResponse(db(), invitationId))?.answers;

/** A visitor with the page's CSRF cookie and token, as respondent.js has them. */
async function visitor(path: string): Promise<Visitor & { page: request.Response }> {
  const agent = request.agent(t.app);
  const page = await agent.get(path);
  return { agent, csrf: pageCsrf(page.text), page };
}

/** Types a code in the /code form, as a browser does (with the form's CSRF token). */
async function typeCode(code: string): Promise<request.Response> {
  const agent = request.agent(t.app);
  const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get("/code")).text)![1]!;
  return agent.post("/code").type("form").send({ _csrf: csrf, code });
}

beforeAll(async () => {
  t = await createTestApp();
  a = await makeMunicipality(db(), { name: "Merelveen" });
  b = await makeMunicipality(db(), { name: "Zwaluwkoog" });
  await db()("municipalities").where({ id: a.id }).update({ phone: "033 123 45 67" });
  // A's questionnaire has its own number and checkbox questions, for the tampering the ten do not allow.
  await saveCustomisation(db(), a.id, "wmo", {
    extraQuestions: [
      { type: "text", name: "gemeente_uren", inputType: "number", min: 0, max: 20, title: "Hoeveel uur hulp krijgt u per week?" },
      { type: "checkbox", name: "gemeente_onderwerpen", title: "Waar wilt u meer over weten?", choices: ["vervoer", "wonen", "werk", "geld"], maxSelectedChoices: 2 },
    ],
  });
});

afterAll(async () => {
  await t?.close();
});

beforeEach(async () => {
  // Every request comes from the same address; each test starts with its guesses uncounted.
  await db()("rate_limits").delete();
});

describe("opening a link", () => {
  it("opens the questionnaire page by token with the municipality's name, then its state from survey.json", async () => {
    const inv = await invite(a);
    const v = await visitor(`/s/${inv.token}`);
    expect(v.page.status).toBe(200);
    expect(v.page.headers["cache-control"]).toBe("no-store");
    expect(v.page.text).toContain(`data-survey-base="/s/${inv.token}"`);
    expect(v.page.text).toContain("Gemeente Merelveen");
    expect(v.page.text).toContain("<noscript>");
    expect(v.csrf).not.toBe("");
    const state = await v.agent.get(`/s/${inv.token}/survey.json`);
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ answers: {}, currentPage: 0, locale: "nl", variables: { telefoon_bekend: true } });
    expect(JSON.stringify(state.body.definition)).toContain("gemeente_uren");
    expect((await db()("invitations").where({ id: inv.id }).first()).opened_at).not.toBeNull();
    const noPhone = await invite(a, { mobile: false });
    expect((await request(t.app).get(`/s/${noPhone.token}/survey.json`)).body.variables).toEqual({ telefoon_bekend: false });
  });

  it("unknown, expired, opted-out and completed links each get their own page and status", async () => {
    const unknown = await request(t.app).get("/s/AAAAAAAAAAAAAAAAAAAAAA");
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain("Deze link werkt niet");
    expect(unknown.text).toContain("Het telefoonnummer staat in uw brief of e-mail.");
    const expired = await invite(a, { expiresAt: new Date(Date.now() - 1000) });
    const closed = await request(t.app).get(`/s/${expired.token}`);
    expect(closed.status).toBe(410);
    expect(closed.text).toContain("Deze vragenlijst is gesloten");
    expect(closed.text).toContain('href="tel:0331234567"');
    const optedOut = await invite(a);
    await db()("clients").where({ id: optedOut.clientId }).update({ opted_out_at: new Date().toISOString() });
    const out = await request(t.app).get(`/s/${optedOut.token}`);
    expect(out.status).toBe(410);
    expect(out.text).toContain("U doet niet mee aan dit onderzoek");
    const done = await invite(b);
    const v = await visitor(`/s/${done.token}`);
    expect((await postJson(v, `/s/${done.token}/complete`, { answers: { wmo_serieus: 4 } })).status).toBe(200);
    const thanks = await request(t.app).get(`/s/${done.token}`);
    expect(thanks.status).toBe(200);
    expect(thanks.text).toContain("U heeft deze vragenlijst al ingevuld");
    expect(thanks.text).not.toContain("data-survey-base");
    // The same states for the page's script: JSON problems, no questionnaire.
    expect((await request(t.app).get("/s/AAAAAAAAAAAAAAAAAAAAAA/survey.json")).status).toBe(404);
    expect((await request(t.app).get(`/s/${expired.token}/survey.json`)).status).toBe(410);
    expect((await request(t.app).get(`/s/${optedOut.token}/survey.json`)).status).toBe(410);
    expect((await request(t.app).get(`/s/${done.token}/survey.json`)).status).toBe(409);
  });

  it("a token opens only its own invitation", async () => {
    const first = await invite(a);
    const second = await invite(a);
    const v = await visitor(`/s/${first.token}`);
    expect((await postJson(v, `/s/${first.token}/progress`, { answers: { wmo_serieus: 5 }, currentPage: 1 })).status).toBe(204);
    const other = await v.agent.get(`/s/${second.token}/survey.json`);
    expect(other.body).toMatchObject({ answers: {}, currentPage: 0 });
    expect(await responseRow(second.id)).toBeUndefined();
    expect(await answersOf(first.id)).toEqual({ wmo_serieus: 5 });
  });

  it("a guessed token is 404; after 100 wrong tokens from one address in the hour, 429", async () => {
    for (let i = 0; i < 100; i += 1) {
      const guess = await request(t.app).get(`/s/${`gok${i}`.padEnd(22, "x")}/survey.json`);
      expect(guess.status).toBe(404);
    }
    const limited = await request(t.app).get(`/s/${"gok-te-veel".padEnd(22, "x")}`);
    expect(limited.status).toBe(429);
    expect(limited.text).toContain("Te veel pogingen");
  });
});

describe("progress and validation", () => {
  it("saves progress and resumes it on another device, with the mode of the channel", async () => {
    const inv = await invite(a, { channel: "sms" });
    const v = await visitor(`/s/${inv.token}`);
    const saved = await postJson(v, `/s/${inv.token}/progress`, { answers: { wmo_serieus: 4, wmo_clientondersteuner: "ja", gemeente_uren: 6 }, currentPage: 2, locale: "en" });
    expect(saved.status).toBe(204);
    const other = await request(t.app).get(`/s/${inv.token}/survey.json`);
    expect(other.body).toMatchObject({ answers: { wmo_serieus: 4, wmo_clientondersteuner: "ja", gemeente_uren: 6 }, currentPage: 2, locale: "en" });
    expect(await responseRow(inv.id)).toMatchObject({ mode: "sms", status: "in_progress", current_page: 2, locale: "en" });
  });

  const TAMPERED: Array<[string, Record<string, unknown>, string]> = [
    ["an unknown key", { wmo_serieus: 4, geheime_vraag: "x" }, "geheime_vraag"],
    ["a choice not in the list", { wmo_clientondersteuner: "misschien" }, "wmo_clientondersteuner"],
    ["a rating of 9", { wmo_serieus: 9 }, "wmo_serieus"],
    ["text in a number field", { gemeente_uren: "veel" }, "gemeente_uren"],
    ["too many checkbox choices", { gemeente_onderwerpen: ["vervoer", "wonen", "werk"] }, "gemeente_onderwerpen"],
    ["answers of another questionnaire (not the invitation's version)", { jeugd_makkelijk_hulp: 4 }, "jeugd_makkelijk_hulp"],
  ];
  for (const [what, answers, field] of TAMPERED) {
    it(`refuses ${what} with 422 and stores nothing, on progress and on completion`, async () => {
      const inv = await invite(a);
      const v = await visitor(`/s/${inv.token}`);
      expect((await postJson(v, `/s/${inv.token}/progress`, { answers: { wmo_kwaliteit: 3 }, currentPage: 1 })).status).toBe(204);
      const before = await responseRow(inv.id);
      for (const path of ["progress", "complete"]) {
        const res = await postJson(v, `/s/${inv.token}/${path}`, { answers: { wmo_kwaliteit: 3, ...answers }, currentPage: 2 });
        expect(res.status, `${path}: ${res.text}`).toBe(422);
        expect(res.headers["content-type"]).toContain("application/problem+json");
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
        expect(res.body.detail).toContain("Er is niets opgeslagen");
      }
      expect(await responseRow(inv.id)).toEqual(before);
      expect((await db()("invitations").where({ id: inv.id }).first()).status).toBe("sent");
    });
  }

  it("refuses a body without answers, or that is not an object, with 422 (not 500)", async () => {
    const inv = await invite(a);
    const v = await visitor(`/s/${inv.token}`);
    for (const body of [{ currentPage: 1 }, [1, 2], { answers: "wmo_serieus=4" }]) {
      const res = await postJson(v, `/s/${inv.token}/progress`, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    expect((await v.agent.post(`/s/${inv.token}/complete`).set("x-csrf-token", v.csrf).type("form").send({ answers: "x" })).status).toBe(422);
    expect(await responseRow(inv.id)).toBeUndefined();
  });

  it("refuses a body over 256 KB with 413", async () => {
    const inv = await invite(a);
    const v = await visitor(`/s/${inv.token}`);
    const res = await postJson(v, `/s/${inv.token}/progress`, { answers: { verbetering: "x".repeat(300 * 1024) } });
    expect(res.status).toBe(413);
    expect(await responseRow(inv.id)).toBeUndefined();
  });
});

describe("completing", () => {
  it("is idempotent: five concurrent completes give one completed response; later progress is 409", async () => {
    const inv = await invite(a);
    const v = await visitor(`/s/${inv.token}`);
    const answers = { wmo_wist_waar: 5, wmo_serieus: 4, rapportcijfer: 8, contact_toestemming: "nee" };
    const results = await Promise.all(Array.from({ length: 5 }, () => postJson(v, `/s/${inv.token}/complete`, { answers, locale: "nl" })));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results[0]!.body).toEqual({ status: "completed", thanks: `/s/${inv.token}` });
    const rows = await db()("responses").where({ invitation_id: inv.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "completed", mode: "online" });
    expect(await answersOf(inv.id)).toEqual(answers);
    expect((await db()("invitations").where({ id: inv.id }).first()).status).toBe("completed");
    const late = await postJson(v, `/s/${inv.token}/progress`, { answers: { wmo_wist_waar: 1 } });
    expect(late.status).toBe(409);
    expect(await answersOf(inv.id)).toEqual(answers);
  });

  it("puts the callback phone typed in the consent block in client_contacts, not in the answers", async () => {
    const inv = await invite(a, { mobile: false });
    const v = await visitor(`/s/${inv.token}`);
    const answers = { wmo_serieus: 2, contact_toestemming: "ja", contact_telefoon: "06 87654321" };
    expect((await postJson(v, `/s/${inv.token}/progress`, { answers, currentPage: 5 })).status).toBe(204);
    expect(await answersOf(inv.id)).toEqual({ wmo_serieus: 2, contact_toestemming: "ja" });
    expect((await postJson(v, `/s/${inv.token}/complete`, { answers })).status).toBe(200);
    const row = await responseRow(inv.id);
    expect(await answersOf(inv.id)).toEqual({ wmo_serieus: 2, contact_toestemming: "ja" });
    expect(JSON.stringify(row)).not.toContain("87654321");
    expect((await db()("client_contacts").where({ client_id: inv.clientId }).first()).callback_phone).toBe("+31687654321");
  });
});

describe("the paper code", () => {
  it("catches a typo with a Dutch message (400) before any lookup; an unknown code is 404", async () => {
    const inv = await invite(a, { channel: "letter" });
    const typo = inv.code.slice(0, 8) + (inv.code[8] === "2" ? "3" : "2");
    const queries: string[] = [];
    const listen = (query: { sql: string }) => queries.push(query.sql);
    db().on("query", listen);
    const res = await typeCode(typo);
    db().removeListener("query", listen);
    expect(queries.filter((sql) => sql.includes("invitation"))).toEqual([]);
    expect(res.status).toBe(400);
    expect(res.text).toContain("Deze code klopt niet. Misschien is er een teken verkeerd overgenomen.");
    const short = await typeCode("ABCD-EF");
    expect(short.status).toBe(400);
    expect(short.text).toContain("De code heeft 9 tekens");
    // A well-formed code (right check character) that no invitation has.
    const other = await invite(b, { channel: "letter" });
    await db()("invitation_secrets").where({ invitation_id: other.id, kind: "code" }).delete();
    const notFound = await typeCode(other.code);
    expect(notFound.status).toBe(404);
    expect(notFound.text).toContain("Deze code kennen wij niet");
  });

  it("after 50 wrong codes from one address: 429 with a clear message, and no code is looked up any more", async () => {
    const inv = await invite(a, { channel: "letter" });
    for (let i = 0; i < 50; i += 1) expect((await typeCode(`fout${i}`)).status).toBe(400);
    const limited = await typeCode("nog-een");
    expect(limited.status).toBe(429);
    expect(limited.text).toContain("U heeft te vaak een code geprobeerd. Probeer het over een uur opnieuw, of bel uw gemeente.");
    expect((await typeCode(inv.code)).status).toBe(429);
  });

  it("a correct code (lower case, with dashes) leads with 303 to /s/c.… which works, in mode code", async () => {
    const inv = await invite(a, { channel: "letter" });
    const typed = `${inv.code.slice(0, 4)}-${inv.code.slice(4, 8)}-${inv.code.slice(8)}`.toLowerCase();
    const res = await typeCode(typed);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/s\/c\.\d+\.\d+\.[A-Za-z0-9_-]{32}$/);
    const key = String(res.headers.location);
    const v = await visitor(key);
    expect(v.page.status).toBe(200);
    expect((await postJson(v, `${key}/progress`, { answers: { wmo_past: 3 }, currentPage: 1 })).status).toBe(204);
    expect(await responseRow(inv.id)).toMatchObject({ mode: "code", status: "in_progress" });
    // After 12 hours the access key is spent, not the invitation: the page sends the client back to /code.
    const stale = signCodeAccess(t.config.sessionSecret, inv.id, new Date(Date.now() - 13 * 3600 * 1000));
    const page = await request(t.app).get(`/s/${stale}`);
    expect(page.status).toBe(404);
    expect(page.text).toContain('href="/code"');
    expect(page.text).not.toContain("Deze vragenlijst is gesloten");
  });
});
