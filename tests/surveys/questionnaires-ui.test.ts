// A municipality's administrator customises a questionnaire: blocks off, own questions in, the ten untouchable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentQuestionnaireVersion } from "../../server/invitations/invitations.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality, makeUser, signIn, submitForm, type Agent } from "../helpers/staff.ts";

let t: TestApp;
let admin: Agent;
let code: string;
let municipalityId: number;

beforeAll(async () => {
  t = await createTestApp();
  const m = await makeMunicipality(t.database.db);
  code = m.code;
  municipalityId = m.id;
  admin = await signIn(t.app, await makeUser(t.database.db, { memberships: [{ municipalityId: m.id, role: "admin" }] }));
});

afterAll(async () => {
  await t.close();
});

const page = (id = "wmo") => `/staff/m/${code}/questionnaires/${id}`;

describe("questionnaire customisation", () => {
  it("shows the questionnaire with the ten standard questions and every block on", async () => {
    const res = await admin.get(page());
    expect(res.status).toBe(200);
    expect(res.text).toContain("Ik wist waar ik moest zijn met mijn hulpvraag.");
    expect(res.text).toMatch(/id="block-grade" name="blocks" value="grade" checked/);
  });

  it("switches a block off and adds the municipality's own question; new invitations get a new version", async () => {
    const before = await currentQuestionnaireVersion(t.database.db, t.catalog, municipalityId, "wmo");
    const extra = JSON.stringify([{ type: "comment", name: "gemeente_wachttijd", title: { default: "Hoe lang moest u wachten?", en: "How long did you wait?" } }]);
    const saved = await submitForm(admin, page(), page(), { blocks: ["improvement", "filled_in_by", "consent"] as unknown as string, extra });
    expect(saved.status, saved.text).toBe(303);
    const after = await admin.get(page());
    expect(after.text).toContain("gemeente_wachttijd");
    expect(after.text).not.toMatch(/<code class="utrecht-code">rapportcijfer<\/code>/);
    expect(after.text).toMatch(/<code class="utrecht-code">verbetering<\/code>/);
    expect(after.text).toMatch(/<code class="utrecht-code">contact_toestemming<\/code>/);
    const version = await currentQuestionnaireVersion(t.database.db, t.catalog, municipalityId, "wmo");
    expect(version).not.toBe(before);
    const row = await t.database.db("questionnaire_versions").where({ id: before }).first("definition");
    expect(row.definition).toContain("rapportcijfer");
    const audit = await t.database.db("audit_events").where({ action: "questionnaire.customised", municipality_id: municipalityId });
    expect(audit).toHaveLength(1);
  });

  it("refuses own questions that touch the ten, bad names or broken JSON, and stores nothing", async () => {
    const stored = await t.database.db("questionnaire_settings").where({ municipality_id: municipalityId }).first("customisation");
    const attempts = [
      JSON.stringify([{ type: "comment", name: "wmo_serieus", title: "Nep" }]),
      JSON.stringify([{ type: "comment", name: "wachttijd", title: "Zonder voorvoegsel" }]),
      "[{ kapot",
    ];
    for (const extra of attempts) {
      const res = await submitForm(admin, page(), page(), { blocks: "grade", extra });
      expect(res.status, extra).toBe(400);
      expect(res.text).toContain("Niet opgeslagen");
    }
    expect(await t.database.db("questionnaire_settings").where({ municipality_id: municipalityId }).first("customisation")).toEqual(stored);
  });

  it("is for administrators only, and unknown questionnaires do not exist", async () => {
    const reader = await signIn(t.app, await makeUser(t.database.db, { memberships: [{ municipalityId, role: "reader" }] }));
    expect((await reader.get(page())).status).toBe(403);
    expect((await admin.get(page("nep"))).status).toBe(404);
  });
});
