// The retention job on a real migrated database (SQLite, or PostgreSQL with TEST_DATABASE_URL): contact data goes
// a municipality's number of days after everything of the client closed, and not while anything is open or
// waiting; what is pseudonymous stays; the dev outbox goes after 30 days; the run is audited and logged with
// counts only, idempotent, batched, and one at a time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineJobs } from "../../jobs/index.ts";
import { purgeContactDataJob } from "../../jobs/purge-contact-data.job.ts";
import { createQueue } from "../../jobs/queue.ts";
import { SCHEDULES } from "../../jobs/schedules.ts";
import type { Config } from "../../server/config.ts";
import { toDbTime, type Db } from "../../server/db.ts";
import { acquireLease } from "../../server/locks/locks.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { RETENTION_SETTINGS } from "../../server/retention/retention.schema.ts";
import { purgeContactData } from "../../server/retention/retention.service.ts";
import { writeSettings } from "../../server/settings/settings.service.ts";
import { loadSurveyCatalog } from "../../server/surveys/surveys.loader.ts";
import { captureLogger } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { makeJobDeps } from "../helpers/jobs.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { makeConversation, makeDelivery, makeFollowup, makeInvitation, makeResponse, versionFor } from "../reports/factories.ts";

const DAY = 86_400_000;
const catalog = loadSurveyCatalog();
let database: TestDatabase;
const db = (): Db => database.db;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

/** The moment everything in a test happened; the purge runs some days later. */
const base = new Date("2026-06-01T10:00:00Z");
const at = (days: number) => new Date(base.getTime() + days * DAY);

type ClientState = {
  /** Invitations: status and the day (after base) they closed. */
  invitations?: Array<{ status: "planned" | "sent" | "completed" | "expired" | "opted_out" | "failed"; closedDay?: number; letter?: "pending" | "batched" | "sent" }>;
  /** A conversation the planner has not handled yet. */
  unplanned?: boolean;
  /** A conversation the planner skipped, on this day. */
  skippedDay?: number;
  followup?: { status: "open" | "claimed" | "closed"; closedDay?: number };
};

let sequence = 0;

/** A client with contact data (callback phone included) in the given state; its id. */
async function makeClient(municipality: MunicipalityRow, state: ClientState): Promise<number> {
  sequence += 1;
  const versionId = await versionFor(db(), catalog, municipality.id, "wmo");
  const first = await makeConversation(db(), municipality.id, { planStatus: state.unplanned ? null : state.skippedDay !== undefined ? "skipped" : "invited", planReason: state.skippedDay !== undefined ? "fatigue" : null });
  const clientId = first.clientId;
  if (state.skippedDay !== undefined) await db()("conversations").where({ id: first.conversationId }).update({ planned_at: toDbTime(at(state.skippedDay)) });
  await db()("client_contacts").insert({
    client_id: clientId,
    email: `bewaar-${sequence}@example.test`,
    mobile: "+31612345678",
    street: "Voorbeeldlaan",
    house_number: String(sequence),
    postal_code: "9999 ZZ",
    city: "Voorbeeldstad",
    callback_phone: "+31698765432",
    updated_at: toDbTime(base),
  });
  let index = 0;
  for (const inv of state.invitations ?? []) {
    // Each further invitation belongs to a further conversation of the same client.
    const conversationId =
      index++ === 0 && !state.unplanned && state.skippedDay === undefined
        ? first.conversationId
        : (
            await db()("conversations")
              .insert({ municipality_id: municipality.id, client_id: clientId, external_id: `KTG-extra-${sequence}-${index}`, law: "wmo", held_on: "2026-05-01", source: "api", created_at: toDbTime(base), plan_status: "invited", planned_at: toDbTime(base) })
              .returning(["id"])
          )[0].id;
    const closed = inv.closedDay === undefined ? null : at(inv.closedDay);
    const invitationId = await makeInvitation(db(), { municipalityId: municipality.id, conversationId, clientId, questionnaireVersionId: versionId, status: inv.status, createdAt: at(-30), sentAt: at(-30), closedAt: closed, channel: inv.letter ? "letter" : "email" });
    await makeDelivery(db(), { municipalityId: municipality.id, invitationId, channel: inv.letter ? "letter" : "email", status: inv.letter ?? "delivered", at: at(-30) });
    if (inv.status === "completed") {
      const responseId = await makeResponse(db(), catalog, { municipalityId: municipality.id, invitationId, clientId, questionnaireVersionId: versionId, answers: { wmo_wist_waar: 2, rapportcijfer: 4, contact_toestemming: "ja" }, startedAt: at(-29), completedAt: closed ?? at(-29) });
      if (state.followup) {
        await makeFollowup(db(), {
          municipalityId: municipality.id,
          responseId,
          invitationId,
          clientId,
          status: state.followup.status,
          outcome: state.followup.status === "closed" ? "opgelost" : null,
          createdAt: at(-28),
          deadlineAt: at(-20),
          closedAt: state.followup.closedDay === undefined ? null : at(state.followup.closedDay),
          attempts: [{ at: at(-27), result: "reached" }],
          themes: ["wachttijd"],
        });
      }
    }
  }
  return clientId;
}

