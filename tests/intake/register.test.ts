// Registering conversations on the real database: idempotency, conflicts, contact updates, tenants.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fingerprintKey, registerConversations } from "../../server/intake/intake.service.ts";
import { validateConversation, type ConversationInput } from "../../server/intake/intake.schema.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { makeMunicipality } from "../helpers/staff.ts";

let database: TestDatabase;
const key = fingerprintKey("x".repeat(40));

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.destroy();
});

function conversation(overrides: { id?: string; client?: string; heldOn?: string; email?: string | null; mobile?: string | null; team?: string } = {}): ConversationInput {
  const result = validateConversation(
    {
      externalId: overrides.id ?? "KTG-1",
      law: "wmo",
      heldOn: overrides.heldOn ?? "2026-10-01",
      team: overrides.team ?? "Team Noord",
      client: {
        externalId: overrides.client ?? "C-1",
        birthYear: 1950,
        email: overrides.email === undefined ? "client.een@example.test" : overrides.email,
        mobile: overrides.mobile ?? null,
      },
    },
    { today: "2026-11-22" },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.value;
}

const contactOf = async (clientExternalId: string, municipalityId: number) =>
  database
    .db("client_contacts as k")
    .join("clients as c", "c.id", "k.client_id")
    .where({ "c.external_id": clientExternalId, "c.municipality_id": municipalityId })
    .first("k.email", "k.mobile");

describe("registerConversations", () => {
  it("creates once, then answers a resend as unchanged", async () => {
    const m = await makeMunicipality(database.db);
    const [first] = await registerConversations(database.db, key, m.id, [conversation()], { source: "api" });
    const [again] = await registerConversations(database.db, key, m.id, [conversation()], { source: "api" });
    expect(first!.kind).toBe("created");
    expect(again).toEqual({ kind: "unchanged", conversationId: first!.conversationId });
    expect(await database.db("conversations").where({ municipality_id: m.id })).toHaveLength(1);
    expect(await database.db("clients").where({ municipality_id: m.id })).toHaveLength(1);
  });

  it("names the fields that differ under a known external id, and changes nothing", async () => {
    const m = await makeMunicipality(database.db);
    await registerConversations(database.db, key, m.id, [conversation()], { source: "api" });
    const [outcome] = await registerConversations(database.db, key, m.id, [conversation({ heldOn: "2026-10-02", email: "ander.adres@example.test" })], { source: "api" });
    expect(outcome).toMatchObject({ kind: "conflict", fields: ["heldOn", "client.email"] });
    expect((await contactOf("C-1", m.id)).email).toBe("client.een@example.test");
  });

  it("lets a later conversation update the client's contact data, while the earlier one stays a clean resend", async () => {
    const m = await makeMunicipality(database.db);
    await registerConversations(database.db, key, m.id, [conversation({ id: "KTG-1" })], { source: "api" });
    await registerConversations(database.db, key, m.id, [conversation({ id: "KTG-2", heldOn: "2026-11-01", email: null, mobile: "0612345678" })], { source: "api" });
    expect(await contactOf("C-1", m.id)).toEqual({ email: "client.een@example.test", mobile: "+31612345678" });
    const [resend] = await registerConversations(database.db, key, m.id, [conversation({ id: "KTG-1" })], { source: "csv" });
    expect(resend!.kind).toBe("unchanged");
    expect(await database.db("clients").where({ municipality_id: m.id })).toHaveLength(1);
  });

  it("handles the same client and a repeated conversation within one batch", async () => {
    const m = await makeMunicipality(database.db);
    const outcomes = await registerConversations(
      database.db,
      key,
      m.id,
      [conversation({ id: "A" }), conversation({ id: "B" }), conversation({ id: "A" }), conversation({ id: "A", team: "Team Zuid" })],
      { source: "csv" },
    );
    expect(outcomes.map((o) => o.kind)).toEqual(["created", "created", "unchanged", "conflict"]);
    expect(outcomes[3]).toMatchObject({ fields: ["team"] });
    expect(await database.db("clients").where({ municipality_id: m.id })).toHaveLength(1);
  });

  it("keeps municipalities apart: the same external ids are different conversations and clients", async () => {
    const a = await makeMunicipality(database.db);
    const b = await makeMunicipality(database.db);
    const [inA] = await registerConversations(database.db, key, a.id, [conversation()], { source: "api" });
    const [inB] = await registerConversations(database.db, key, b.id, [conversation({ email: "iemand.anders@example.test" })], { source: "api" });
    expect(inA!.kind).toBe("created");
    expect(inB!.kind).toBe("created");
    expect((await contactOf("C-1", a.id)).email).toBe("client.een@example.test");
    expect((await contactOf("C-1", b.id)).email).toBe("iemand.anders@example.test");
  });

  it("answers concurrent registrations of the same conversation with one row", async () => {
    const m = await makeMunicipality(database.db);
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => registerConversations(database.db, key, m.id, [conversation({ id: "RACE" })], { source: "api" })));
    expect(outcomes.flat().filter((o) => o.kind === "created")).toHaveLength(1);
    expect(outcomes.flat().filter((o) => o.kind === "unchanged")).toHaveLength(4);
    expect(await database.db("conversations").where({ municipality_id: m.id })).toHaveLength(1);
  });
});
