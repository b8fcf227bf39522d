// The staff side of the invitations through the real forms: funnel, policy settings (with refusals),
// failed messages and the bounce action, letter batches (download audited, mark posted), the phone list,
// the municipality's outbox, and the measurement column of the conversations list.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchAllDue, type DispatchDeps } from "../../server/invitations/dispatch.service.ts";
import { planInvitations } from "../../server/invitations/planner.service.ts";
import { createLetterBatches } from "../../server/letters/letters.service.ts";
import { createSmsSender } from "../../server/sms/sms.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality, makeUser, signIn, submitForm, type Agent } from "../helpers/staff.ts";
import { addConversation, weekdayMorning } from "./fixtures.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";

let t: TestApp;
let m: MunicipalityRow;
let other: MunicipalityRow;
let admin: Agent;
let reader: Agent;
let interviewer: Agent;
let dataEntry: Agent;
let deps: DispatchDeps;
const people: Record<string, Awaited<ReturnType<typeof addConversation>>> = {};

const db = () => t.database.db;
const page = (p: string) => `/staff/m/${m.code}${p}`;

beforeAll(async () => {
  t = await createTestApp({ MAIL_RATE_PER_SECOND: "1000", SMS_RATE_PER_SECOND: "1000" });
  m = await makeMunicipality(db(), { name: "Merelveen" });
  other = await makeMunicipality(db(), { name: "Elders" });
  admin = await signIn(t.app, await makeUser(db(), { memberships: [{ municipalityId: m.id, role: "admin" }] }));
  reader = await signIn(t.app, await makeUser(db(), { memberships: [{ municipalityId: m.id, role: "reader" }] }));
  interviewer = await signIn(t.app, await makeUser(db(), { memberships: [{ municipalityId: m.id, role: "interviewer" }] }));
  dataEntry = await signIn(t.app, await makeUser(db(), { memberships: [{ municipalityId: m.id, role: "data-entry" }] }));
  people.email = await addConversation(db(), t.config, m.id);
  people.sms = await addConversation(db(), t.config, m.id, { preferredChannel: "sms" });
  people.letter = await addConversation(db(), t.config, m.id, { preferredChannel: "letter" });
  people.phone = await addConversation(db(), t.config, m.id, { preferredChannel: "phone", language: "en" });
  people.waiting = await addConversation(db(), t.config, m.id, { daysAgo: 3 });
  people.elsewhere = await addConversation(db(), t.config, other.id);
  deps = { db: db(), config: t.config, mailer: t.mailer, sms: createSmsSender({ config: t.config, db: db(), logger: t.logger }), logger: t.logger };
  const now = weekdayMorning(new Date());
  await planInvitations(db(), t.catalog, now);
  await dispatchAllDue({ ...deps, clock: () => now }, "email");
  await dispatchAllDue({ ...deps, clock: () => now }, "sms");
  await createLetterBatches(db(), t.config, now);
});

afterAll(async () => {
  await t.close();
});

