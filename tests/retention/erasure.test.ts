// Erasure on request (AVG art. 17) over HTTP through the real forms, on a real migrated database: only an
// administrator of the client's own municipality can erase, after a confirmation step; afterwards the contact data,
// free-text answers, notes, quotes and the case system's numbers are gone, nothing is sent again, and what remains
// (closed answers, outcomes, themes, report facts) is untouched. The API and the reports keep working.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toDbTime } from "../../server/db.ts";
import { saveNotes } from "../../server/followups/followups.records.queries.ts";
import { insertQuote } from "../../server/followups/quotes.queries.ts";
import { createInvitation } from "../../server/invitations/invitations.service.ts";
import { validateConversation } from "../../server/intake/intake.schema.ts";
import { fingerprintKey, registerConversations } from "../../server/intake/intake.service.ts";
import { createApiKey } from "../../server/apikeys/apikeys.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { closedAnswersOnly } from "../../server/retention/erasure.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { complete, DISSATISFIED, post, staffOf, type Staff } from "../followups/fixtures.ts";
import { makeDelivery } from "../reports/factories.ts";

let t: TestApp;
const db = () => t.database.db;
let m: MunicipalityRow;
let other: MunicipalityRow;
let admin: Staff;
let interviewer: Staff;
let dataEntry: Staff;
let reader: Staff;
let otherAdmin: Staff;

const OPEN_ANSWER = "Mevrouw Jansen van de Dorpsstraat 12 hielp mij niet.";
const NOTE = "Cliënt vertelde over haar dochter Pietje en de buren.";
const QUOTE = "Ik moest heel lang wachten op de hulp.";

type Erasable = {
  clientId: number;
  clientExternalId: string;
  conversationIds: number[];
  conversationExternalIds: string[];
  responseId: number;
  completedInvitationId: number;
  openInvitationId: number;
  openToken: string;
  followupId: number;
  email: string;
};

/**
 * A client with everything erasure touches: a completed questionnaire with an open answer and a callback phone, a
 * claimed follow-up with a note, a theme and two quotes, a second conversation whose invitation is still open with
 * a reminder waiting and a letter in a print batch, and a dev-outbox message.
 */
async function erasable(municipality: MunicipalityRow): Promise<Erasable> {
  const done = await complete(t, municipality, { ...DISSATISFIED, verbetering: OPEN_ANSWER, ingevuld_door: "ikzelf" }, { phone: "06 98765432" });
  const clientRow = await db()("clients").where({ id: done.clientId }).first();
  const firstConversation = await db()("invitations").where({ id: done.invitationId }).first("conversation_id");
  await db()("followups").where({ id: done.followupId }).update({ status: "claimed", claimed_by_user_id: interviewer.user.user.id, claimed_at: toDbTime(new Date()) });
  await db()("followup_attempts").insert({ followup_id: done.followupId, user_id: interviewer.user.user.id, attempted_at: toDbTime(new Date()), result: "reached", created_at: toDbTime(new Date()) });
  await saveNotes(db(), done.followupId!, [{ topic: "algemeen", text: NOTE }], interviewer.user.user.id, new Date());
  await db()("followup_themes").insert({ followup_id: done.followupId, theme: "wachttijd" });
  await insertQuote(db(), { municipalityId: municipality.id, source: "followup", followupId: done.followupId!, text: QUOTE, flags: [], status: "approved", userId: interviewer.user.user.id }, new Date());
  await insertQuote(db(), { municipalityId: municipality.id, source: "answer", responseId: done.responseId, questionKey: "verbetering", text: OPEN_ANSWER, flags: [], status: "pending", userId: admin.user.user.id }, new Date());

  const contact = await db()("client_contacts").where({ client_id: done.clientId }).first();
  const input = validateConversation({ externalId: `KTG-tweede-${done.clientId}`, law: "wmo", heldOn: "2026-10-15", client: { externalId: clientRow.external_id, email: contact.email } });
  if (!input.ok) throw new Error(JSON.stringify(input.problems));
  const [outcome] = await registerConversations(db(), fingerprintKey(t.config.sessionSecret), municipality.id, [input.value], { source: "api" });
  const open = await createInvitation(db(), t.catalog, { municipalityId: municipality.id, conversationId: outcome!.conversationId, clientId: done.clientId, questionnaire: "wmo", audience: "client", channel: "email" });
  await makeDelivery(db(), { municipalityId: municipality.id, invitationId: open.id, kind: "invite", sequence: 0, channel: "email", status: "sent", at: new Date() });
  await makeDelivery(db(), { municipalityId: municipality.id, invitationId: open.id, kind: "reminder", sequence: 1, channel: "email", status: "pending", at: new Date(Date.now() + 7 * 86_400_000) });
  await makeDelivery(db(), { municipalityId: municipality.id, invitationId: open.id, kind: "reminder", sequence: 1, channel: "letter", status: "batched", at: new Date() });
  await db()("dev_outbox").insert({ channel: "email", municipality_id: municipality.id, category: "invitation", recipient: contact.email, subject: "Uw mening", body_text: "Tekst", headers: "{}", created_at: toDbTime(new Date()) });

  const conversations = await db()("conversations").where({ client_id: done.clientId }).orderBy("id");
  return {
    clientId: done.clientId,
    clientExternalId: clientRow.external_id,
    conversationIds: conversations.map((c) => c.id),
    conversationExternalIds: conversations.map((c) => c.external_id),
    responseId: done.responseId,
    completedInvitationId: done.invitationId,
    openInvitationId: open.id,
    openToken: open.token,
    followupId: done.followupId!,
    email: contact.email,
  };
}

