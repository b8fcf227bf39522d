// The retention policy in the staff UI: administrators read what happens to contact data and change the number of
// days (never below 30 or above 730; refused input is shown again with a Dutch message); other roles may not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { RETENTION_SETTINGS } from "../../server/retention/retention.schema.ts";
import { readSettings } from "../../server/settings/settings.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { post, staffOf, type Staff } from "../followups/fixtures.ts";

let t: TestApp;
const db = () => t.database.db;
let m: MunicipalityRow;
let admin: Staff;
const url = () => `/staff/m/${m.code}/retention`;

beforeAll(async () => {
  t = await createTestApp();
  m = await makeMunicipality(db());
  admin = await staffOf(t, m, "admin");
});
afterAll(async () => {
  await t?.close();
});

describe("the retention settings page", () => {
  it("is linked from the municipality page and explains the policy with the default of 90 days", async () => {
    const home = await admin.agent.get(`/staff/m/${m.code}`);
    expect(home.text).toContain(`href="${url()}"`);
    const page = await admin.agent.get(url());
    expect(page.status).toBe(200);
    expect(page.text).toContain("Bewaartermijn contactgegevens");
    expect(page.text).toContain("Elke nacht kijkt Luisterpost welke cliënten klaar zijn");
    expect(page.text).toContain('name="contactDays"');
    expect(page.text).toContain('value="90"');
    expect(page.text).toContain("Nog niet");
  });

  it("saves a valid number of days, audited", async () => {
    const res = await post(admin, url(), { contactDays: "120" });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${url()}?melding=opgeslagen`);
    expect((await readSettings(db(), m.id, RETENTION_SETTINGS)).contactDays).toBe(120);
    const page = await admin.agent.get(String(res.headers.location));
    expect(page.text).toContain("De bewaartermijn is opgeslagen.");
    expect(page.text).toContain('value="120"');
    const audit = await db()("audit_events").where({ action: "retention.settings_changed", municipality_id: m.id });
    expect(audit.map((a) => JSON.parse(a.details))).toEqual([{ contactDays: 120 }]);
  });

  it("refuses too few or too many days, or no number, with a Dutch message and the typed value kept", async () => {
    const cases: Array<[string | string[] | undefined, string]> = [
      ["7", "Ten minste 30 dagen"],
      ["29", "Ten minste 30 dagen"],
      ["731", "Hoogstens 730 dagen"],
      ["negentig", "Vul een aantal dagen in van 30 tot en met 730."],
      ["", "Vul een aantal dagen in van 30 tot en met 730."],
      ["90.5", "Vul een aantal dagen in van 30 tot en met 730."],
      [["90", "91"], "Vul een aantal dagen in van 30 tot en met 730."],
      [undefined, "Vul een aantal dagen in van 30 tot en met 730."],
    ];
    for (const [value, message] of cases) {
      const res = await post(admin, url(), value === undefined ? {} : { contactDays: value });
      expect(res.status, String(value)).toBe(400);
      expect(res.text).toContain("Niet opgeslagen.");
      expect(res.text).toContain(message);
      if (typeof value === "string" && value !== "") expect(res.text).toContain(`value="${value}"`);
    }
    expect((await readSettings(db(), m.id, RETENTION_SETTINGS)).contactDays).toBe(120);
  });

  it("is for administrators only", async () => {
    for (const role of ["interviewer", "reader", "data-entry"] as const) {
      const staff = await staffOf(t, m, role);
      expect((await staff.agent.get(url())).status).toBe(403);
      expect((await post(staff, url(), { contactDays: "30" })).status).toBe(403);
    }
    expect((await readSettings(db(), m.id, RETENTION_SETTINGS)).contactDays).toBe(120);
  });
});