describe("invitations in the staff UI", () => {
  it("shows the funnel per channel to admins and readers, not to interviewers or data entry", async () => {
    const res = await reader.get(page("/invitations"));
    expect(res.status).toBe(200);
    expect(res.text).toContain("Per kanaal");
    expect(res.text).toMatch(/data-testid="conversations-total">5</);
    expect(res.text).toMatch(/data-testid="conversations-invited">4</);
    for (const channel of ["email", "sms", "letter", "phone"]) expect(res.text).toContain(`data-channel="${channel}"`);
    expect(res.text).not.toMatch(/example\.test|\+316/);
    expect(res.text).not.toContain("/invitations/settings");
    expect((await admin.get(page("/invitations"))).text).toContain("/invitations/settings");
    expect((await interviewer.get(page("/invitations"))).status).toBe(403);
    expect((await dataEntry.get(page("/invitations"))).status).toBe(403);
  });

  it("saves the policy for an admin (audited), refuses wrong values naming them, and keeps the old policy", async () => {
    const form = await admin.get(page("/invitations/settings"));
    expect(form.status).toBe(200);
    expect(form.text).toContain('value="21"');
    const fields = {
      waitDays: "14", maxLateDays: "60", fatigueMonths: "6", expiryDays: "42", reminder1: "5", reminder2: "12", reminder3: "",
      order1: "email", order2: "letter", order3: "sms", channels: ["email", "sms", "letter", "phone"], smsStart: "10:00", smsEnd: "19:00",
      smsDays: ["1", "2", "3", "4", "5"],
    } as unknown as Record<string, string>;
    const saved = await submitForm(admin, page("/invitations/settings"), page("/invitations/settings"), fields);
    expect(saved.status).toBe(303);
    const stored = await db()("municipality_settings").where({ municipality_id: m.id, section: "invitations" }).first();
    expect(JSON.parse(typeof stored.value === "string" ? stored.value : JSON.stringify(stored.value))).toMatchObject({ waitDays: 14, reminderDays: [5, 12], channelOrder: ["email", "letter", "sms"], smsWindow: { start: "10:00", end: "19:00", days: [1, 2, 3, 4, 5] } });
    expect(await db()("audit_events").where({ action: "invitations.settings_changed", municipality_id: m.id })).toHaveLength(1);
    const refused = await submitForm(admin, page("/invitations/settings"), page("/invitations/settings"), { ...fields, waitDays: "-3", reminder1: "12", reminder2: "5", order2: "email", smsStart: "21:00", smsEnd: "08:00" });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("Niet opgeslagen");
    expect(refused.text).toContain("kan niet negatief zijn");
    expect(refused.text).toContain("elke herinnering komt later dan de vorige");
    expect(refused.text).toContain("elk kanaal één keer");
    expect(refused.text).toContain("het begin ligt voor het eind");
    const after = await db()("municipality_settings").where({ municipality_id: m.id, section: "invitations" }).first();
    expect(after.value).toEqual(stored.value);
    expect((await reader.get(page("/invitations/settings"))).status).toBe(403);
  });

  it("lists the letter batch for admin and data entry; the download is audited; posting starts the clock", async () => {
    const list = await dataEntry.get(page("/letters"));
    expect(list.status).toBe(200);
    const link = /href="(\/staff\/m\/[A-Z0-9]+\/letters\/(\d+)\/pdf)"/.exec(list.text)!;
    const pdf = await dataEntry.get(link[1]!).buffer(true);
    expect(pdf.status).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.headers["content-disposition"]).toMatch(/^attachment; filename="brieven-/);
    expect(await db()("audit_events").where({ action: "letters.downloaded", municipality_id: m.id })).toHaveLength(1);
    const letterInvitation = await db()("invitations").where({ client_id: people.letter!.clientId }).first();
    expect(letterInvitation.status).toBe("planned");
    const posted = await submitForm(dataEntry, page("/letters"), page(`/letters/${link[2]}/posted`), {});
    expect(posted.status).toBe(303);
    expect((await db()("invitations").where({ id: letterInvitation.id }).first()).status).toBe("sent");
    expect((await db()("deliveries").where({ invitation_id: letterInvitation.id }).first()).status).toBe("sent");
    expect((await dataEntry.get(page("/letters"))).text).toContain("Verstuurd op");
    expect((await reader.get(page("/letters"))).status).toBe(403);
    // Another municipality's batch is not found through this municipality's URL.
    expect((await dataEntry.get(`/staff/m/${m.code}/letters/999999/pdf`)).status).toBe(404);
  });

  it("puts phone clients on the interviewers' list; the number only after an audited click; starting the call sends the invitation", async () => {
    const list = await interviewer.get(page("/phone-list"));
    expect(list.status).toBe(200);
    expect(list.text).toContain(people.phone!.clientExternalId);
    expect(list.text).toContain("Engels");
    expect(list.text).not.toContain(people.phone!.mobile);
    const shown = await submitForm(interviewer, page("/phone-list"), page(`/phone-list/${people.phone!.clientId}/number`), {});
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(people.phone!.mobile);
    expect(await db()("audit_events").where({ action: "contact.viewed", municipality_id: m.id, subject_id: String(people.phone!.clientId) })).toHaveLength(1);
    const invitation = await db()("invitations").where({ client_id: people.phone!.clientId }).first();
    const entry = await interviewer.get(page(`/invitations/${invitation.id}/entry?modus=phone`));
    expect(entry.status).toBe(200);
    expect((await db()("invitations").where({ id: invitation.id }).first()).status).toBe("sent");
    expect((await dataEntry.get(page("/phone-list"))).status).toBe(403);
    expect((await submitForm(interviewer, page("/phone-list"), page(`/phone-list/${people.elsewhere!.clientId}/number`), {})).status).toBe(404);
  });

  it("shows failed messages with their reason, and lets an admin report a bounce from the client page", async () => {
    const client = await admin.get(page(`/clients/${people.email!.clientId}`));
    expect(client.status).toBe(200);
    expect(client.text).toContain("Onbestelbaar melden");
    const delivery = await db()("deliveries as d").join("invitations as i", "i.id", "d.invitation_id").where("i.client_id", people.email!.clientId).first("d.id");
    const bounced = await submitForm(admin, page(`/clients/${people.email!.clientId}`), page(`/deliveries/${delivery.id}/bounce`), { terug: page(`/clients/${people.email!.clientId}`) });
    expect(bounced.status).toBe(303);
    expect(bounced.headers.location).toBe(`${page(`/clients/${people.email!.clientId}`)}?melding=bounce`);
    const rows = await db()("deliveries as d").join("invitations as i", "i.id", "d.invitation_id").where("i.client_id", people.email!.clientId).orderBy("d.id").select("d.channel", "d.status");
    // The policy saved above puts the letter second.
    expect(rows).toEqual([
      { channel: "email", status: "bounced" },
      { channel: "letter", status: "pending" },
    ]);
    const failed = await admin.get(page("/deliveries/failed"));
    expect(failed.text).toContain("Door een beheerder gemeld als onbestelbaar");
    expect(failed.text).toContain(people.email!.clientExternalId);
    expect(failed.text).not.toContain(people.email!.email);
    expect(await db()("audit_events").where({ action: "delivery.bounced", municipality_id: m.id })).toHaveLength(1);
    expect((await interviewer.get(page("/deliveries/failed"))).status).toBe(403);
  });

  it("shows the municipality's own outbox to its admin, with the invitation e-mail and SMS", async () => {
    const outbox = await admin.get(page("/outbox"));
    expect(outbox.status).toBe(200);
    expect(outbox.text).toContain("Hoe was uw gesprek met de gemeente Merelveen?");
    expect(outbox.text).toContain("Sms");
    expect(outbox.text).not.toContain(people.elsewhere!.email);
    const id = /href="\/staff\/m\/[A-Z0-9]+\/outbox\/(\d+)"/.exec(outbox.text)![1];
    const message = await admin.get(page(`/outbox/${id}`));
    expect(message.status).toBe(200);
    expect(message.text).toMatch(/\/s\/[A-Za-z0-9_-]{22}/);
    const foreign = await db()("dev_outbox").where({ municipality_id: other.id }).first("id");
    expect((await admin.get(page(`/outbox/${foreign.id}`))).status).toBe(404);
  });

  it("shows each conversation's measurement in the list", async () => {
    const list = await reader.get(page("/conversations"));
    expect(list.text).toMatch(new RegExp(`data-testid="measurement-${people.waiting!.externalId}">Wacht op uitnodiging<`));
    expect(list.text).toMatch(new RegExp(`data-testid="measurement-${people.sms!.externalId}">Uitgenodigd<`));
  });
});