const hasContact = async (clientId: number) => (await db()("client_contacts").where({ client_id: clientId })).length === 1;

async function pseudonymousRows(municipalityId: number) {
  return {
    clients: (await db()("clients").where({ municipality_id: municipalityId })).length,
    responses: await db()("responses").where({ municipality_id: municipalityId }).orderBy("id").select("id", "answers", "status"),
    facts: (await db()("report_facts").where({ municipality_id: municipalityId })).length,
    followups: await db()("followups").where({ municipality_id: municipalityId }).orderBy("id").select("id", "status", "outcome"),
    themes: (await db()("followup_themes").join("followups", "followups.id", "followup_themes.followup_id").where({ "followups.municipality_id": municipalityId })).length,
    invitations: (await db()("report_invitation_facts").where({ municipality_id: municipalityId })).length,
  };
}

const purgedAudits = (municipalityId: number) => db()("audit_events").where({ action: "contact.purged", municipality_id: municipalityId }).orderBy("id");

describe("the retention policy", () => {
  let m: MunicipalityRow;
  const clients: Record<string, number> = {};

  beforeAll(async () => {
    m = await makeMunicipality(db());
    clients.completed = await makeClient(m, { invitations: [{ status: "completed", closedDay: 0 }] });
    clients.completedRecently = await makeClient(m, { invitations: [{ status: "completed", closedDay: 5 }] });
    clients.expired = await makeClient(m, { invitations: [{ status: "expired", closedDay: 0 }] });
    clients.optedOut = await makeClient(m, { invitations: [{ status: "opted_out", closedDay: 0 }] });
    clients.failed = await makeClient(m, { invitations: [{ status: "failed", closedDay: 0 }] });
    clients.sent = await makeClient(m, { invitations: [{ status: "sent" }] });
    clients.planned = await makeClient(m, { invitations: [{ status: "planned" }] });
    clients.unplanned = await makeClient(m, { unplanned: true });
    clients.skipped = await makeClient(m, { skippedDay: 0 });
    clients.skippedRecently = await makeClient(m, { skippedDay: 10 });
    clients.followupOpen = await makeClient(m, { invitations: [{ status: "completed", closedDay: 0 }], followup: { status: "open" } });
    clients.followupClaimed = await makeClient(m, { invitations: [{ status: "completed", closedDay: 0 }], followup: { status: "claimed" } });
    clients.followupClosed = await makeClient(m, { invitations: [{ status: "completed", closedDay: 0 }], followup: { status: "closed", closedDay: 0 } });
    clients.followupClosedRecently = await makeClient(m, { invitations: [{ status: "completed", closedDay: 0 }], followup: { status: "closed", closedDay: 10 } });
    clients.letterInBatch = await makeClient(m, { invitations: [{ status: "expired", closedDay: 0, letter: "batched" }] });
    clients.letterNotBatched = await makeClient(m, { invitations: [{ status: "expired", closedDay: 0, letter: "pending" }] });
    clients.letterPosted = await makeClient(m, { invitations: [{ status: "expired", closedDay: 0, letter: "sent" }] });
    clients.secondStillOpen = await makeClient(m, { invitations: [{ status: "completed", closedDay: 0 }, { status: "sent" }] });
    clients.secondClosedLater = await makeClient(m, { invitations: [{ status: "completed", closedDay: 0 }, { status: "expired", closedDay: 20 }] });
    clients.skippedThenCompleted = await makeClient(m, { skippedDay: 0, invitations: [{ status: "completed", closedDay: 0 }] });
  });

  it("keeps everything before the 90 days have passed", async () => {
    const counts = await purgeContactData(db(), { now: at(89) });
    expect(counts.contacts).toBe(0);
    for (const [name, id] of Object.entries(clients)) expect(await hasContact(id), name).toBe(true);
    expect(await purgedAudits(m.id)).toHaveLength(0);
  });

  it("after 90 days deletes the contact data (callback phone included) of clients with everything closed, and nothing else", async () => {
    const before = await pseudonymousRows(m.id);
    const counts = await purgeContactData(db(), { now: at(91) });
    const gone = ["completed", "expired", "optedOut", "failed", "skipped", "followupClosed", "letterPosted", "skippedThenCompleted"];
    expect(counts).toEqual({ contacts: gone.length, outboxMessages: 0, municipalities: 1, interrupted: false });
    for (const [name, id] of Object.entries(clients)) expect(await hasContact(id), name).toBe(!gone.includes(name));
    expect(await db()("client_contacts").whereIn("client_id", gone.map((name) => clients[name]!)).whereNotNull("callback_phone")).toHaveLength(0);
    // Pseudonymous answers, follow-up outcomes and themes, report facts and the funnel stay as they were.
    expect(await pseudonymousRows(m.id)).toEqual(before);
  });

  it("deletes each client's data once its own last closing is 90 days ago", async () => {
    await purgeContactData(db(), { now: at(101) });
    for (const name of ["completedRecently", "skippedRecently", "followupClosedRecently"]) expect(await hasContact(clients[name]!), name).toBe(false);
    expect(await hasContact(clients.secondClosedLater!)).toBe(true);
    await purgeContactData(db(), { now: at(111) });
    expect(await hasContact(clients.secondClosedLater!)).toBe(false);
    // Open or waiting, however long ago: kept.
    for (const name of ["sent", "planned", "unplanned", "followupOpen", "followupClaimed", "letterInBatch", "letterNotBatched", "secondStillOpen"]) {
      expect(await hasContact(clients[name]!), name).toBe(true);
    }
  });

  it("is audited once per municipality and run, with counts only, and a second run changes nothing", async () => {
    const audits = await purgedAudits(m.id);
    expect(audits).toHaveLength(3);
    const first = audits[0]!;
    expect(first.actor).toBe("bewaartermijn");
    expect(JSON.parse(first.details)).toEqual({ contacts: 8, outboxMessages: 0, contactDays: 90 });
    expect(first.ip).toBeNull();
    const before = await db()("client_contacts").count({ n: "*" });
    expect((await purgeContactData(db(), { now: at(111) })).contacts).toBe(0);
    expect(await db()("client_contacts").count({ n: "*" })).toEqual(before);
    expect(await purgedAudits(m.id)).toHaveLength(3);
  });
});

