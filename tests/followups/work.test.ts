// The interviewer's work on one follow-up, over HTTP through the real forms: call attempts (a "call back at" in
// the past is refused; three unsuccessful attempts on different days close it as not reached, unless the
// interviewer continues), and the conversation (an outcome needs notes and a conversation; themes come from the
// municipality's list; what was typed survives a refusal).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromJson } from "../../server/db.ts";
import { FOLLOWUP_SETTINGS } from "../../server/followups/followups.settings.ts";
import { amsterdamLocalInput } from "../../server/followups/working-days.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { writeSettings } from "../../server/settings/settings.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { complete, DISSATISFIED, post, staffOf, type Staff } from "./fixtures.ts";

let t: TestApp;
const db = () => t.database.db;
let m: MunicipalityRow;
let iris: Staff;
let admin: Staff;
const url = (id: number, action = "") => `/staff/m/${m.code}/followups/${id}${action}`;
const at = (daysAgo: number, hour = 10) => {
  const d = new Date(Date.now() - daysAgo * 86_400_000);
  return `${amsterdamLocalInput(d).slice(0, 10)}T${String(hour).padStart(2, "0")}:00`;
};

/** A follow-up completed `daysAgo` days ago, claimed by Iris. */
async function claimed(daysAgo = 10): Promise<number> {
  const done = await complete(t, m, DISSATISFIED, { at: new Date(Date.now() - daysAgo * 86_400_000 - 3_600_000 * 12) });
  expect((await post(iris, url(done.followupId!, "/claim"))).status).toBe(303);
  return done.followupId!;
}
const row = (id: number) => db()("followups").where({ id }).first();

beforeAll(async () => {
  t = await createTestApp();
  m = await makeMunicipality(db());
  iris = await staffOf(t, m, "interviewer", "Iris Interviewer");
  admin = await staffOf(t, m, "admin");
});
afterAll(async () => {
  await t?.close();
});

