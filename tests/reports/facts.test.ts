// The reports' facts: the completion step writes one narrow row per completed response (through the real
// completeResponse, in every mode), exactly once; the migration's backfill writes the same rows for responses
// completed before it; a response completed for a period that is already closed counts where it arrives.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backfill } from "../../migrations/20261215090000_create_report_facts.ts";
import { ageBandOf, ageBandSql } from "../../server/reports/age-bands.ts";
import { listAnswers, listFacts } from "../../server/reports/facts.queries.ts";
import { statementSlots } from "../../server/reports/questions.ts";
import { completeResponse, openWithToken } from "../../server/respondent/respondent.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { invite } from "../respondent/fixtures.ts";
import { makeFollowup, makeRespondent } from "./factories.ts";

const WMO_ANSWERS = {
  wmo_wist_waar: 5,
  wmo_snel_geholpen: 4,
  wmo_serieus: 3,
  wmo_samen_oplossingen: 0,
  wmo_clientondersteuner: "nee",
  wmo_kwaliteit: 2,
  wmo_past: 1,
  wmo_dingen_doen: 4,
  wmo_beter_redden: 5,
  rapportcijfer: 7,
  verbetering: "De wachttijd was lang.",
  ingevuld_door: "ikzelf_met_hulp",
  contact_toestemming: "nee",
};

let t: TestApp;
const db = () => t.database.db;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t?.close();
});

