// The planner on the real database: who is invited when, through which channel, and who is skipped and why;
// reminders, expiry, and that running it again changes nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config.ts";
import { audiencesFor, planInvitations } from "../../server/invitations/planner.service.ts";
import { invitationSettings } from "../../server/invitations/invitations.schema.ts";
import { writeSettings } from "../../server/settings/settings.service.ts";
import { loadSurveyCatalog } from "../../server/surveys/surveys.loader.ts";
import { amsterdamClock } from "../../server/time.ts";
import { createTestDatabase, testDialect, type TestDatabase } from "../helpers/database.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { addConversation, DAY_MS, weekdayMorning } from "./fixtures.ts";

let database: TestDatabase;
const catalog = loadSurveyCatalog();
let config: ReturnType<typeof loadConfig>;

beforeAll(async () => {
  database = await createTestDatabase();
  config = loadConfig({ NODE_ENV: "test", DATABASE_URL: database.url, SESSION_SECRET: "s".repeat(40) });
});

afterAll(async () => {
  await database.destroy();
});

const db = () => database.db;

async function invitationsOf(conversationId: number) {
  return db()("invitations as i")
    .join("questionnaire_versions as q", "q.id", "i.questionnaire_version_id")
    .where("i.conversation_id", conversationId)
    .select("i.id", "i.audience", "i.channel", "i.status", "q.questionnaire")
    .orderBy("i.audience");
}

async function planOf(conversationId: number) {
  return db()("conversations").where({ id: conversationId }).first("plan_status", "plan_reason");
}

async function deliveriesOf(invitationId: number) {
  return db()("deliveries").where({ invitation_id: invitationId }).orderBy("sequence").select("kind", "sequence", "channel", "status", "due_at");
}