describe("call attempts", () => {
  it("logs an attempt with its time and result, and records the first attempt for the service level", async () => {
    const id = await claimed();
    const res = await post(iris, url(id, "/attempts"), { result: "voicemail", attemptedAt: at(2, 11) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain("melding=poging");
    const attempts = await db()("followup_attempts").where({ followup_id: id });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ result: "voicemail", user_id: iris.user.user.id });
    const f = await row(id);
    expect(f.attempts).toBe(1);
    expect(f.first_attempt_at).not.toBeNull();
    const page = await iris.agent.get(url(id));
    expect(page.text).toContain("Voicemail");
  });

  it("refuses a call-back time in the past, or none, or one that is no date, and stores nothing", async () => {
    const id = await claimed();
    const past = await post(iris, url(id, "/attempts"), { result: "callback", callbackAt: at(1, 9) });
    expect(past.status).toBe(400);
    expect(past.text).toContain("Het moment om terug te bellen ligt in het verleden. Kies een datum en tijd die nog moeten komen.");
    // What was chosen is still in the form.
    expect(past.text).toMatch(/id="result-callback" name="result" value="callback" checked/);
    const missing = await post(iris, url(id, "/attempts"), { result: "callback", callbackAt: "" });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain("Vul in wanneer u de cliënt terugbelt.");
    const nonsense = await post(iris, url(id, "/attempts"), { result: "callback", callbackAt: "morgen om drie uur" });
    expect(nonsense.status).toBe(400);
    expect(nonsense.text).toContain("geen geldige datum en tijd");
    const noResult = await post(iris, url(id, "/attempts"), { result: "opgehangen" });
    expect(noResult.status).toBe(400);
    expect(noResult.text).toContain("Kies het resultaat van de poging.");
    const future = await post(iris, url(id, "/attempts"), { result: "no_answer", attemptedAt: at(-2, 10) });
    expect(future.status).toBe(400);
    expect(await db()("followup_attempts").where({ followup_id: id })).toHaveLength(0);
    expect((await row(id)).callback_at).toBeNull();
  });

  it("closes as not reached after three unsuccessful attempts on different days, counting a day once", async () => {
    const id = await claimed();
    for (const [daysAgo, hour] of [[5, 9], [5, 15], [4, 10]] as const) {
      const res = await post(iris, url(id, "/attempts"), { result: "no_answer", attemptedAt: at(daysAgo, hour) });
      expect(res.headers.location).toContain("melding=poging");
    }
    // Three attempts, but on two days: still open.
    expect((await row(id)).status).toBe("claimed");
    const third = await post(iris, url(id, "/attempts"), { result: "wrong_number", attemptedAt: at(3, 10) });
    expect(third.headers.location).toContain("melding=niet-bereikt");
    const f = await row(id);
    expect(f).toMatchObject({ status: "closed", outcome: "niet_bereikt", attempts: 4, closed_by_user_id: iris.user.user.id });
    const audit = await db()("audit_events").where({ action: "followup.closed", subject_id: String(id) }).first();
    expect(fromJson(audit.details)).toEqual({ outcome: "niet_bereikt", automatic: true });
    // Closed: no more attempts until it is reopened.
    const after = await post(iris, url(id, "/attempts"), { result: "no_answer" });
    expect(after.status).toBe(409);
    expect(after.text).toContain("Dit gesprek is afgesloten. Heropen het");
    expect((await post(iris, url(id, "/reopen"))).status).toBe(303);
    expect(await row(id)).toMatchObject({ status: "claimed", outcome: null, closed_at: null });
    expect((await post(iris, url(id, "/attempts"), { result: "reached" })).status).toBe(303);
  });

  it("does not close when the interviewer continues, and a call-back request does not count as a failure", async () => {
    const id = await claimed();
    await post(iris, url(id, "/attempts"), { result: "no_answer", attemptedAt: at(6) });
    await post(iris, url(id, "/attempts"), { result: "callback", attemptedAt: at(5), callbackAt: at(-1, 14) });
    await post(iris, url(id, "/attempts"), { result: "voicemail", attemptedAt: at(4) });
    expect((await row(id)).callback_at).toBeNull();
    const page = await iris.agent.get(url(id));
    expect(page.text).toContain("Niet afsluiten als niet bereikt: ik probeer het nog een keer");
    const res = await post(iris, url(id, "/attempts"), { result: "no_answer", attemptedAt: at(3), keepOpen: "on" });
    expect(res.headers.location).toContain("melding=poging");
    expect((await row(id)).status).toBe("claimed");
  });

  it("follows the municipality's maximum number of attempts", async () => {
    const other = await makeMunicipality(db());
    await writeSettings(db(), other.id, FOLLOWUP_SETTINGS, { maxAttempts: 1 }, null);
    const ivy = await staffOf(t, other, "interviewer");
    const done = await complete(t, other, DISSATISFIED, { at: new Date(Date.now() - 3 * 86_400_000) });
    await post(ivy, `/staff/m/${other.code}/followups/${done.followupId}/claim`);
    const res = await post(ivy, `/staff/m/${other.code}/followups/${done.followupId}/attempts`, { result: "no_answer" });
    expect(res.headers.location).toContain("melding=niet-bereikt");
  });
});