/** Everything of a client that erasure may change, to show that a refused or foreign request changed nothing. */
async function stateOf(clientId: number) {
  return {
    client: await db()("clients").where({ id: clientId }).first("external_id", "opted_out_at", "erased_at"),
    contact: await db()("client_contacts").where({ client_id: clientId }).first(),
    conversations: await db()("conversations").where({ client_id: clientId }).orderBy("id").select("external_id", "contact_fingerprint"),
    invitations: await db()("invitations").where({ client_id: clientId }).orderBy("id").select("status"),
    deliveries: await db()("deliveries").join("invitations", "invitations.id", "deliveries.invitation_id").where({ "invitations.client_id": clientId }).orderBy("deliveries.id").select("deliveries.status"),
    responses: await db()("responses").join("invitations", "invitations.id", "responses.invitation_id").where({ "invitations.client_id": clientId }).select("responses.answers"),
    followups: await db()("followups").where({ client_id: clientId }).select("status", "outcome"),
    notes: await db()("followup_notes").join("followups", "followups.id", "followup_notes.followup_id").where({ "followups.client_id": clientId }).select("text"),
    quotes: (await db()("quotes").where({ municipality_id: m.id })).length,
  };
}

const answersOf = async (responseId: number) => {
  const row = await db()("responses").where({ id: responseId }).first("answers");
  return (typeof row.answers === "string" ? JSON.parse(row.answers) : row.answers) as Record<string, unknown>;
};
const eraseUrl = (code: string, clientId: number) => `/staff/m/${code}/clients/${clientId}/erase`;

beforeAll(async () => {
  t = await createTestApp();
  m = await makeMunicipality(db(), { name: "Wisdorp" });
  other = await makeMunicipality(db(), { name: "Andersveen" });
  admin = await staffOf(t, m, "admin");
  interviewer = await staffOf(t, m, "interviewer");
  dataEntry = await staffOf(t, m, "data-entry");
  reader = await staffOf(t, m, "reader");
  otherAdmin = await staffOf(t, other, "admin");
});
afterAll(async () => {
  await t?.close();
});

