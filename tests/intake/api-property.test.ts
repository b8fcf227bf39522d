// Property test: random and mutated conversations sent to the API. Every one is either registered (201/200)
// or reported (400/409 with the fields named) — never both, never neither — and the server never fails.
import fc from "fast-check";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../server/apikeys/apikeys.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality } from "../helpers/staff.ts";

let t: TestApp;
let key: string;
let municipalityId: number;

beforeAll(async () => {
  t = await createTestApp();
  const m = await makeMunicipality(t.database.db);
  municipalityId = m.id;
  key = (await createApiKey(t.database.db, m.id, "property", { actor: "test", actorUserId: null, ip: null, requestId: null })).key;
});

afterAll(async () => {
  await t.close();
});

// Plausible values, the messy variants case systems send, and plain garbage.
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("", " ", "Team Noord", "Centrum", "x".repeat(250)));
const date = fc.oneof(
  fc.constantFrom("2026-10-01", "01-10-2026", "1-10-2026", "31-02-2026", "2014-12-31", "2099-01-01", "gisteren", ""),
  fc.date({ min: new Date("2010-01-01"), max: new Date("2030-01-01"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
);
const mobile = fc.constantFrom("06-12345678", "+31 6 1234 5678", "0612345678", "030-1234567", "+32 470 12 34 56", "0612", "bel maar", "");
const email = fc.oneof(fc.emailAddress(), fc.constantFrom("geen-adres", "a@b", "", "test.persoon@example.test"));
const postcode = fc.constantFrom("3831 AB", "3831ab", "1234", "0123 AB", "1234 SS", "");
const anything = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.oneof(arb, anything), { nil: undefined, freq: 3 });

const conversation = fc.record(
  {
    externalId: fc.oneof(fc.stringMatching(/^KTG-[0-9]{1,4}$/), text),
    law: fc.oneof(fc.constantFrom("wmo", "jeugd", "Wmo", "participatiewet"), anything),
    heldOn: fc.oneof(date, anything),
    team: maybe(text),
    area: maybe(text),
    provision: maybe(text),
    preferredChannel: maybe(fc.constantFrom("email", "sms", "letter", "phone", "duif")),
    client: fc.oneof(
      fc.record(
        {
          externalId: fc.oneof(fc.stringMatching(/^C-[0-9]{1,3}$/), text),
          birthYear: maybe(fc.integer({ min: 1850, max: 2100 })),
          language: maybe(fc.constantFrom("nl", "en", "Turks", "Klingon")),
          email: maybe(email),
          mobile: maybe(mobile),
          address: maybe(fc.record({ street: text, houseNumber: text, postalCode: postcode, city: text }, { requiredKeys: [] })),
          extra: maybe(text),
        },
        { requiredKeys: [] },
      ),
      anything,
    ),
    unknown: maybe(text),
  },
  { requiredKeys: [] },
);

describe("the API under random and mutated input", () => {
  it("registers or reports every conversation, never both, never neither, never a 500", async () => {
    const registered = new Set<string>();
    await fc.assert(
      fc.asyncProperty(conversation, async (body) => {
        const res = await request(t.app).post("/api/v1/conversations").set("Authorization", `Bearer ${key}`).send(body);
        expect([200, 201, 400, 409], JSON.stringify(res.body)).toContain(res.status);
        const externalId = typeof body.externalId === "string" ? body.externalId.trim() : "";
        const stored = await t.database.db("conversations").where({ municipality_id: municipalityId, external_id: externalId }).first("id");
        if (res.status === 201 || res.status === 200) {
          // Registered: it is in the database, and the answer carries no error list.
          expect(stored).toBeDefined();
          expect(res.body.errors).toBeUndefined();
          if (res.status === 201) {
            expect(registered.has(externalId)).toBe(false);
            registered.add(externalId);
          }
        } else {
          // Reported: at least one field named, and no new conversation under this id.
          expect(res.type).toBe("application/problem+json");
          const problem = JSON.parse(res.text) as { errors?: Array<{ field: string; message: string }> };
          expect(problem.errors?.length ?? 0).toBeGreaterThan(0);
          if (!registered.has(externalId)) expect(stored).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
    const count = await t.database.db("conversations").where({ municipality_id: municipalityId }).count({ n: "*" });
    expect(Number(count[0]!.n)).toBe(registered.size);
  });
});