describe("a municipality's own retention period", () => {
  it("applies per municipality, and is refused below the minimum", async () => {
    const short = await makeMunicipality(db());
    const long = await makeMunicipality(db());
    expect((await writeSettings(db(), long.id, RETENTION_SETTINGS, { contactDays: 180 }, null)).ok).toBe(true);
    const refused = await writeSettings(db(), short.id, RETENTION_SETTINGS, { contactDays: 7 }, null);
    expect(refused.ok).toBe(false);
    const inShort = await makeClient(short, { invitations: [{ status: "completed", closedDay: 0 }] });
    const inLong = await makeClient(long, { invitations: [{ status: "completed", closedDay: 0 }] });
    await purgeContactData(db(), { now: at(120) });
    expect(await hasContact(inShort)).toBe(false);
    expect(await hasContact(inLong)).toBe(true);
    await purgeContactData(db(), { now: at(181) });
    expect(await hasContact(inLong)).toBe(false);
    expect(JSON.parse((await purgedAudits(long.id))[0]!.details)).toEqual({ contacts: 1, outboxMessages: 0, contactDays: 180 });
  });
});

describe("batches", () => {
  it("gives the same result in small batches over interleaved municipalities", async () => {
    const a = await makeMunicipality(db());
    const b = await makeMunicipality(db());
    const expected = new Map<number, boolean>();
    for (let i = 0; i < 12; i++) {
      const municipality = i % 3 === 0 ? b : a;
      const open = i % 4 === 1;
      expected.set(await makeClient(municipality, { invitations: [{ status: open ? "sent" : "completed", closedDay: open ? undefined : 0 }] }), open);
    }
    const counts = await purgeContactData(db(), { now: at(200), batchSize: 2 });
    expect(counts.contacts).toBe([...expected.values()].filter((open) => !open).length);
    for (const [clientId, open] of expected) expect(await hasContact(clientId)).toBe(open);
    expect(JSON.parse((await purgedAudits(a.id))[0]!.details).contacts + JSON.parse((await purgedAudits(b.id))[0]!.details).contacts).toBe(counts.contacts);
  });

  it("stops between batches when its lease was lost", async () => {
    const m = await makeMunicipality(db());
    const ids = [await makeClient(m, { invitations: [{ status: "completed", closedDay: 0 }] })];
    const counts = await purgeContactData(db(), { now: at(300), lease: { lost: () => true } });
    expect(counts.interrupted).toBe(true);
    expect(await hasContact(ids[0]!)).toBe(true);
  });
});