describe("who may erase", () => {
  let c: Erasable;
  beforeAll(async () => {
    c = await erasable(m);
  });

  it("shows administrators the way to erase on the client page, and other roles who can do it", async () => {
    const page = await admin.agent.get(`/staff/m/${m.code}/clients/${c.clientId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="${eraseUrl(m.code, c.clientId)}"`);
    for (const staff of [interviewer, dataEntry]) {
      const theirs = await staff.agent.get(`/staff/m/${m.code}/clients/${c.clientId}`);
      expect(theirs.status).toBe(200);
      expect(theirs.text).not.toContain(eraseUrl(m.code, c.clientId));
      expect(theirs.text).toContain("Dat kan alleen een beheerder van de gemeente doen.");
    }
  });

  it("refuses interviewers, data-entry workers and readers with 403 in Dutch, and changes nothing", async () => {
    const before = await stateOf(c.clientId);
    for (const staff of [interviewer, dataEntry, reader]) {
      const page = await staff.agent.get(eraseUrl(m.code, c.clientId));
      expect(page.status).toBe(403);
      expect(page.text).toContain("Uw rol bij deze gemeente geeft geen toegang tot deze pagina.");
      const erase = await post(staff, eraseUrl(m.code, c.clientId), { bevestig: "ja" });
      expect(erase.status).toBe(403);
    }
    expect(await stateOf(c.clientId)).toEqual(before);
  });

  it("answers 404 for another municipality's client, through either municipality's address", async () => {
    const before = await stateOf(c.clientId);
    expect((await otherAdmin.agent.get(eraseUrl(other.code, c.clientId))).status).toBe(404);
    expect((await post(otherAdmin, eraseUrl(other.code, c.clientId), { bevestig: "ja" })).status).toBe(404);
    expect((await post(otherAdmin, eraseUrl(m.code, c.clientId), { bevestig: "ja" })).status).toBe(404);
    expect((await admin.agent.get(eraseUrl(m.code, 999_999))).status).toBe(404);
    expect((await admin.agent.get(`/staff/m/${m.code}/clients/abc/erase`)).status).toBe(404);
    expect(await stateOf(c.clientId)).toEqual(before);
  });

  it("shows what will happen, without contact data, and erases nothing without the confirmation", async () => {
    const page = await admin.agent.get(eraseUrl(m.code, c.clientId));
    expect(page.status).toBe(200);
    expect(page.text).toContain("Wissen kan niet ongedaan worden gemaakt.");
    expect(page.text).toContain("Open uitnodigingen: 1.");
    expect(page.text).toContain("in een printbestand dat nog niet is verstuurd");
    expect(page.text).toContain('name="bevestig" value="ja"');
    expect(page.text).not.toContain(c.email);
    expect(page.text).not.toContain(OPEN_ANSWER);
    const before = await stateOf(c.clientId);
    for (const fields of [{}, { bevestig: "nee" }, { bevestig: ["ja", "ja"] }]) {
      const refused = await post(admin, eraseUrl(m.code, c.clientId), fields as Record<string, string>);
      expect(refused.status).toBe(400);
      expect(refused.text).toContain("Niets gewist. Zet eerst een vinkje");
    }
    expect(await stateOf(c.clientId)).toEqual(before);
  });
});

