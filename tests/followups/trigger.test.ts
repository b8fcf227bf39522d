// The trigger (acceptance 1): a completed response with consent and a negative answer gets exactly one
// follow-up, whatever the mode and however often the trigger runs; without consent none, ever; a rule change
// affects only responses completed after it. Against the real completion path on a migrated database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromDbTime, fromJson } from "../../server/db.ts";
import { triggerFollowup } from "../../server/followups/followups.trigger.ts";
import { FOLLOWUP_SETTINGS } from "../../server/followups/followups.settings.ts";
import { saveCustomisation } from "../../server/invitations/invitations.queries.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { writeSettings } from "../../server/settings/settings.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { complete, DISSATISFIED, followupsOf, SATISFIED } from "./fixtures.ts";

let t: TestApp;
const db = () => t.database.db;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe("the follow-up trigger at completion", () => {
  let m: MunicipalityRow;
  beforeAll(async () => {
    m = await makeMunicipality(db());
  });

  it("creates exactly one follow-up for consent and a negative answer, recording the answers that met the rule", async () => {
    // Friday 2 October 2026, 16:00 in Amsterdam: five working days later is Friday 9 October.
    const at = new Date("2026-10-02T14:00:00Z");
    const done = await complete(t, m, DISSATISFIED, { at });
    expect(done.followupId).toBeDefined();
    const rows = await db()("followups").where({ response_id: done.responseId });
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row.status).toBe("open");
    expect(row.municipality_id).toBe(m.id);
    expect(row.client_id).toBe(done.clientId);
    expect(row.invitation_id).toBe(done.invitationId);
    expect(fromJson(row.triggers)).toEqual([
      { key: "wmo_snel_geholpen", kind: "statement", value: 1, title: "Ik werd snel geholpen.", label: "Helemaal niet mee eens" },
      { key: "wmo_serieus", kind: "statement", value: 2, title: "De medewerker nam mij serieus.", label: "Niet mee eens" },
    ]);
    expect(fromJson(row.rule)).toEqual({ questions: "all", answerCodes: [1, 2], gradeThreshold: 5 });
    expect(fromDbTime(row.deadline_at)!.toISOString()).toBe("2026-10-09T21:59:59.999Z");
    expect(fromDbTime(row.created_at)!.toISOString()).toBe(at.toISOString());
  });

  it("never creates a follow-up without consent, however negative the answers", async () => {
    const before = (await followupsOf(db(), m.id)).length;
    await complete(t, m, { ...DISSATISFIED, contact_toestemming: "nee" });
    await complete(t, m, { wmo_snel_geholpen: 1, rapportcijfer: 1 });
    expect((await followupsOf(db(), m.id)).length).toBe(before);
  });

  it("creates none for a satisfied respondent who consented", async () => {
    const done = await complete(t, m, SATISFIED);
    expect(done.followupId).toBeUndefined();
    // "weet niet" (0) is never dissatisfied.
    expect((await complete(t, m, { wmo_snel_geholpen: 0, wmo_serieus: 0, contact_toestemming: "ja" })).followupId).toBeUndefined();
  });

  it("selects a grade of 5 or lower on its own", async () => {
    const done = await complete(t, m, { wmo_wist_waar: 4, rapportcijfer: 5, contact_toestemming: "ja" });
    const row = await db()("followups").where({ id: done.followupId }).first();
    expect(fromJson(row.triggers)).toEqual([{ key: "rapportcijfer", kind: "grade", value: 5, title: "Welk rapportcijfer geeft u de ondersteuning die u krijgt?", label: "5" }]);
    expect((await complete(t, m, { rapportcijfer: 6, contact_toestemming: "ja" })).followupId).toBeUndefined();
  });

  it("runs for every mode of answering: an SMS link and a typed paper code", async () => {
    const bySms = await complete(t, m, DISSATISFIED, { channel: "sms" });
    const byLetter = await complete(t, m, DISSATISFIED, { channel: "letter" });
    expect(bySms.followupId).toBeDefined();
    expect(byLetter.followupId).toBeDefined();
    const modes = await db()("responses").whereIn("id", [bySms.responseId, byLetter.responseId]).orderBy("id").pluck("mode");
    expect(modes).toEqual(["sms", "code"]);
  });

  it("gives one follow-up however often the trigger runs, also concurrently", async () => {
    const done = await complete(t, m, DISSATISFIED);
    const response = await db()("responses").where({ id: done.responseId }).first();
    const completed = {
      responseId: done.responseId,
      municipalityId: m.id,
      invitationId: done.invitationId,
      clientId: done.clientId,
      questionnaireVersionId: response.questionnaire_version_id,
      mode: "online" as const,
      answers: fromJson<Record<string, unknown>>(response.answers)!,
      completedAt: new Date(),
    };
    const again = await Promise.all([1, 2, 3].map(() => db().transaction((trx) => triggerFollowup(trx, completed))));
    expect(again.map((o) => o.kind)).toEqual(["exists", "exists", "exists"]);
    expect(await db()("followups").where({ response_id: done.responseId })).toHaveLength(1);

    // A retried completion (double click, second tab) does not run the steps again either.
    await db()("followups").where({ response_id: done.responseId }).delete();
    const fresh = await Promise.all([1, 2].map(() => db().transaction((trx) => triggerFollowup(trx, completed))));
    expect(fresh.map((o) => o.kind).sort()).toEqual(["created", "exists"]);
    expect(await db()("followups").where({ response_id: done.responseId })).toHaveLength(1);
  });

  it("applies a changed rule to new responses only", async () => {
    const other = await makeMunicipality(db());
    const early = await complete(t, other, { wmo_serieus: 2, wmo_kwaliteit: 3, contact_toestemming: "ja" });
    const earlyThree = await complete(t, other, { wmo_kwaliteit: 3, contact_toestemming: "ja" });
    expect(early.followupId).toBeDefined();
    expect(earlyThree.followupId).toBeUndefined();

    // From now on: only "kwaliteit", answers 1 to 3; the grade plays no part.
    const saved = await writeSettings(db(), other.id, FOLLOWUP_SETTINGS, { questions: ["wmo_kwaliteit"], answerCodes: [1, 2, 3], gradeThreshold: null }, null);
    expect(saved.ok).toBe(true);

    const late = await complete(t, other, { wmo_serieus: 2, wmo_kwaliteit: 3, contact_toestemming: "ja" });
    const lateOnlySerieus = await complete(t, other, { wmo_serieus: 1, rapportcijfer: 2, contact_toestemming: "ja" });
    expect(lateOnlySerieus.followupId).toBeUndefined();
    const lateRow = await db()("followups").where({ id: late.followupId }).first();
    expect(fromJson(lateRow.triggers)).toEqual([expect.objectContaining({ key: "wmo_kwaliteit", value: 3 })]);
    expect(fromJson(lateRow.rule)).toEqual({ questions: ["wmo_kwaliteit"], answerCodes: [1, 2, 3], gradeThreshold: null });

    // The follow-up made under the old rule is as it was, and the earlier response did not get one afterwards.
    const earlyRow = await db()("followups").where({ id: early.followupId }).first();
    expect(fromJson(earlyRow.triggers)).toEqual([expect.objectContaining({ key: "wmo_serieus", value: 2 })]);
    expect(fromJson(earlyRow.rule)).toEqual({ questions: "all", answerCodes: [1, 2], gradeThreshold: 5 });
    expect(await db()("followups").where({ response_id: earlyThree.responseId })).toHaveLength(0);
  });

  it("does nothing when the municipality switched follow-ups off, and nothing without a consent question", async () => {
    const off = await makeMunicipality(db());
    await writeSettings(db(), off.id, FOLLOWUP_SETTINGS, { enabled: false }, null);
    expect((await complete(t, off, DISSATISFIED)).followupId).toBeUndefined();

    const noConsentBlock = await makeMunicipality(db());
    await saveCustomisation(db(), noConsentBlock.id, "wmo", { disabledBlocks: ["consent"], extraQuestions: [] });
    // The version without the consent block cannot even store the answer; negative answers alone never suffice.
    expect((await complete(t, noConsentBlock, { wmo_snel_geholpen: 1, rapportcijfer: 2 })).followupId).toBeUndefined();
  });

  it("uses the metadata of a customised version (the grade block switched off) and of the Jeugd questionnaires", async () => {
    const custom = await makeMunicipality(db());
    await saveCustomisation(db(), custom.id, "wmo", {
      disabledBlocks: ["grade"],
      extraQuestions: [{ type: "rating", name: "gemeente_tevreden", title: "Hoe tevreden bent u?", rateMin: 1, rateMax: 5 }],
    });
    // A municipality's own rating question is not a standard statement: a 1 there selects nothing.
    expect((await complete(t, custom, { wmo_wist_waar: 5, gemeente_tevreden: 1, contact_toestemming: "ja" })).followupId).toBeUndefined();
    expect((await complete(t, custom, { wmo_past: 2, contact_toestemming: "ja" })).followupId).toBeDefined();

    const jeugd = await complete(t, custom, { jeugd_hulp_past: 1, jeugd_veilig_gezond: 4, contact_toestemming: "ja" }, { questionnaire: "jeugd-ouders" });
    const row = await db()("followups").where({ id: jeugd.followupId }).first();
    expect(fromJson(row.triggers)).toEqual([expect.objectContaining({ key: "jeugd_hulp_past", kind: "statement", value: 1 })]);
    const young = await complete(t, custom, { contact_toestemming: "ja" }, { questionnaire: "jeugd-jongeren" });
    expect(young.followupId).toBeUndefined();
  });
});
