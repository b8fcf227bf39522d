// The interviewers' queue and claiming, over HTTP through the real forms: who may open it (readers and
// data-entry get 403), the order (call-backs whose time came, then by service-level deadline), what it shows
// (the triggering answers and the language, never the other free text), claiming (one of two simultaneous
// claims wins, the other gets a clear message), the phone number only for the holder and audited, handing over
// by an administrator, and nothing of another municipality.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromJson } from "../../server/db.ts";
import { logAttempt } from "../../server/followups/followups.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { complete, DISSATISFIED, post, staffOf, type Staff } from "./fixtures.ts";

let t: TestApp;
const db = () => t.database.db;
let m: MunicipalityRow;
let admin: Staff;
let iris: Staff;
let ivo: Staff;
let reader: Staff;
let dataEntry: Staff;
const base = () => `/staff/m/${m.code}/followups`;
const who = (s: Staff) => ({ municipalityId: m.id, userId: s.user.user.id, role: "interviewer" as const, actor: { actorUserId: s.user.user.id, actor: s.user.email, ip: null, requestId: null } });

const SECRET_TEXT = "Xqvrijetekst over de buurvrouw";
const days = (n: number) => new Date(Date.now() - n * 86_400_000);

beforeAll(async () => {
  t = await createTestApp();
  m = await makeMunicipality(db(), { name: "Kwartelburg" });
  admin = await staffOf(t, m, "admin", "Beheerder Test");
  iris = await staffOf(t, m, "interviewer", "Iris Interviewer");
  ivo = await staffOf(t, m, "interviewer", "Ivo Interviewer");
  reader = await staffOf(t, m, "reader");
  dataEntry = await staffOf(t, m, "data-entry");
});
afterAll(async () => {
  await t?.close();
});

describe("who may open the queue", () => {
  it("gives readers and data-entry users 403 on the queue, a follow-up and its forms; interviewers and admins get in", async () => {
    const done = await complete(t, m, DISSATISFIED);
    for (const s of [reader, dataEntry]) {
      const queue = await s.agent.get(base());
      expect(queue.status).toBe(403);
      expect(queue.text).toContain("Uw rol bij deze gemeente geeft geen toegang tot deze pagina.");
      expect((await s.agent.get(`${base()}/${done.followupId}`)).status).toBe(403);
      expect((await post(s, `${base()}/${done.followupId}/claim`)).status).toBe(403);
    }
    expect((await db()("followups").where({ id: done.followupId }).first()).status).toBe("open");
    for (const s of [iris, admin]) expect((await s.agent.get(base())).status).toBe(200);
  });
});