describe(`invitation planner (${testDialect})`, () => {
  it("invites after the wait (21 days by default), not before, with the first message due now", async () => {
    const m = await makeMunicipality(db());
    const now = weekdayMorning(new Date());
    const early = await addConversation(db(), config, m.id, { daysAgo: 20 });
    const due = await addConversation(db(), config, m.id, { daysAgo: 21 });
    const counts = await planInvitations(db(), catalog, now);
    expect(counts.invitations).toBe(1);
    expect(await invitationsOf(early.conversationId)).toEqual([]);
    expect(await planOf(early.conversationId)).toEqual({ plan_status: null, plan_reason: null });
    const [inv] = await invitationsOf(due.conversationId);
    expect(inv).toMatchObject({ audience: "client", channel: "email", status: "planned", questionnaire: "wmo" });
    const [delivery] = await deliveriesOf(inv!.id);
    expect(delivery).toMatchObject({ kind: "invite", sequence: 0, channel: "email", status: "pending" });
    expect(await planOf(due.conversationId)).toEqual({ plan_status: "invited", plan_reason: null });
  });

  it("follows the municipality's wait setting", async () => {
    const m = await makeMunicipality(db());
    await writeSettings(db(), m.id, invitationSettings, { waitDays: 7 }, null);
    const c = await addConversation(db(), config, m.id, { daysAgo: 8 });
    await planInvitations(db(), catalog, weekdayMorning(new Date()));
    expect(await invitationsOf(c.conversationId)).toHaveLength(1);
  });

  it("uses the client's preference when it reaches them, else e-mail → SMS → letter", async () => {
    const m = await makeMunicipality(db());
    const prefersSms = await addConversation(db(), config, m.id, { preferredChannel: "sms" });
    const prefersLetterNoAddress = await addConversation(db(), config, m.id, { preferredChannel: "letter", address: false });
    const noEmail = await addConversation(db(), config, m.id, { email: false });
    const onlyAddress = await addConversation(db(), config, m.id, { email: false, mobile: false });
    const phone = await addConversation(db(), config, m.id, { preferredChannel: "phone" });
    await planInvitations(db(), catalog, weekdayMorning(new Date()));
    expect((await invitationsOf(prefersSms.conversationId))[0]!.channel).toBe("sms");
    expect((await invitationsOf(prefersLetterNoAddress.conversationId))[0]!.channel).toBe("email");
    expect((await invitationsOf(noEmail.conversationId))[0]!.channel).toBe("sms");
    expect((await invitationsOf(onlyAddress.conversationId))[0]!.channel).toBe("letter");
    expect((await invitationsOf(phone.conversationId))[0]!.channel).toBe("phone");
  });

  it("skips, visibly: a client invited in the last 6 months (fatigue), an opted-out client, a conversation long ago", async () => {
    const m = await makeMunicipality(db());
    const now = weekdayMorning(new Date());
    const first = await addConversation(db(), config, m.id, { daysAgo: 120 });
    await planInvitations(db(), catalog, new Date(now.getTime() - 98 * DAY_MS));
    expect(await invitationsOf(first.conversationId)).toHaveLength(1);
    const again = await addConversation(db(), config, m.id, { daysAgo: 25, clientExternalId: first.clientExternalId });
    const optedOut = await addConversation(db(), config, m.id);
    await db()("clients").where({ id: optedOut.clientId }).update({ opted_out_at: new Date().toISOString() });
    const old = await addConversation(db(), config, m.id, { daysAgo: 200 });
    const counts = await planInvitations(db(), catalog, now);
    expect(await planOf(again.conversationId)).toEqual({ plan_status: "skipped", plan_reason: "fatigue" });
    expect(await planOf(optedOut.conversationId)).toEqual({ plan_status: "skipped", plan_reason: "opted_out" });
    expect(await planOf(old.conversationId)).toEqual({ plan_status: "skipped", plan_reason: "too_old" });
    expect(counts.skipped).toMatchObject({ fatigue: 1, opted_out: 1, too_old: 1 });
    for (const c of [again, optedOut, old]) expect(await invitationsOf(c.conversationId)).toEqual([]);
  });

  it("skips a client whose contact data was erased as unreachable", async () => {
    const m = await makeMunicipality(db());
    const c = await addConversation(db(), config, m.id);
    await db()("client_contacts").where({ client_id: c.clientId }).delete();
    const counts = await planInvitations(db(), catalog, weekdayMorning(new Date()));
    expect(counts.skipped.unreachable).toBe(1);
    expect(await planOf(c.conversationId)).toEqual({ plan_status: "skipped", plan_reason: "unreachable" });
  });

  it("asks a second conversation of the same client in one run only once", async () => {
    const m = await makeMunicipality(db());
    const a = await addConversation(db(), config, m.id, { daysAgo: 30 });
    const b = await addConversation(db(), config, m.id, { daysAgo: 25, clientExternalId: a.clientExternalId });
    await planInvitations(db(), catalog, weekdayMorning(new Date()));
    expect(await invitationsOf(a.conversationId)).toHaveLength(1);
    expect(await planOf(b.conversationId)).toEqual({ plan_status: "skipped", plan_reason: "fatigue" });
  });

  it("invites Jeugd parents for a child under 12, both for 12–17, the young person from 18", async () => {
    expect(audiencesFor("jeugd", "2026-10-01", 2018).map((a) => a.audience)).toEqual(["ouders"]);
    expect(audiencesFor("jeugd", "2026-10-01", 2012).map((a) => a.audience)).toEqual(["ouders", "jongeren"]);
    expect(audiencesFor("jeugd", "2026-10-01", 2008).map((a) => a.audience)).toEqual(["jongeren"]);
    expect(audiencesFor("jeugd", "2026-10-01", null).map((a) => a.audience)).toEqual(["ouders"]);
    const m = await makeMunicipality(db());
    const teen = await addConversation(db(), config, m.id, { law: "jeugd", birthYear: new Date().getUTCFullYear() - 14 });
    await planInvitations(db(), catalog, weekdayMorning(new Date()));
    expect((await invitationsOf(teen.conversationId)).map((i) => [i.audience, i.questionnaire])).toEqual([
      ["jongeren", "jeugd-jongeren"],
      ["ouders", "jeugd-ouders"],
    ]);
  });

  it("holds an SMS until 09:00 on a weekday, and an SMS due on Saturday evening until Monday", async () => {
    const m = await makeMunicipality(db());
    const c = await addConversation(db(), config, m.id, { preferredChannel: "sms" });
    // A Saturday 21:00 in Amsterdam (20:00 UTC in winter).
    let saturday = new Date();
    while (amsterdamClock(saturday).weekday !== 6) saturday = new Date(saturday.getTime() + DAY_MS);
    saturday.setUTCHours(20, 0, 0, 0);
    await planInvitations(db(), catalog, saturday);
    const [inv] = await invitationsOf(c.conversationId);
    const [delivery] = await deliveriesOf(inv!.id);
    const due = amsterdamClock(new Date(delivery!.due_at));
    expect([due.weekday, due.hour, due.minute]).toEqual([1, 9, 0]);
  });

  it("creates the reminders 7 and 14 days after the invitation went out, each once, and expires it after 6 weeks", async () => {
    const m = await makeMunicipality(db());
    const start = weekdayMorning(new Date());
    const c = await addConversation(db(), config, m.id);
    await planInvitations(db(), catalog, start);
    const [inv] = await invitationsOf(c.conversationId);
    // The dispatcher's part: the invitation went out at `start`.
    await db()("deliveries").where({ invitation_id: inv!.id }).update({ status: "sent", sent_at: start.toISOString() });
    await db()("invitations").where({ id: inv!.id }).update({
      status: "sent",
      sent_at: start.toISOString(),
      next_reminder_at: new Date(start.getTime() + 7 * DAY_MS).toISOString(),
      expires_at: new Date(start.getTime() + 42 * DAY_MS).toISOString(),
    });
    expect((await planInvitations(db(), catalog, new Date(start.getTime() + 6 * DAY_MS))).reminders).toBe(0);
    expect((await planInvitations(db(), catalog, new Date(start.getTime() + 7 * DAY_MS + 60_000))).reminders).toBe(1);
    expect((await planInvitations(db(), catalog, new Date(start.getTime() + 8 * DAY_MS))).reminders).toBe(0);
    expect((await planInvitations(db(), catalog, new Date(start.getTime() + 14 * DAY_MS + 60_000))).reminders).toBe(1);
    expect((await planInvitations(db(), catalog, new Date(start.getTime() + 30 * DAY_MS))).reminders).toBe(0);
    expect((await deliveriesOf(inv!.id)).map((d) => [d.kind, d.sequence])).toEqual([
      ["invite", 0],
      ["reminder", 1],
      ["reminder", 2],
    ]);
    const expiry = await planInvitations(db(), catalog, new Date(start.getTime() + 42 * DAY_MS + 60_000));
    expect(expiry.expired).toBeGreaterThanOrEqual(1);
    expect((await invitationsOf(c.conversationId))[0]!.status).toBe("expired");
  });

  it("changes nothing when it runs again", async () => {
    const m = await makeMunicipality(db());
    const now = weekdayMorning(new Date());
    for (let i = 0; i < 5; i += 1) await addConversation(db(), config, m.id);
    await planInvitations(db(), catalog, now);
    const before = await db()("deliveries").where({ municipality_id: m.id }).count({ n: "*" });
    const again = await planInvitations(db(), catalog, now);
    expect(again.invitations).toBe(0);
    expect(await db()("deliveries").where({ municipality_id: m.id }).count({ n: "*" })).toEqual(before);
  });

  it("leaves a conversation that already has an invitation made by hand alone", async () => {
    const m = await makeMunicipality(db());
    const c = await addConversation(db(), config, m.id);
    const { createInvitation } = await import("../../server/invitations/invitations.service.ts");
    await createInvitation(db(), catalog, { municipalityId: m.id, conversationId: c.conversationId, clientId: c.clientId, questionnaire: "wmo", audience: "client", channel: "email" });
    const counts = await planInvitations(db(), catalog, weekdayMorning(new Date()));
    expect(counts.invitations).toBe(0);
    expect(await invitationsOf(c.conversationId)).toHaveLength(1);
  });
});