describe("report facts", () => {
  it("fills the slots from the questionnaire metadata, as the migration's backfill does", () => {
    expect(statementSlots(t.catalog, "wmo").map((s) => s.key)).toEqual([
      "wmo_wist_waar",
      "wmo_snel_geholpen",
      "wmo_serieus",
      "wmo_samen_oplossingen",
      "wmo_clientondersteuner",
      "wmo_kwaliteit",
      "wmo_past",
      "wmo_dingen_doen",
      "wmo_beter_redden",
      "wmo_kwaliteit_leven",
    ]);
    for (const q of ["jeugd-ouders", "jeugd-jongeren"]) {
      expect(statementSlots(t.catalog, q).map((s) => s.key)).toEqual(["jeugd_makkelijk_hulp", "jeugd_hulp_past", "jeugd_veilig_gezond", "jeugd_zelfstandig", "jeugd_beter_omgaan", "jeugd_meedoen"]);
    }
  });

  it("writes the facts when a response is completed, once, without free text or contact data", async () => {
    const m = await makeMunicipality(db());
    const invited = await invite(t, m);
    await db()("conversations").where({ id: (await db()("invitations").where({ id: invited.id }).first("conversation_id")).conversation_id }).update({ team: "Team Noord", area: "Centrum", provision: "begeleiding" });
    await db()("clients").where({ id: invited.clientId }).update({ birth_year: 1944 });
    const opened = await openWithToken(db(), invited.token);
    if (opened.kind !== "ok") throw new Error(opened.kind);
    expect((await completeResponse(db(), opened.access, { answers: WMO_ANSWERS })).kind).toBe("completed");
    expect((await completeResponse(db(), opened.access, { answers: WMO_ANSWERS })).kind).toBe("already-completed");

    const response = await db()("responses").where({ invitation_id: invited.id }).first("id", "completed_at");
    const facts = await listFacts(db(), [response.id]);
    expect(facts).toHaveLength(1);
    const f = facts[0]!;
    expect(f).toMatchObject({
      municipality_id: m.id,
      questionnaire: "wmo",
      law: "wmo",
      team: "Team Noord",
      area: "Centrum",
      provision: "begeleiding",
      mode: "online",
      channel: "email",
      late_period: null,
      s1: 5,
      s2: 4,
      s3: 3,
      s4: 0,
      s5: 0,
      s6: 2,
      s7: 1,
      s8: 4,
      s9: 5,
      s10: null,
      s11: null,
      grade: 7,
      consent: 0,
    });
    const year = new Date().getFullYear();
    expect(f.age_band).toBe(ageBandOf("wmo", 1944, year));
    expect(await listAnswers(db(), [response.id])).toEqual([{ response_id: response.id, municipality_id: m.id, question_key: "ingevuld_door", value: "ikzelf_met_hulp" }]);
    expect(JSON.stringify(facts)).not.toContain("wachttijd");
  });

  it("links the facts to the follow-up the completion created, whichever step ran first", async () => {
    const m = await makeMunicipality(db());
    const invited = await invite(t, m);
    const opened = await openWithToken(db(), invited.token);
    if (opened.kind !== "ok") throw new Error(opened.kind);
    expect((await completeResponse(db(), opened.access, { answers: { ...WMO_ANSWERS, contact_toestemming: "ja", wmo_snel_geholpen: 1 } })).kind).toBe("completed");
    const response = await db()("responses").where({ invitation_id: invited.id }).first("id");
    const followup = await db()("followups").where({ response_id: response.id }).first("id");
    expect(followup).toBeDefined();
    expect((await listFacts(db(), [response.id]))[0]).toMatchObject({ followup_id: followup.id });
    // The other order: facts first, the follow-up later (a trigger on followups fills it in).
    const later = await makeRespondent(db(), t.catalog, m.id, { invitedAt: new Date(), completedAt: new Date(), answers: { wmo_wist_waar: 1 } });
    expect((await listFacts(db(), [later.responseId!]))[0]).toMatchObject({ followup_id: null });
    const id = await makeFollowup(db(), { municipalityId: m.id, responseId: later.responseId!, invitationId: later.invitationId, clientId: later.clientId, createdAt: new Date(), deadlineAt: new Date() });
    expect((await listFacts(db(), [later.responseId!]))[0]).toMatchObject({ followup_id: id });
  });

  it("the backfill writes exactly what the completion step wrote, for every questionnaire and a customised one", async () => {
    const m = await makeMunicipality(db());
    const at = new Date("2026-05-12T10:00:00Z");
    const made = [
      await makeRespondent(db(), t.catalog, m.id, { questionnaire: "wmo", invitedAt: at, completedAt: at, team: "A", birthYear: 1950, answers: WMO_ANSWERS, mode: "paper" }),
      await makeRespondent(db(), t.catalog, m.id, { questionnaire: "wmo", invitedAt: at, completedAt: at, birthYear: null, answers: { wmo_clientondersteuner: "ja", contact_toestemming: "ja" }, mode: "phone", channel: "phone" }),
      await makeRespondent(db(), t.catalog, m.id, {
        questionnaire: "jeugd-ouders",
        invitedAt: at,
        completedAt: at,
        birthYear: 2015,
        answers: { jeugd_makkelijk_hulp: 4, jeugd_meedoen: 0, jeugd_goed: "Fijn", contact_toestemming: "nee" },
      }),
      await makeRespondent(db(), t.catalog, m.id, { questionnaire: "jeugd-jongeren", invitedAt: at, completedAt: at, birthYear: 2007, answers: { jeugd_hulp_past: 2 }, mode: "sms", channel: "sms" }),
    ];
    const ids = made.map((r) => r.responseId!);
    const viaStep = await listFacts(db(), ids);
    const answersViaStep = await listAnswers(db(), ids);
    expect(viaStep).toHaveLength(4);
    await db()("report_answers").whereIn("response_id", ids).delete();
    await db()("report_facts").whereIn("response_id", ids).delete();
    expect(await backfill(db())).toBe(4);
    expect(await listFacts(db(), ids)).toEqual(viaStep);
    expect(await listAnswers(db(), ids)).toEqual(answersViaStep);
    expect(await backfill(db())).toBe(0);
  });

  it("puts every age into the same band in SQL as in code", async () => {
    const years = [null, 1899, 1900, 1930, 1940, 1941, 1942, 1950, 1951, 1952, 1961, 1962, 2000, 2002, 2003, 2008, 2009, 2014, 2015, 2020, 2021, 2026, 2027];
    const sql = `select ${years.map((y, i) => `${ageBandSql("'wmo'", y === null ? "null" : String(y), 2026)} as w${i}, ${ageBandSql("'jeugd'", y === null ? "null" : String(y), 2026)} as j${i}`).join(", ")}`;
    const row = ((await db().raw(sql)) as { rows?: unknown[] }).rows?.[0] ?? ((await db().raw(sql)) as unknown[])[0];
    const fromSql = row as Record<string, string>;
    years.forEach((y, i) => {
      expect(fromSql[`w${i}`], `wmo ${y}`).toBe(ageBandOf("wmo", y, 2026));
      expect(fromSql[`j${i}`], `jeugd ${y}`).toBe(ageBandOf("jeugd", y, 2026));
    });
  });

  it("counts a response for a closed period in the period it arrives in, and names the closed one", async () => {
    const m = await makeMunicipality(db());
    await db()("report_periods").insert({ municipality_id: m.id, period: "2026-Q2", starts_at: "2026-03-31T22:00:00.000Z", ends_at: "2026-06-30T22:00:00.000Z", closed_at: "2026-07-02T08:00:00.000Z" });
    const completedAt = new Date("2026-06-20T09:00:00Z");
    const arrivedAt = new Date("2026-07-10T09:00:00Z");
    const late = await makeRespondent(db(), t.catalog, m.id, { invitedAt: completedAt, completedAt, arrivedAt, answers: { wmo_wist_waar: 4 } });
    const onTime = await makeRespondent(db(), t.catalog, m.id, { invitedAt: completedAt, completedAt: new Date("2026-07-05T09:00:00Z"), answers: { wmo_wist_waar: 4 } });
    const [lateFact, onTimeFact] = await listFacts(db(), [late.responseId!, onTime.responseId!]);
    expect(lateFact).toMatchObject({ late_period: "2026-Q2" });
    expect(new Date(String(lateFact!.counted_at instanceof Date ? lateFact!.counted_at.toISOString() : lateFact!.counted_at)).toISOString()).toBe(arrivedAt.toISOString());
    expect(onTimeFact).toMatchObject({ late_period: null });
  });
});