describe("erasing", () => {
  let c: Erasable;
  let bystander: Erasable;
  let factsBefore: unknown[];
  let themesBefore: unknown[];
  let attemptsBefore: unknown[];

  beforeAll(async () => {
    c = await erasable(m);
    bystander = await erasable(m);
    factsBefore = await db()("report_facts").where({ response_id: c.responseId }).select("*");
    themesBefore = await db()("followup_themes").where({ followup_id: c.followupId }).select("*");
    attemptsBefore = await db()("followup_attempts").where({ followup_id: c.followupId }).select("result", "attempted_at");
  });

  it("erases after confirmation and says so on the client page", async () => {
    const bystanderBefore = await stateOf(bystander.clientId);
    const res = await post(admin, eraseUrl(m.code, c.clientId), { bevestig: "ja" });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/staff/m/${m.code}/clients/${c.clientId}?melding=gewist`);
    const page = await admin.agent.get(String(res.headers.location));
    expect(page.text).toContain("De gegevens van deze cliënt zijn gewist.");
    expect(page.text).toContain('data-testid="erased"');
    expect(page.text).not.toContain(eraseUrl(m.code, c.clientId));
    expect(page.text).not.toContain(c.clientExternalId);
    // Another client of the municipality is untouched.
    const { quotes: _q1, ...bystanderNow } = await stateOf(bystander.clientId);
    const { quotes: _q2, ...bystanderThen } = bystanderBefore;
    expect(bystanderNow).toEqual(bystanderThen);
  });

  it("deletes the contact data and the dev-outbox messages to it", async () => {
    expect(await db()("client_contacts").where({ client_id: c.clientId })).toHaveLength(0);
    expect(await db()("dev_outbox").where({ recipient: c.email })).toHaveLength(0);
    expect(await db()("dev_outbox").where({ recipient: bystander.email })).toHaveLength(1);
  });

  it("closes the open invitation, cancels the waiting reminder and the letter in the print batch, and opts the client out", async () => {
    const client = await db()("clients").where({ id: c.clientId }).first();
    expect(client.opted_out_at).not.toBeNull();
    expect(client.erased_at).not.toBeNull();
    expect((await db()("invitations").where({ id: c.openInvitationId }).first()).status).toBe("opted_out");
    expect((await db()("invitations").where({ id: c.completedInvitationId }).first()).status).toBe("completed");
    expect((await db()("deliveries").where({ invitation_id: c.openInvitationId }).orderBy("id").pluck("status"))).toEqual(["sent", "cancelled", "cancelled"]);
    // The link in the e-mail the client already has now says the client is opted out.
    const visit = await request(t.app).get(`/s/${c.openToken}`);
    expect(visit.status).toBe(410);
  });

  it("keeps only the answers to closed questions", async () => {
    const answers = await answersOf(c.responseId);
    expect(answers).toEqual({ wmo_wist_waar: 4, wmo_snel_geholpen: 1, wmo_serieus: 2, wmo_kwaliteit: 3, rapportcijfer: 6, contact_toestemming: "ja", ingevuld_door: "ikzelf" });
    expect((await answersOf(bystander.responseId)).verbetering).toBe(OPEN_ANSWER);
  });

  it("removes notes and quotes, closes the follow-up as 'wil niet', and keeps attempts, themes and report facts", async () => {
    expect(await db()("followup_notes").where({ followup_id: c.followupId })).toHaveLength(0);
    expect(await db()("quotes").where({ followup_id: c.followupId })).toHaveLength(0);
    expect(await db()("quotes").where({ response_id: c.responseId })).toHaveLength(0);
    expect(await db()("quotes").where({ followup_id: bystander.followupId })).toHaveLength(1);
    const followup = await db()("followups").where({ id: c.followupId }).first();
    expect(followup).toMatchObject({ status: "closed", outcome: "wil_niet", closed_by_user_id: admin.user.user.id });
    expect(await db()("followup_themes").where({ followup_id: c.followupId }).select("*")).toEqual(themesBefore);
    expect(await db()("followup_attempts").where({ followup_id: c.followupId }).select("result", "attempted_at")).toEqual(attemptsBefore);
    expect(await db()("report_facts").where({ response_id: c.responseId }).select("*")).toEqual(factsBefore);
  });

  it("replaces the case system's client and conversation numbers by random values", async () => {
    const client = await db()("clients").where({ id: c.clientId }).first();
    expect(client.external_id).toMatch(/^gewist-[A-Za-z0-9_-]{12}$/);
    const conversations = await db()("conversations").where({ client_id: c.clientId }).orderBy("id");
    expect(conversations.map((v) => v.id)).toEqual(c.conversationIds);
    for (const v of conversations) {
      expect(v.external_id).toMatch(/^gewist-/);
      expect(c.conversationExternalIds).not.toContain(v.external_id);
      expect(v.contact_fingerprint).toBe("{}");
    }
    expect(new Set([client.external_id, ...conversations.map((v) => v.external_id)]).size).toBe(1 + conversations.length);
  });

  it("is audited as client.erased with counts only, and the opt-out as well", async () => {
    const erased = await db()("audit_events").where({ action: "client.erased", subject_id: String(c.clientId) });
    expect(erased).toHaveLength(1);
    expect(erased[0]).toMatchObject({ municipality_id: m.id, actor_user_id: admin.user.user.id, subject_type: "client" });
    expect(JSON.parse(erased[0].details)).toEqual({
      contact: true,
      invitationsClosed: 1,
      messagesCancelled: 2,
      answersRemoved: 1,
      notesRemoved: 1,
      quotesRemoved: 2,
      followupsClosed: 1,
      conversations: 2,
      outboxMessages: 1,
    });
    const all = JSON.stringify(await db()("audit_events").where({ subject_id: String(c.clientId) }).select("details", "subject_id", "actor"));
    for (const secret of [c.email, c.clientExternalId, ...c.conversationExternalIds, OPEN_ANSWER, NOTE, QUOTE]) expect(all).not.toContain(secret);
    const optedOut = await db()("audit_events").where({ action: "client.opted_out", subject_id: String(c.clientId) });
    expect(optedOut.map((e) => JSON.parse(e.details))).toEqual([{ via: "erasure" }]);
  });

  it("a second erasure changes nothing and is not audited again", async () => {
    const before = await stateOf(c.clientId);
    const again = await post(admin, eraseUrl(m.code, c.clientId), { bevestig: "ja" });
    expect(again.status).toBe(303);
    expect(again.headers.location).toContain("melding=al-gewist");
    expect(await stateOf(c.clientId)).toEqual(before);
    expect(await db()("audit_events").where({ action: "client.erased", subject_id: String(c.clientId) })).toHaveLength(1);
    const page = await admin.agent.get(eraseUrl(m.code, c.clientId));
    expect(page.status).toBe(200);
    expect(page.text).toContain("zijn al gewist op");
    expect(page.text).not.toContain('name="bevestig"');
  });

  it("the API no longer knows the old numbers: the same conversation sent again is a new conversation of a new client", async () => {
    const { key } = await createApiKey(db(), m.id, "Zaaksysteem", { actorUserId: null, actor: "test", ip: null, requestId: null });
    const api = (r: request.Test) => r.set("Authorization", `Bearer ${key}`);
    const old = c.conversationExternalIds[1]!;
    expect((await api(request(t.app).get(`/api/v1/conversations/${encodeURIComponent(old)}`))).status).toBe(404);
    const resent = await api(request(t.app).post("/api/v1/conversations")).send({
      externalId: old,
      law: "wmo",
      heldOn: "2026-10-15",
      client: { externalId: c.clientExternalId, email: c.email },
    });
    expect(resent.status).toBe(201);
    expect(resent.body.client.externalId).toBe(c.clientExternalId);
    const fresh = await db()("clients").where({ municipality_id: m.id, external_id: c.clientExternalId }).first();
    expect(fresh.id).not.toBe(c.clientId);
    expect(fresh.opted_out_at).toBeNull();
    // The erased client stays erased.
    expect(await db()("client_contacts").where({ client_id: c.clientId })).toHaveLength(0);
  });

  it("the staff pages and the report still work", async () => {
    for (const path of [`/staff/m/${m.code}/conversations`, `/staff/m/${m.code}/followups/${c.followupId}`, `/staff/m/${m.code}/quotes`, `/staff/m/${m.code}/reports?periode=2026-Q4`]) {
      const page = await admin.agent.get(path);
      expect(page.status, path).toBe(200);
    }
    const followupPage = await admin.agent.get(`/staff/m/${m.code}/followups/${c.followupId}`);
    expect(followupPage.text).not.toContain(NOTE);
    const report = await admin.agent.get(`/staff/m/${m.code}/reports/download?periode=2026-Q4&formaat=json`);
    expect(report.status).toBe(200);
  });
});

describe("closed answers only", () => {
  it("keeps nothing but numbers when the questionnaire version is unknown", () => {
    const { kept, removed } = closedAnswersOnly({
      answers: { a: 4, b: "vrije tekst", c: ["x"] },
      version: { questionnaire: "bestaat-niet", baseVersion: 1, customisation: {}, definition: {}, hash: "x" },
    });
    expect(kept).toEqual({ a: 4 });
    expect(removed).toBe(2);
  });
});