describe("the dev outbox", () => {
  it("loses its messages after 30 days, counted in the municipality's audit event", async () => {
    const m = await makeMunicipality(db());
    const now = new Date();
    const message = (daysAgo: number, municipalityId: number | null) => ({
      channel: "email",
      municipality_id: municipalityId,
      category: "invitation",
      recipient: `outbox-${daysAgo}@example.test`,
      subject: "Uw mening",
      body_text: "Tekst",
      headers: "{}",
      created_at: toDbTime(new Date(now.getTime() - daysAgo * DAY)),
    });
    await db()("dev_outbox").insert([message(31, m.id), message(45, m.id), message(29, m.id), message(40, null)]);
    const counts = await purgeContactData(db(), { now });
    expect(counts.outboxMessages).toBe(3);
    expect(await db()("dev_outbox").where({ municipality_id: m.id }).pluck("recipient")).toEqual(["outbox-29@example.test"]);
    expect(await db()("dev_outbox").whereNull("municipality_id")).toHaveLength(0);
    expect(JSON.parse((await purgedAudits(m.id))[0]!.details)).toEqual({ contacts: 0, outboxMessages: 2, contactDays: 90 });
  });
});

describe("the purge-contact-data job", () => {
  it("is scheduled nightly", () => {
    expect(SCHEDULES.find((s) => s.name === "purge-contact-data")?.cron).toBe("50 3 * * *");
  });

  it("runs once at a time: a second run while the lease is held does nothing", async () => {
    const m = await makeMunicipality(db());
    const clientId = await makeClient(m, { invitations: [{ status: "completed", closedDay: 0 }] });
    const held = await acquireLease(db(), "purge-contact-data", 60_000);
    expect(held).toBeDefined();
    expect(await purgeContactDataJob(db(), at(400))).toBeUndefined();
    expect(await hasContact(clientId)).toBe(true);
    await held!.release();
    const [one, two] = await Promise.all([purgeContactDataJob(db(), at(400)), purgeContactDataJob(db(), at(400))]);
    expect([one, two].filter((r) => r === undefined)).toHaveLength(1);
    expect(await hasContact(clientId)).toBe(false);
  });

  it("runs through the queue and logs counts only", async () => {
    const m = await makeMunicipality(db());
    const clientId = await makeClient(m, { invitations: [{ status: "completed", closedDay: 0 }] });
    // Closed long before today, so the job's own "now" lets it go.
    await db()("invitations").where({ client_id: clientId }).update({ closed_at: toDbTime(new Date(Date.now() - 200 * DAY)) });
    const { logger, lines } = captureLogger({ logLevel: "info", isProduction: false } as Config, "info");
    const queue = createQueue({ logger });
    defineJobs(queue, makeJobDeps(db(), database.url, logger));
    await queue.start();
    await queue.add("purge-contact-data", {});
    for (let i = 0; i < 200 && (await hasContact(clientId)); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    for (let i = 0; i < 100 && !lines.some((l) => l.includes("purge-contact-data")); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    await queue.close();
    expect(await hasContact(clientId)).toBe(false);
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.job === "purge-contact-data");
    expect(line).toMatchObject({ job: "purge-contact-data", interrupted: false });
    expect(Object.keys(line!).sort()).toEqual(["contacts", "interrupted", "job", "level", "msg", "municipalities", "outboxMessages", "time"]);
    expect(JSON.stringify(line)).not.toMatch(/example\.test|\+316|Voorbeeldlaan/);
  });
});