describe("the queue", () => {
  let ids: { old: number; middle: number; fresh: number };

  beforeAll(async () => {
    await db()("followups").where({ municipality_id: m.id }).delete();
    const old = await complete(t, m, DISSATISFIED, { at: days(12) });
    const middle = await complete(t, m, { ...DISSATISFIED, verbetering: SECRET_TEXT }, { at: days(6) });
    const fresh = await complete(t, m, { wmo_past: 1, contact_toestemming: "ja" }, { at: days(1) });
    ids = { old: old.followupId!, middle: middle.followupId!, fresh: fresh.followupId! };
    await db()("clients").where({ id: fresh.clientId }).update({ language: "tr" });
  });

  const queueOrder = async () => {
    const page = await iris.agent.get(base());
    return [...page.text.matchAll(/href="\/staff\/m\/GM\d+\/followups\/(\d+)">Nr\./g)].map((x) => Number(x[1]));
  };

  it("lists the oldest deadline first, with the triggering answers and the client's language", async () => {
    expect(await queueOrder()).toEqual([ids.old, ids.middle, ids.fresh]);
    const page = await iris.agent.get(base());
    expect(page.text).toContain("Ik werd snel geholpen.");
    expect(page.text).toContain("Helemaal niet mee eens");
    expect(page.text).toContain("Turks");
    expect(page.text).toContain("Te laat");
  });

  it("never shows the other answers' free text in the queue, nor to anyone but the holder", async () => {
    expect((await iris.agent.get(base())).text).not.toContain(SECRET_TEXT);
    expect((await iris.agent.get(`${base()}/${ids.middle}`)).text).not.toContain(SECRET_TEXT);
    expect((await post(ivo, `${base()}/${ids.middle}/claim`)).status).toBe(303);
    const holder = await ivo.agent.get(`${base()}/${ids.middle}`);
    expect(holder.text).toContain("Andere antwoorden van de cliënt");
    expect(holder.text).toContain(SECRET_TEXT);
    expect((await iris.agent.get(`${base()}/${ids.middle}`)).text).not.toContain(SECRET_TEXT);
    expect((await post(ivo, `${base()}/${ids.middle}/release`)).status).toBe(303);
  });

  it("puts a call-back at the bottom until its time, then at the top", async () => {
    expect((await post(iris, `${base()}/${ids.fresh}/claim`)).status).toBe(303);
    // Logged two hours ago: "call back in one hour from then", which is now an hour past.
    const then = new Date(Date.now() - 2 * 3_600_000);
    await logAttempt(db(), who(iris), ids.fresh, { result: "callback", callbackAt: new Date(then.getTime() + 3_600_000) }, then);
    expect(await queueOrder()).toEqual([ids.fresh, ids.old, ids.middle]);
    expect((await iris.agent.get(base())).text).toContain("Nu terugbellen");

    // A call-back planned for tomorrow sinks below everything else until then.
    expect((await post(iris, `${base()}/${ids.fresh}/attempts`, { result: "callback", callbackAt: localInput(new Date(Date.now() + 86_400_000)) })).status).toBe(303);
    expect(await queueOrder()).toEqual([ids.old, ids.middle, ids.fresh]);
  });
});

