// Quotes and urgent escalation, over HTTP with a real SMTP server on loopback. A quote with a phone number is
// flagged and appears in no report until an administrator approves it; a clean one the interviewer confirmed is
// approved at once. An urgent flag e-mails the municipality at once (a link, nothing of the notes), survives a
// mail server that is down, is sent once, and the municipality acknowledges it in the UI.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromJson } from "../../server/db.ts";
import { updateMunicipalityContact, type MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { FOLLOWUP_SETTINGS } from "../../server/followups/followups.settings.ts";
import { writeSettings } from "../../server/settings/settings.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { startTestSmtp, type TestSmtp } from "../helpers/smtp.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { complete, DISSATISFIED, post, staffOf, type Staff } from "./fixtures.ts";

let smtp: TestSmtp;
let t: TestApp;
const db = () => t.database.db;
let m: MunicipalityRow;
let iris: Staff;
let ivo: Staff;
let admin: Staff;
const url = (id: number, action = "") => `/staff/m/${m.code}/followups/${id}${action}`;
const NOTE = "Xqnotitie: de dochter regelt alles en de cliënt durft niets te zeggen.";

async function reachedFollowup(): Promise<number> {
  const done = await complete(t, m, DISSATISFIED);
  expect((await post(iris, url(done.followupId!, "/claim"))).status).toBe(303);
  expect((await post(iris, url(done.followupId!, "/attempts"), { result: "reached" })).status).toBe(303);
  return done.followupId!;
}
const quotesOf = (id: number) => db()("quotes").where({ followup_id: id }).orderBy("id");

beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await createTestApp({ SMTP_URL: smtp.url, BASE_URL: "https://luisterpost.example.test", MAIL_FROM: "Luisterpost <noreply@luisterpost.example.test>" });
  m = await makeMunicipality(db(), { name: "Reigersdam" });
  await updateMunicipalityContact(db(), m.id, { phone: "14 0999", contactEmail: "wmo@reigersdam.example.test" });
  iris = await staffOf(t, m, "interviewer", "Iris Interviewer");
  ivo = await staffOf(t, m, "interviewer", "Ivo Interviewer");
  admin = await staffOf(t, m, "admin", "Anne Beheer");
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe("quotes", () => {
  it("approves a clean quote the interviewer confirmed and the client agreed to", async () => {
    const id = await reachedFollowup();
    const res = await post(iris, url(id, "/quotes"), { text: "Ik voelde me  van het kastje naar de muur gestuurd.", consent: "on", confirmed: "on" });
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain("melding=citaat-goedgekeurd");
    const [quote] = await quotesOf(id);
    expect(quote).toMatchObject({ source: "followup", status: "approved", text: "Ik voelde me van het kastje naar de muur gestuurd.", municipality_id: m.id, reviewed_by_user_id: iris.user.user.id });
    expect(fromJson(quote.flags)).toEqual([]);
  });

  it("refuses a quote without the client's agreement or the interviewer's confirmation, keeping the text", async () => {
    const id = await reachedFollowup();
    const noConsent = await post(iris, url(id, "/quotes"), { text: "De hulp is prima geregeld.", confirmed: "on" });
    expect(noConsent.status).toBe(400);
    expect(noConsent.text).toContain("Neem een citaat alleen op als de cliënt heeft gezegd dat het anoniem in een rapport mag.");
    expect(noConsent.text).toContain("De hulp is prima geregeld.");
    const noConfirm = await post(iris, url(id, "/quotes"), { text: "De hulp is prima geregeld.", consent: "on" });
    expect(noConfirm.status).toBe(400);
    expect(noConfirm.text).toContain("Bevestig dat er in het citaat geen namen, adressen of andere gegevens staan");
    expect((await post(iris, url(id, "/quotes"), { text: "ja", consent: "on", confirmed: "on" })).status).toBe(400);
    expect(await quotesOf(id)).toHaveLength(0);
    // Only the holder adds quotes.
    expect((await post(ivo, url(id, "/quotes"), { text: "De hulp is prima geregeld.", consent: "on", confirmed: "on" })).status).toBe(403);
  });

  it("flags a quote with a phone number, keeps it out of reports until an administrator approves it", async () => {
    const id = await reachedFollowup();
    const text = "Bel me gerust op 06-12345678, want niemand belt ooit terug.";
    const res = await post(iris, url(id, "/quotes"), { text, consent: "on", confirmed: "on" });
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain("melding=citaat-controle");
    const [quote] = await quotesOf(id);
    expect(quote.status).toBe("pending");
    expect(quote.reviewed_by_user_id).toBeNull();
    expect(fromJson(quote.flags)).toEqual([{ kind: "phone", match: "06-12345678", index: 17 }]);
    const page = await iris.agent.get(url(id));
    expect(page.text).toContain('<mark class="utrecht-mark" title="telefoonnummer">06-12345678');
    expect(page.text).toContain("Wacht op controle: mogelijk telefoonnummer. Verschijnt nog in geen enkel rapport.");

    // In the administrator's review list; approving needs the explicit confirmation.
    const review = await admin.agent.get(`/staff/m/${m.code}/quotes`);
    expect(review.status).toBe(200);
    expect(review.text).toContain("Te beoordelen (1)");
    const unconfirmed = await post(admin, `/staff/m/${m.code}/quotes/${quote.id}`, { decision: "approve", text });
    expect(unconfirmed.status).toBe(400);
    expect((await db()("quotes").where({ id: quote.id }).first()).status).toBe("pending");
    // Interviewers do not review.
    expect((await post(iris, `/staff/m/${m.code}/quotes/${quote.id}`, { decision: "approve", confirmed: "on" })).status).toBe(403);

    const approved = await post(admin, `/staff/m/${m.code}/quotes/${quote.id}`, { decision: "approve", text: "Bel me gerust, want niemand belt ooit terug.", confirmed: "on" });
    expect(approved.status).toBe(303);
    const after = await db()("quotes").where({ id: quote.id }).first();
    expect(after).toMatchObject({ status: "approved", text: "Bel me gerust, want niemand belt ooit terug.", reviewed_by_user_id: admin.user.user.id });
    expect(fromJson(after.flags)).toEqual([]);
    expect(await db()("audit_events").where({ action: "quote.reviewed", subject_id: String(quote.id) })).toHaveLength(1);
  });

  it("approves a flagged quote once the interviewer takes the number out, and lets an administrator reject one", async () => {
    const id = await reachedFollowup();
    await post(iris, url(id, "/quotes"), { text: "Mail mij op a.jansen@example.test als er nieuws is.", consent: "on", confirmed: "on" });
    const [quote] = await quotesOf(id);
    expect(quote.status).toBe("pending");
    const edited = await post(iris, url(id, `/quotes/${quote.id}`), { action: "save", text: "Laat het me weten als er nieuws is.", confirmed: "on" });
    expect(edited.headers.location).toContain("melding=citaat-goedgekeurd");
    expect((await db()("quotes").where({ id: quote.id }).first()).status).toBe("approved");

    const rejected = await post(admin, `/staff/m/${m.code}/quotes/${quote.id}`, { decision: "reject" });
    expect(rejected.status).toBe(303);
    expect((await db()("quotes").where({ id: quote.id }).first()).status).toBe("rejected");
    expect((await post(iris, url(id, `/quotes/${quote.id}`), { action: "delete" })).status).toBe(303);
    expect(await quotesOf(id)).toHaveLength(0);
  });

  it("answers 404 for another municipality's quote and leaves it as it is", async () => {
    const other = await makeMunicipality(db());
    const theirs = await complete(t, other, { verbetering: "Een open antwoord van elders." });
    const [row] = await db()("quotes")
      .insert({ municipality_id: other.id, source: "answer", response_id: theirs.responseId, question_key: "verbetering", text: "Een open antwoord van elders.", flags: "[]", status: "pending", created_at: new Date().toISOString() })
      .returning(["id"]);
    const res = await post(admin, `/staff/m/${m.code}/quotes/${row.id}`, { decision: "approve", confirmed: "on" });
    expect(res.status).toBe(404);
    expect(res.text).not.toContain("Een open antwoord van elders.");
    expect((await db()("quotes").where({ id: row.id }).first()).status).toBe("pending");
    expect((await admin.agent.get(`/staff/m/${m.code}/quotes`)).text).not.toContain("Een open antwoord van elders.");
  });

  it("lets an administrator choose an open answer as a quote, once", async () => {
    const done = await complete(t, m, { ...DISSATISFIED, verbetering: "Sneller antwoord geven op mijn vragen." });
    const list = await admin.agent.get(`/staff/m/${m.code}/quotes/answers`);
    expect(list.status).toBe(200);
    expect(list.text).toContain("Sneller antwoord geven op mijn vragen.");
    const fields = { responseId: String(done.responseId), questionKey: "verbetering", text: "Sneller antwoord geven op mijn vragen.", confirmed: "on" };
    expect((await post(admin, `/staff/m/${m.code}/quotes/answers`, fields)).status).toBe(303);
    const again = await post(admin, `/staff/m/${m.code}/quotes/answers`, fields);
    expect(again.status).toBe(409);
    expect(again.text).toContain("Dit antwoord is al gekozen als citaat.");
    expect(await db()("quotes").where({ response_id: done.responseId })).toEqual([expect.objectContaining({ source: "answer", question_key: "verbetering", status: "approved" })]);
    // Not an open question, or another municipality's response: as if it did not exist.
    expect((await post(admin, `/staff/m/${m.code}/quotes/answers`, { ...fields, questionKey: "wmo_serieus" })).status).toBe(404);
    const other = await makeMunicipality(db());
    const theirs = await complete(t, other, { verbetering: "Iets van een andere gemeente." });
    expect((await post(admin, `/staff/m/${m.code}/quotes/answers`, { ...fields, responseId: String(theirs.responseId) })).status).toBe(404);
  });
});

describe("urgent escalation", () => {
  it("e-mails the municipality at once with only a link, sends it once, and lets the municipality acknowledge it", async () => {
    const id = await reachedFollowup();
    await post(iris, url(id, "/conversation"), { action: "save", note_algemeen: NOTE });
    const before = smtp.received.length;
    const res = await post(iris, url(id, "/urgent"), { reason: "veiligheid" });
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain("melding=urgent-verstuurd");
    expect(smtp.received).toHaveLength(before + 1);
    const mail = smtp.received[smtp.received.length - 1]!;
    expect(mail.to).toBe("wmo@reigersdam.example.test");
    expect(mail.headers.subject).toMatch(/Urgente.melding/);
    expect(mail.text).toContain(`https://luisterpost.example.test/staff/m/${m.code}/followups/${id}`);
    // Nothing of the conversation, nor of the client, in the e-mail.
    for (const secret of ["Xqnotitie", "dochter", "veiligheid", "Ik werd snel geholpen", "+3161"]) expect(mail.text.includes(secret), secret).toBe(false);
    const f = await db()("followups").where({ id }).first();
    expect(f.urgent === true || f.urgent === 1).toBe(true);
    expect(f.urgent_reason).toBe("veiligheid");
    expect(f.escalated_at).not.toBeNull();

    // Flagging again sends nothing more.
    const again = await post(iris, url(id, "/urgent"), { reason: "geen_zorg" });
    expect(again.headers.location).toContain("melding=urgent-al");
    expect(smtp.received).toHaveLength(before + 1);

    // The municipality acknowledges in the UI; an interviewer cannot do that for it.
    expect((await post(iris, url(id, "/acknowledge"))).status).toBe(403);
    const page = await admin.agent.get(url(id));
    expect(page.text).toContain("Bevestigen: de gemeente pakt dit op");
    expect((await admin.agent.get(`/staff/m/${m.code}/followups`)).text).toContain("Er is 1 urgente melding");
    expect((await post(admin, url(id, "/acknowledge"))).status).toBe(303);
    const acked = await db()("followups").where({ id }).first();
    expect(acked.acknowledged_by_user_id).toBe(admin.user.user.id);
    expect((await admin.agent.get(url(id))).text).toContain("De gemeente bevestigde op");
    expect(await db()("audit_events").whereIn("action", ["followup.urgent", "followup.escalated", "followup.acknowledged"]).where({ subject_id: String(id) }).orderBy("id").pluck("action")).toEqual([
      "followup.urgent",
      "followup.escalated",
      "followup.acknowledged",
    ]);
  });

  it("goes to the address in the settings when there is one", async () => {
    await writeSettings(db(), m.id, FOLLOWUP_SETTINGS, { escalationEmail: "zorgmeldingen@reigersdam.example.test" }, null);
    const id = await reachedFollowup();
    expect((await post(iris, url(id, "/urgent"), { reason: "geen_zorg" })).status).toBe(303);
    expect(smtp.received[smtp.received.length - 1]!.to).toBe("zorgmeldingen@reigersdam.example.test");
    await writeSettings(db(), m.id, FOLLOWUP_SETTINGS, {}, null);
  });

  it("keeps the urgent flag when the mail server is down, says so, and sends it when asked again", async () => {
    const id = await reachedFollowup();
    await smtp.stop();
    try {
      const res = await post(iris, url(id, "/urgent"), { reason: "geen_zorg" });
      expect(res.status).toBe(503);
      expect(res.text).toContain("De urgente melding staat vast, maar de e-mail aan de gemeente is niet verstuurd");
      const f = await db()("followups").where({ id }).first();
      expect(f.urgent_reason).toBe("geen_zorg");
      expect(f.escalated_at).toBeNull();
    } finally {
      await smtp.start();
    }
    const before = smtp.received.length;
    const resent = await post(iris, url(id, "/urgent/resend"));
    expect(resent.status).toBe(303);
    expect(smtp.received).toHaveLength(before + 1);
    expect((await db()("followups").where({ id }).first()).escalated_at).not.toBeNull();
  });

  it("stores the flag and asks to call when the municipality has no address at all", async () => {
    const bare = await makeMunicipality(db());
    const ina = await staffOf(t, bare, "interviewer");
    const done = await complete(t, bare, DISSATISFIED);
    await post(ina, `/staff/m/${bare.code}/followups/${done.followupId}/claim`);
    const res = await post(ina, `/staff/m/${bare.code}/followups/${done.followupId}/urgent`, { reason: "anders" });
    expect(res.status).toBe(200);
    expect(res.text).toContain("er is geen e-mailadres van de gemeente ingesteld");
    expect((await db()("followups").where({ id: done.followupId }).first()).urgent_reason).toBe("anders");
    expect((await post(ina, `/staff/m/${bare.code}/followups/${done.followupId}/urgent`, { reason: "iets" })).status).toBe(200);
    const noReason = await complete(t, bare, DISSATISFIED);
    await post(ina, `/staff/m/${bare.code}/followups/${noReason.followupId}/claim`);
    const refused = await post(ina, `/staff/m/${bare.code}/followups/${noReason.followupId}/urgent`, {});
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("Kies waarom dit urgent is.");
  });
});