describe("the report's view of invitations, kept by triggers", () => {
  it("follows an invitation through delivery, a bounce, opening, a response and changed intake data", async () => {
    const m = await makeMunicipality(db());
    const at = new Date("2026-05-12T10:00:00Z");
    const { invitationId, conversationId, clientId } = await makeRespondent(db(), t.catalog, m.id, { invitedAt: at, team: "Team Oost", birthYear: 1950, delivery: "none" });
    const fact = async () => db()("report_invitation_facts").where({ invitation_id: invitationId }).first();
    expect(await fact()).toMatchObject({ municipality_id: m.id, channel: "email", law: "wmo", team: "Team Oost", birth_year: 1950, opened: 0, failed: 0, delivery: 0, response: 0 });
    const [delivery] = await db()("deliveries")
      .insert({ municipality_id: m.id, invitation_id: invitationId, kind: "invite", sequence: 0, channel: "email", status: "sent", due_at: at.toISOString(), created_at: at.toISOString(), updated_at: at.toISOString() })
      .returning(["id"]);
    expect((await fact()).delivery).toBe(2);
    // An e-mail that was accepted and then bounced is not delivered after all.
    await db()("deliveries").where({ id: delivery.id }).update({ status: "bounced" });
    expect((await fact()).delivery).toBe(1);
    await db()("invitations").where({ id: invitationId }).update({ channel: "sms", opened_at: at.toISOString() });
    expect(await fact()).toMatchObject({ channel: "sms", opened: 1 });
    const version = (await db()("invitations").where({ id: invitationId }).first("questionnaire_version_id")).questionnaire_version_id;
    await db()("responses").insert({ municipality_id: m.id, invitation_id: invitationId, questionnaire_version_id: version, mode: "sms", status: "in_progress", answers: "{}", started_at: at.toISOString(), updated_at: at.toISOString() });
    expect((await fact()).response).toBe(1);
    await db()("responses").where({ invitation_id: invitationId }).update({ status: "completed", completed_at: at.toISOString() });
    expect((await fact()).response).toBe(2);
    await db()("conversations").where({ id: conversationId }).update({ team: "Team West" });
    await db()("clients").where({ id: clientId }).update({ birth_year: 1951 });
    expect(await fact()).toMatchObject({ team: "Team West", birth_year: 1951 });
    await db()("invitations").where({ id: invitationId }).update({ status: "failed" });
    expect((await fact()).failed).toBe(1);
  });
});

describe("the monthly sums", () => {
  it("hold what the completion step added, the same as the migration's backfill makes of the facts", async () => {
    const { backfill: backfillSummary } = await import("../../migrations/20261215090700_create_report_summary.ts");
    const m = await makeMunicipality(db());
    for (const [i, at] of ["2026-03-31T21:30:00Z", "2026-03-31T22:30:00Z", "2026-04-15T10:00:00Z"].entries()) {
      await makeRespondent(db(), t.catalog, m.id, { invitedAt: new Date(at), completedAt: new Date(at), team: i === 2 ? null : "Team A", answers: { ...WMO_ANSWERS, wmo_wist_waar: 4 + (i % 2) } });
    }
    const read = async () => ({
      summary: await db()("report_summary").where({ municipality_id: m.id }).orderBy(["month", "questionnaire", "dimension", "value"]).select("*"),
      answers: await db()("report_answer_summary").where({ municipality_id: m.id }).orderBy(["month", "questionnaire", "question_key", "value"]).select("*"),
    });
    const byStep = await read();
    // 31 March 23:30 in the Netherlands is still March; 00:30 on 1 April is April.
    expect(byStep.summary.filter((r) => r.dimension === "all").map((r) => [r.month, Number(r.respondents), Number(r.s1_agree), Number(r.g_n)])).toEqual([
      ["2026-03", 1, 1, 1],
      ["2026-04", 2, 2, 2],
    ]);
    expect(byStep.summary.find((r) => r.month === "2026-04" && r.dimension === "team" && r.value === "")).toMatchObject({ respondents: 1 });
    expect(byStep.answers.filter((r) => r.value === "*").map((r) => [r.month, r.question_key, Number(r.answers)])).toEqual([
      ["2026-03", "ingevuld_door", 1],
      ["2026-04", "ingevuld_door", 2],
    ]);
    // Rebuilt from the facts alone (the whole database: other municipalities' sums come back the same as well).
    const everything = async () => ({ summary: await db()("report_summary").orderBy(["municipality_id", "month", "questionnaire", "dimension", "value"]).select("*"), answers: await db()("report_answer_summary").orderBy(["municipality_id", "month", "questionnaire", "question_key", "value"]).select("*") });
    const before = await everything();
    await db()("report_summary").delete();
    await db()("report_answer_summary").delete();
    await backfillSummary(db());
    const normalise = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v])));
    const after = await everything();
    expect(normalise(after.summary)).toEqual(normalise(before.summary));
    expect(normalise(after.answers)).toEqual(normalise(before.answers));
  });
});