function localInput(date: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

describe("claiming", () => {
  it("lets one of two simultaneous claims win; the other gets a clear message and the winner keeps it", async () => {
    const done = await complete(t, m, DISSATISFIED);
    const url = `${base()}/${done.followupId}/claim`;
    const [a, b] = await Promise.all([post(iris, url), post(ivo, url)]);
    expect([a.status, b.status].sort()).toEqual([303, 409]);
    const loser = a.status === 409 ? a : b;
    const winner = a.status === 303 ? iris : ivo;
    expect(loser.text).toContain("Dit gesprek is net opgepakt door");
    expect(loser.text).toContain(winner.user.user.name);
    const row = await db()("followups").where({ id: done.followupId }).first();
    expect(row.status).toBe("claimed");
    expect(row.claimed_by_user_id).toBe(winner.user.user.id);
    expect(await db()("audit_events").where({ action: "followup.claimed", subject_id: String(done.followupId) })).toHaveLength(1);

    // Others see that it is taken, and by whom; it is not offered to them.
    const other = winner === iris ? ivo : iris;
    const page = await other.agent.get(`${base()}/${done.followupId}`);
    expect(page.text).toContain(`Dit gesprek is opgepakt door ${winner.user.user.name}`);
    expect(page.text).not.toContain("Toon telefoonnummer");
    // Claiming again is harmless for the winner, and it is among the winner's own.
    expect((await post(winner, url)).status).toBe(303);
    expect((await winner.agent.get(`${base()}?weergave=mine`)).text).toContain(`followups/${done.followupId}">Nr. ${done.followupId}`);
    expect((await other.agent.get(`${base()}?weergave=mine`)).text).not.toContain(`followups/${done.followupId}">Nr.`);
  });

  it("shows the phone number only to the holder, after a click, and records each showing", async () => {
    const done = await complete(t, m, DISSATISFIED, { phone: "06 87654321", mobile: false });
    const id = done.followupId!;
    expect((await post(iris, `${base()}/${id}/claim`)).status).toBe(303);
    const before = await db()("audit_events").where({ action: "contact.viewed" });

    expect((await iris.agent.get(`${base()}/${id}`)).text).not.toContain("87654321");
    const denied = await post(ivo, `${base()}/${id}/contact`);
    expect(denied.status).toBe(403);
    expect(denied.text).not.toContain("87654321");
    const shown = await post(iris, `${base()}/${id}/contact`);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain("+31687654321");
    expect(shown.text).toContain("Dat u het nummer heeft bekeken, staat in het logboek.");

    const after = await db()("audit_events").where({ action: "contact.viewed" }).orderBy("id");
    expect(after).toHaveLength(before.length + 1);
    const event = after[after.length - 1];
    expect(event).toMatchObject({ municipality_id: m.id, actor_user_id: iris.user.user.id, subject_type: "client", subject_id: String(done.clientId) });
    expect(fromJson(event.details)).toMatchObject({ via: "followup" });
    // The administrator cannot see it either without holding it.
    expect((await post(admin, `${base()}/${id}/contact`)).status).toBe(403);
  });

  it("refuses notes on a follow-up someone else claimed, and stores nothing", async () => {
    const done = await complete(t, m, DISSATISFIED);
    const id = done.followupId!;
    expect((await post(iris, `${base()}/${id}/claim`)).status).toBe(303);
    const res = await post(ivo, `${base()}/${id}/conversation`, { note_algemeen: "Notitie van de verkeerde collega", action: "save" });
    expect(res.status).toBe(403);
    expect(res.text).toContain("Dit gesprek is opgepakt door Iris Interviewer. Alleen die kan pogingen, notities en de uitkomst vastleggen.");
    expect(await db()("followup_notes").where({ followup_id: id })).toHaveLength(0);
    expect((await post(ivo, `${base()}/${id}/attempts`, { result: "no_answer" })).status).toBe(403);
    expect(await db()("followup_attempts").where({ followup_id: id })).toHaveLength(0);
    // Unclaimed: first claim it.
    const open = await complete(t, m, DISSATISFIED);
    const unclaimed = await post(ivo, `${base()}/${open.followupId}/attempts`, { result: "no_answer" });
    expect(unclaimed.status).toBe(409);
    expect(unclaimed.text).toContain("Pak dit gesprek eerst op");
  });

  it("lets an administrator hand a follow-up to another interviewer, and only to one of this municipality", async () => {
    const done = await complete(t, m, DISSATISFIED);
    const id = done.followupId!;
    expect((await post(iris, `${base()}/${id}/claim`)).status).toBe(303);
    expect((await post(iris, `${base()}/${id}/assign`, { user: String(ivo.user.user.id) })).status).toBe(403);
    const bad = await post(admin, `${base()}/${id}/assign`, { user: String(reader.user.user.id) });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("Kies een interviewer of beheerder van deze gemeente.");
    const ok = await post(admin, `${base()}/${id}/assign`, { user: String(ivo.user.user.id) });
    expect(ok.status).toBe(303);
    expect((await db()("followups").where({ id }).first()).claimed_by_user_id).toBe(ivo.user.user.id);
    // The previous holder can no longer work on it; the new one can.
    expect((await post(iris, `${base()}/${id}/attempts`, { result: "no_answer" })).status).toBe(403);
    expect((await post(ivo, `${base()}/${id}/attempts`, { result: "no_answer" })).status).toBe(303);
    // An administrator can put it back in the queue.
    expect((await post(admin, `${base()}/${id}/release`)).status).toBe(303);
    expect((await db()("followups").where({ id }).first()).status).toBe("open");
  });

  it("answers 404 for a follow-up of another municipality or an id that is no number, and changes nothing", async () => {
    const other = await makeMunicipality(db());
    const theirs = await complete(t, other, DISSATISFIED);
    for (const path of [`${base()}/${theirs.followupId}`, `${base()}/abc`, `${base()}/0`]) {
      expect((await iris.agent.get(path)).status).toBe(404);
    }
    expect((await post(iris, `${base()}/${theirs.followupId}/claim`)).status).toBe(404);
    expect((await db()("followups").where({ id: theirs.followupId }).first()).status).toBe("open");
    expect((await iris.agent.get(`/staff/m/${other.code}/followups`)).status).toBe(404);
  });
});