describe("the conversation", () => {
  it("refuses an outcome without notes, keeping the chosen themes and outcome in the form", async () => {
    const id = await claimed();
    await post(iris, url(id, "/attempts"), { result: "reached" });
    const res = await post(iris, url(id, "/conversation"), { action: "close", outcome: "opgelost", themes: ["wachttijd", "bejegening"], note_wmo_snel_geholpen: "  ", note_algemeen: "" });
    expect(res.status).toBe(400);
    expect(res.text).toContain("Schrijf eerst in de notities wat de cliënt vertelde. Een uitkomst zonder notities kan niet.");
    expect(res.text).toMatch(/id="theme-wachttijd" name="themes" value="wachttijd" checked/);
    expect(res.text).toMatch(/id="outcome-opgelost" name="outcome" value="opgelost" checked/);
    expect((await row(id)).status).toBe("claimed");
    expect(await db()("followup_themes").where({ followup_id: id })).toHaveLength(0);
  });

  it("refuses an outcome before the client was reached, and keeps the notes that were typed", async () => {
    const id = await claimed();
    const note = "Cliënt wachtte zes weken op een keukentafelgesprek.";
    const res = await post(iris, url(id, "/conversation"), { action: "close", outcome: "doorverwezen", note_wmo_snel_geholpen: note });
    expect(res.status).toBe(400);
    expect(res.text).toContain("Leg eerst een poging met het resultaat &#39;Gesproken&#39; vast");
    expect(res.text).toContain(note);
    expect(await db()("followup_notes").where({ followup_id: id })).toHaveLength(0);
    const noOutcome = await post(iris, url(id, "/conversation"), { action: "close", note_wmo_snel_geholpen: note });
    expect(noOutcome.status).toBe(400);
    expect(noOutcome.text).toContain("Kies een uitkomst om het gesprek af te sluiten.");
  });

  it("saves notes per topic and themes, then closes with an outcome", async () => {
    const id = await claimed();
    await post(iris, url(id, "/attempts"), { result: "no_answer", attemptedAt: at(3) });
    await post(iris, url(id, "/attempts"), { result: "reached" });
    const saved = await post(iris, url(id, "/conversation"), { action: "save", note_wmo_snel_geholpen: "Lang gewacht op de indicatie.", themes: "wachttijd" });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toContain("melding=opgeslagen");
    expect(await db()("followup_themes").where({ followup_id: id }).pluck("theme")).toEqual(["wachttijd"]);

    const closed = await post(iris, url(id, "/conversation"), {
      action: "close",
      outcome: "signaal",
      note_wmo_snel_geholpen: "Lang gewacht op de indicatie.",
      note_wmo_serieus: "Voelde zich niet gehoord door de consulent.",
      note_algemeen: "",
      themes: ["wachttijd", "bejegening"],
    });
    expect(closed.status).toBe(303);
    expect(closed.headers.location).toContain("melding=afgesloten");
    expect(await row(id)).toMatchObject({ status: "closed", outcome: "signaal", closed_by_user_id: iris.user.user.id });
    const notes = await db()("followup_notes").where({ followup_id: id }).orderBy("topic");
    expect(notes.map((n) => [n.topic, n.text])).toEqual([
      ["wmo_serieus", "Voelde zich niet gehoord door de consulent."],
      ["wmo_snel_geholpen", "Lang gewacht op de indicatie."],
    ]);
    expect(await db()("followup_themes").where({ followup_id: id }).orderBy("theme").pluck("theme")).toEqual(["bejegening", "wachttijd"]);
    const page = await iris.agent.get(url(id));
    expect(page.text).toContain("Uitkomst: <strong>Signaal aan gemeente</strong>");
    // An administrator can reopen it; then it is theirs.
    expect((await post(admin, url(id, "/reopen"))).status).toBe(303);
    expect((await row(id)).claimed_by_user_id).toBe(admin.user.user.id);
  });

  it("offers only the municipality's active themes and refuses others", async () => {
    const id = await claimed();
    const settings = await writeSettings(
      db(),
      m.id,
      FOLLOWUP_SETTINGS,
      { themes: [{ key: "wachttijd", label: "Wachttijd", active: true }, { key: "vervoer", label: "Wmo-vervoer", active: true }, { key: "bejegening", label: "Bejegening", active: false }] },
      null,
    );
    expect(settings.ok).toBe(true);
    const page = await iris.agent.get(url(id));
    expect(page.text).toContain("Wmo-vervoer");
    expect(page.text).not.toContain('value="bejegening"');
    const res = await post(iris, url(id, "/conversation"), { action: "save", themes: ["wachttijd", "bejegening"] });
    expect(res.status).toBe(400);
    expect(res.text).toContain("Kies thema&#39;s uit de lijst van de gemeente.");
    expect((await post(iris, url(id, "/conversation"), { action: "save", themes: ["vervoer"] })).status).toBe(303);
    await writeSettings(db(), m.id, FOLLOWUP_SETTINGS, {}, null);
  });

  it("closes as not reached without notes, but only after an attempt and when nobody was reached", async () => {
    const id = await claimed();
    const none = await post(iris, url(id, "/conversation"), { action: "close", outcome: "niet_bereikt" });
    expect(none.status).toBe(400);
    expect(none.text).toContain("Leg eerst minstens één belpoging vast");
    await post(iris, url(id, "/attempts"), { result: "wrong_number" });
    expect((await post(iris, url(id, "/conversation"), { action: "close", outcome: "niet_bereikt" })).status).toBe(303);
    expect(await row(id)).toMatchObject({ status: "closed", outcome: "niet_bereikt" });
  });
});
