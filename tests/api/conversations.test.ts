// The case-system API for keukentafelgesprekken on a real migrated database (SQLite, or PostgreSQL with
// TEST_DATABASE_URL): registering, idempotent resends, conflicts that name the differing fields, contact data
// that follows the latest conversation, per-municipality scoping, and every kind of bad input, which gets a
// problem document naming every bad field and stores nothing.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../server/accounts/users.service.ts";
import { createApiKey, revokeKey } from "../../server/apikeys/apikeys.service.ts";
import { todayInAmsterdam } from "../../server/intake/intake.normalize.ts";
import { openApiDocument } from "../../server/intake/openapi.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality } from "../helpers/staff.ts";

const ACTOR: Actor = { actor: "test", actorUserId: null, ip: null, requestId: null };

let t: TestApp;
let gemeenteA: MunicipalityRow;
let gemeenteB: MunicipalityRow;
let keyA: string;
let keyB: string;

beforeAll(async () => {
  t = await createTestApp();
  gemeenteA = await makeMunicipality(t.database.db, { code: "GM9411", name: "Aadorp" });
  gemeenteB = await makeMunicipality(t.database.db, { code: "GM9412", name: "Beekstad" });
  keyA = (await createApiKey(t.database.db, gemeenteA.id, "Zaaksysteem A", ACTOR)).key;
  keyB = (await createApiKey(t.database.db, gemeenteB.id, "Zaaksysteem B", ACTOR)).key;
});

afterAll(async () => {
  await t?.close();
});

// --- helpers ------------------------------------------------------------------------------------------------

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${++counter}`;

/** A day `days` after today in the Netherlands, as YYYY-MM-DD. */
function dayFromToday(days: number): string {
  const today = new Date(`${todayInAmsterdam()}T00:00:00Z`);
  return new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

type Body = Record<string, unknown>;

function conversation(externalId = nextId("KTG"), clientId = nextId("C"), overrides: Body = {}): Body {
  return {
    externalId,
    law: "wmo",
    heldOn: "2026-10-01",
    team: "Sociaal Team Noord",
    area: "Centrum",
    provision: "huishoudelijke hulp",
    preferredChannel: "email",
    client: {
      externalId: clientId,
      birthYear: 1948,
      language: "nl",
      email: "a.jansen@example.nl",
      mobile: "06 12345678",
      address: { street: "Dorpsstraat", houseNumber: "12A", postalCode: "3831 AB", city: "Leusden" },
    },
    ...overrides,
  };
}

/** Every (operation, status, content type) the tests saw, checked against the OpenAPI document at the end. */
const observed = new Set<string>();

function record(method: string, url: string, res: request.Response): request.Response {
  const template = url.startsWith("/api/v1/conversations/") ? "/conversations/{externalId}" : url.replace("/api/v1", "");
  observed.add(`${method} ${template} ${res.status} ${String(res.headers["content-type"] ?? "").split(";")[0]}`);
  return res;
}

async function post(body: unknown, key: string | null = keyA): Promise<request.Response> {
  let req = request(t.app).post("/api/v1/conversations");
  if (key !== null) req = req.set("Authorization", `Bearer ${key}`);
  return record("post", "/api/v1/conversations", await req.send(body as object));
}

async function postRaw(raw: string | Buffer, contentType: string, key: string | null = keyA): Promise<request.Response> {
  let req = request(t.app).post("/api/v1/conversations").set("Content-Type", contentType);
  if (key !== null) req = req.set("Authorization", `Bearer ${key}`);
  return record("post", "/api/v1/conversations", await req.send(raw));
}

async function get(externalId: string, key: string | null = keyA): Promise<request.Response> {
  const url = `/api/v1/conversations/${encodeURIComponent(externalId)}`;
  let req = request(t.app).get(url);
  if (key !== null) req = req.set("Authorization", `Bearer ${key}`);
  return record("get", url, await req);
}

type Counts = { clients: number; contacts: number; conversations: number };

async function counts(): Promise<Counts> {
  const db = t.database.db;
  const count = async (table: string) => Number((await db(table).count({ n: "*" }).first())?.n ?? 0);
  return { clients: await count("clients"), contacts: await count("client_contacts"), conversations: await count("conversations") };
}

type Problem = { type: string; title: string; status: number; detail: string; errors?: Array<{ field: string; message: string }>; requestId: string };

function problemOf(res: request.Response, status: number): Problem {
  expect(res.status, res.text).toBe(status);
  expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.text) as Problem;
  expect(body.status).toBe(status);
  expect(body.detail).toEqual(expect.any(String));
  return body;
}

/** Sends a request that must be refused with `status`, and checks that nothing at all was stored. */
async function refused(send: () => Promise<request.Response>, status: number): Promise<Problem> {
  const before = await counts();
  const res = await send();
  const problem = problemOf(res, status);
  expect(await counts()).toEqual(before);
  return problem;
}

const fieldsOf = (problem: Problem) => (problem.errors ?? []).map((e) => e.field).sort();

async function contactOf(municipalityId: number, clientExternalId: string) {
  return t.database.db("client_contacts as k")
    .join("clients as c", "c.id", "k.client_id")
    .select("k.email", "k.mobile", "k.street", "k.house_number", "k.postal_code", "k.city")
    .where({ "c.municipality_id": municipalityId, "c.external_id": clientExternalId })
    .first();
}

// --- registering --------------------------------------------------------------------------------------------

describe("POST /api/v1/conversations", () => {
  it("registers a new conversation: 201, Location, the resource without contact data, rows in three tables", async () => {
    const before = await counts();
    const body = conversation("KTG-2026-000123", "C-98765");
    const res = await post(body);

    expect(res.status, res.text).toBe(201);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.headers.location).toBe("/api/v1/conversations/KTG-2026-000123");
    expect(res.body).toEqual({
      externalId: "KTG-2026-000123",
      law: "wmo",
      heldOn: "2026-10-01",
      team: "Sociaal Team Noord",
      area: "Centrum",
      provision: "huishoudelijke hulp",
      preferredChannel: "email",
      client: { externalId: "C-98765" },
      measurement: { status: "pending", skippedReason: null, invitation: null, response: null, invitations: [] },
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    for (const personal of ["a.jansen", "12345678", "Dorpsstraat", "3831", "Leusden", "1948"]) expect(res.text).not.toContain(personal);

    expect(await counts()).toEqual({ clients: before.clients + 1, contacts: before.contacts + 1, conversations: before.conversations + 1 });
    expect(await contactOf(gemeenteA.id, "C-98765")).toEqual({
      email: "a.jansen@example.nl",
      mobile: "+31612345678",
      street: "Dorpsstraat",
      house_number: "12A",
      postal_code: "3831 AB",
      city: "Leusden",
    });
    const row = await t.database.db("conversations").where({ municipality_id: gemeenteA.id, external_id: "KTG-2026-000123" }).first();
    expect(row).toMatchObject({ source: "api", law: "wmo", held_on: "2026-10-01" });
  });

  it("answers a resend of the same conversation with 200 and the same resource, storing nothing new", async () => {
    const body = conversation();
    const first = await post(body);
    expect(first.status, first.text).toBe(201);
    const after = await counts();

    const again = await post(body);
    expect(again.status, again.text).toBe(200);
    expect(again.headers.location).toBeUndefined();
    expect(again.body).toEqual(first.body);

    // The same facts written differently (a Dutch date, another phone notation, a lower-case postcode) are
    // the same conversation.
    const client = body.client as Body;
    const reformatted = {
      ...body,
      heldOn: "01-10-2026",
      client: { ...client, mobile: "+31 6 1234 5678", email: "A.Jansen@Example.nl", address: { ...(client.address as Body), postalCode: "3831ab" } },
    };
    const third = await post(reformatted);
    expect(third.status, third.text).toBe(200);
    expect(third.body).toEqual(first.body);
    expect(await counts()).toEqual(after);
    expect(await t.database.db("conversations").where({ external_id: body.externalId }).count({ n: "*" }).first()).toMatchObject({ n: 1 });
  });

  it("refuses different data under a known externalId with 409 naming exactly the fields that differ", async () => {
    const body = conversation();
    expect((await post(body)).status).toBe(201);

    const changed = { ...body, heldOn: "2026-09-30", client: { ...(body.client as Body), email: "iemand.anders@example.nl" } };
    const problem = await refused(() => post(changed), 409);
    expect(problem.type).toBe("urn:luisterpost:problem:conflict");
    expect(fieldsOf(problem)).toEqual(["client.email", "heldOn"]);
    expect(problem.errors).toContainEqual({ field: "heldOn", message: "Het veld heldOn verschilt van het gesprek dat al bekend is." });
    expect(problem.errors).toContainEqual({ field: "client.email", message: "Het veld client.email verschilt van het gesprek dat al bekend is." });
    expect(problem.detail).toContain("heldOn");
    expect(problem.detail).toContain("client.email");
    // The problem names fields, never their values.
    expect(JSON.stringify(problem)).not.toContain("iemand.anders");

    // Nothing changed: the conversation and the contact data are as first sent.
    const stored = await get(body.externalId as string);
    expect(stored.body.heldOn).toBe("2026-10-01");
    expect((await contactOf(gemeenteA.id, (body.client as Body).externalId as string))?.email).toBe("a.jansen@example.nl");
  });

  it("updates the client's contact data with a later conversation, keeping the first conversation as it was", async () => {
    const clientId = nextId("C");
    const first = conversation(nextId("KTG"), clientId);
    expect((await post(first)).status).toBe(201);
    const before = await counts();

    const later = conversation(nextId("KTG"), clientId, {
      heldOn: "2026-11-02",
      team: "Sociaal Team Zuid",
      provision: "begeleiding",
      preferredChannel: "sms",
      client: { externalId: clientId, mobile: "06-87654321" },
    });
    const res = await post(later);
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ externalId: later.externalId, heldOn: "2026-11-02", team: "Sociaal Team Zuid", client: { externalId: clientId } });

    // One client, one contact row, now with the new mobile; what the later conversation left out is kept.
    expect(await counts()).toEqual({ ...before, conversations: before.conversations + 1 });
    expect(await contactOf(gemeenteA.id, clientId)).toEqual({
      email: "a.jansen@example.nl",
      mobile: "+31687654321",
      street: "Dorpsstraat",
      house_number: "12A",
      postal_code: "3831 AB",
      city: "Leusden",
    });
    const client = await t.database.db("clients").where({ municipality_id: gemeenteA.id, external_id: clientId }).first();
    expect(client.birth_year).toBe(1948);

    const earlier = await get(first.externalId as string);
    expect(earlier.body).toMatchObject({ heldOn: "2026-10-01", team: "Sociaal Team Noord", provision: "huishoudelijke hulp", preferredChannel: "email" });
    // The first conversation is still recognised as unchanged when resent with its own contact data.
    expect((await post(first)).status).toBe(200);
  });

  it("accepts a conversation that can be reached by e-mail, by mobile or by a full address alone", async () => {
    const only = (contact: Body) => conversation(nextId("KTG"), nextId("C"), { team: null, area: undefined, preferredChannel: null, client: { externalId: nextId("C"), ...contact } });
    expect((await post(only({ email: "b.de.vries@example.nl" }))).status).toBe(201);
    expect((await post(only({ mobile: "0612345678" }))).status).toBe(201);
    const byLetter = await post(only({ address: { street: "Kerkplein", houseNumber: "1", postalCode: "3831ab", city: "Leusden" } }));
    expect(byLetter.status, byLetter.text).toBe(201);
    expect(byLetter.body).toMatchObject({ team: null, area: null, preferredChannel: null });
  });

  it("gives a Location that works for an externalId with a slash and spaces", async () => {
    const res = await post(conversation("KTG/2026 7", nextId("C")));
    expect(res.status, res.text).toBe(201);
    expect(res.headers.location).toBe("/api/v1/conversations/KTG%2F2026%207");
    const found = record("get", res.headers.location!, await request(t.app).get(res.headers.location!).set("Authorization", `Bearer ${keyA}`));
    expect(found.status).toBe(200);
    expect(found.body.externalId).toBe("KTG/2026 7");
  });
});

// --- reading ------------------------------------------------------------------------------------------------

describe("GET /api/v1/conversations/:externalId", () => {
  it("returns the conversation with its measurement status", async () => {
    const body = conversation();
    const created = await post(body);
    const res = await get(body.externalId as string);
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toEqual(created.body);
    expect(res.body.measurement).toEqual({ status: "pending", skippedReason: null, invitation: null, response: null, invitations: [] });
  });

  it("answers 404 for an unknown conversation", async () => {
    const problem = problemOf(await get("KTG-BESTAAT-NIET"), 404);
    expect(problem.type).toBe("urn:luisterpost:problem:not_found");
  });

  it("keeps municipalities apart: B cannot see A's conversation and registers its own under the same externalId", async () => {
    const externalId = nextId("KTG-GEDEELD");
    const ofA = conversation(externalId, "C-GEDEELD");
    expect((await post(ofA, keyA)).status).toBe(201);

    problemOf(await get(externalId, keyB), 404);

    const ofB = conversation(externalId, "C-GEDEELD", { law: "jeugd", heldOn: "2026-08-15", client: { externalId: "C-GEDEELD", email: "ouder@example.nl" } });
    const created = await post(ofB, keyB);
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ externalId, law: "jeugd", heldOn: "2026-08-15" });

    expect((await get(externalId, keyA)).body).toMatchObject({ law: "wmo", heldOn: "2026-10-01" });
    expect((await get(externalId, keyB)).body).toMatchObject({ law: "jeugd", heldOn: "2026-08-15" });
    expect((await contactOf(gemeenteA.id, "C-GEDEELD"))?.email).toBe("a.jansen@example.nl");
    expect((await contactOf(gemeenteB.id, "C-GEDEELD"))).toMatchObject({ email: "ouder@example.nl", mobile: null });
    // Resending each is idempotent within its own municipality.
    expect((await post(ofA, keyA)).status).toBe(200);
    expect((await post(ofB, keyB)).status).toBe(200);
  });
});

// --- refused requests ---------------------------------------------------------------------------------------

describe("refused requests store nothing and are never a 500", () => {
  it("401 without a key, with a garbled key, with an unknown key and with a revoked key", async () => {
    const known = conversation();
    expect((await post(known)).status).toBe(201);
    const { key: revoked, row } = await createApiKey(t.database.db, gemeenteA.id, "Oud zaaksysteem", ACTOR);
    await revokeKey(t.database.db, gemeenteA.id, row.id, ACTOR);
    const unknown = `lp_${"A".repeat(43)}`;

    for (const key of [null, "", "lp_kort", "niet-eens-een-sleutel", unknown, revoked]) {
      const problem = await refused(() => post(conversation(), key), 401);
      expect(problem.type).toBe("urn:luisterpost:problem:unauthorized");
      problemOf(await get(known.externalId as string, key), 401);
    }
    for (const header of [`Basic ${keyA}`, `Bearer ${keyA} extra`, keyA]) {
      const res = record("post", "/api/v1/conversations", await request(t.app).post("/api/v1/conversations").set("Authorization", header).send(conversation()));
      problemOf(res, 401);
      expect(res.headers["www-authenticate"]).toBe('Bearer realm="luisterpost"');
    }
  });

  it("400 for malformed JSON", async () => {
    const problem = await refused(() => postRaw('{"externalId": "KTG-1", "law": ', "application/json"), 400);
    expect(problem.type).toBe("urn:luisterpost:problem:malformed_body");
    expect(problem.detail).toBe("De inhoud van het verzoek is geen geldige JSON.");
  });

  it("400 for a JSON array, a JSON string and an empty body instead of an object", async () => {
    for (const raw of [JSON.stringify([conversation()]), "[]", '"KTG-1"', ""]) {
      const problem = await refused(() => postRaw(raw, "application/json"), 400);
      if (raw.startsWith("[")) expect(problem.errors).toEqual([{ field: "", message: "Stuur een JSON-object met de gegevens van het gesprek." }]);
    }
  });

  it("415 for a body that is not sent as JSON", async () => {
    const problem = await refused(() => postRaw("externalId=KTG-1&law=wmo", "application/x-www-form-urlencoded"), 415);
    expect(problem.type).toBe("urn:luisterpost:problem:unsupported_media_type");
    await refused(() => postRaw(JSON.stringify(conversation()), "text/plain"), 415);
  });

  it("413 for a body of 2 MB", async () => {
    const big = conversation(nextId("KTG"), nextId("C"), { provision: "x".repeat(2 * 1024 * 1024) });
    const problem = await refused(() => post(big), 413);
    expect(problem.type).toBe("urn:luisterpost:problem:payload_too_large");
  });

  it("400 naming every unknown field, at the top level, in client and in the address", async () => {
    const body = conversation();
    const client = body.client as Body;
    const problem = await refused(
      () => post({ ...body, status: "nieuw", bsn: "123456782", client: { ...client, naam: "A. Jansen", address: { ...(client.address as Body), land: "NL" } } }),
      400,
    );
    expect(fieldsOf(problem)).toEqual(["bsn", "client.address.land", "client.naam", "status"]);
    expect(problem.errors).toContainEqual({ field: "bsn", message: "Het veld bsn kennen wij niet." });
  });

  it("400 naming every missing required field", async () => {
    const problem = await refused(() => post({ team: "Sociaal Team Noord", client: {} }), 400);
    expect(fieldsOf(problem)).toEqual(["client", "client.externalId", "externalId", "heldOn", "law"]);
    expect(problem.errors).toContainEqual({ field: "heldOn", message: "De gespreksdatum ontbreekt." });
    expect(problem.detail).toContain("5 velden");

    const noClient = await refused(() => post({ externalId: "KTG-1", law: "wmo", heldOn: "2026-10-01" }), 400);
    expect(fieldsOf(noClient)).toEqual(["client", "client.externalId"]);
    const blanks = await refused(() => post(conversation(" ", " ", { law: "", heldOn: null })), 400);
    expect(fieldsOf(blanks)).toEqual(["client.externalId", "externalId", "heldOn", "law"]);
  });

  it("400 for a conversation held in the future or before 2015, or on a day that does not exist", async () => {
    const future = await refused(() => post(conversation(nextId("KTG"), nextId("C"), { heldOn: dayFromToday(2) })), 400);
    expect(future.errors).toEqual([{ field: "heldOn", message: "De gespreksdatum ligt in de toekomst." }]);
    const old = await refused(() => post(conversation(nextId("KTG"), nextId("C"), { heldOn: "31-12-2014" })), 400);
    expect(old.errors).toEqual([{ field: "heldOn", message: "De gespreksdatum ligt vóór 2015; zo oude gesprekken meten we niet." }]);
    const noSuchDay = await refused(() => post(conversation(nextId("KTG"), nextId("C"), { heldOn: "2026-02-30" })), 400);
    expect(fieldsOf(noSuchDay)).toEqual(["heldOn"]);
    const notADate = await refused(() => post(conversation(nextId("KTG"), nextId("C"), { heldOn: "1 oktober 2026" })), 400);
    expect(fieldsOf(notADate)).toEqual(["heldOn"]);
  });

  it("400 for an unknown law and an unknown channel", async () => {
    const problem = await refused(() => post(conversation(nextId("KTG"), nextId("C"), { law: "participatiewet", preferredChannel: "fax" })), 400);
    expect(problem.errors).toEqual([
      { field: "law", message: "De wet moet wmo of jeugd zijn." },
      { field: "preferredChannel", message: "Het voorkeurskanaal moet email, sms, letter (brief) of phone (telefoon) zijn." },
    ]);
  });

  it("400 for an invalid e-mail address", async () => {
    for (const email of ["a.jansen@", "a.jansen@example", "a jansen@example.nl", "a..jansen@example.nl"]) {
      const body = conversation();
      const problem = await refused(() => post({ ...body, client: { ...(body.client as Body), email } }), 400);
      expect(problem.errors, email).toEqual([{ field: "client.email", message: "Het e-mailadres is geen geldig e-mailadres." }]);
    }
  });

  it("400 for a Belgian mobile and a Dutch landline", async () => {
    const cases: Array<[string, string]> = [
      ["+32 470 12 34 56", "Het mobiele nummer is geen Nederlands nummer."],
      ["030-1234567", "Het mobiele nummer is geen mobiel nummer (een 06-nummer)."],
      ["06-1234", "Het mobiele nummer is geen geldig telefoonnummer."],
    ];
    for (const [mobile, message] of cases) {
      const body = conversation();
      const problem = await refused(() => post({ ...body, client: { ...(body.client as Body), mobile } }), 400);
      expect(problem.errors, mobile).toEqual([{ field: "client.mobile", message }]);
    }
  });

  it("400 for postcodes that are not like 1234 AB", async () => {
    for (const postalCode of ["1234", "0123 AB", "1234 A", "12345 AB", "3831 SS"]) {
      const body = conversation();
      const client = body.client as Body;
      const problem = await refused(() => post({ ...body, client: { ...client, address: { ...(client.address as Body), postalCode } } }), 400);
      expect(fieldsOf(problem), postalCode).toEqual(["client.address.postalCode"]);
    }
  });

  it("400 when there is no way to reach the client, also with only part of an address", async () => {
    const nothing = await refused(() => post(conversation(nextId("KTG"), nextId("C"), { client: { externalId: nextId("C"), birthYear: 1948 } })), 400);
    expect(nothing.errors).toEqual([
      {
        field: "client",
        message:
          "Er is geen manier om de cliënt te bereiken. Geef een e-mailadres, een mobiel nummer of een volledig adres (straat, huisnummer, postcode en woonplaats).",
      },
    ]);
    const partial = await refused(
      () => post(conversation(nextId("KTG"), nextId("C"), { client: { externalId: nextId("C"), email: "", mobile: null, address: { street: "Dorpsstraat", city: "Leusden" } } })),
      400,
    );
    expect(fieldsOf(partial)).toEqual(["client"]);
  });

  it("400 for numbers where text is expected and text where a number is expected", async () => {
    const body = conversation();
    const client = body.client as Body;
    const problem = await refused(
      () =>
        post({
          ...body,
          externalId: 123,
          law: 1,
          heldOn: 20261001,
          team: 7,
          client: { ...client, externalId: 98765, birthYear: "1948", mobile: 612345678, address: { ...(client.address as Body), postalCode: 3831, houseNumber: 12 } },
        }),
      400,
    );
    expect(fieldsOf(problem)).toEqual([
      "client.address.houseNumber",
      "client.address.postalCode",
      "client.birthYear",
      "client.externalId",
      "client.mobile",
      "externalId",
      "heldOn",
      "law",
      "team",
    ]);
    expect(problem.errors).toContainEqual({ field: "externalId", message: "Het gesprek-id moet tekst zijn (tussen aanhalingstekens)." });
    expect(problem.errors).toContainEqual({ field: "client.birthYear", message: "Het geboortejaar moet een getal zijn, zoals 1948 (zonder aanhalingstekens)." });
    // Each field is named once.
    expect(new Set(fieldsOf(problem)).size).toBe(problem.errors!.length);

    const objects = await refused(() => post({ ...body, team: { naam: "Noord" }, client: [client] }), 400);
    expect(fieldsOf(objects)).toEqual(expect.arrayContaining(["client", "team"]));
  });

  it("400 naming every bad field of one thoroughly wrong request at once", async () => {
    const problem = await refused(
      () =>
        post({
          externalId: "x".repeat(101),
          law: "wet",
          heldOn: dayFromToday(30),
          team: "Sociaal Team Noord",
          preferredChannel: "duif",
          onbekend: true,
          client: {
            externalId: "C-1",
            birthYear: 1850,
            language: "Klingon",
            email: "a.jansen@",
            mobile: "+32 470 12 34 56",
            telefoon: "030-1234567",
            address: { street: "Dorpsstraat", houseNumber: "12A", postalCode: "0123 AB", city: "Leusden" },
          },
        }),
      400,
    );
    expect(fieldsOf(problem)).toEqual([
      "client.address.postalCode",
      "client.birthYear",
      "client.email",
      "client.language",
      "client.mobile",
      "client.telefoon",
      "externalId",
      "heldOn",
      "law",
      "onbekend",
      "preferredChannel",
    ]);
    for (const error of problem.errors!) expect(error.message).toMatch(/\.$/);
    expect(problem.detail).toBe("Het gesprek is niet opgeslagen: 11 velden kloppen niet. Onder errors staat per veld wat er mis is.");
  });
});

// --- what is recorded ---------------------------------------------------------------------------------------

describe("logs and the OpenAPI document", () => {
  it("logs no contact data, and no request body, of any request above", () => {
    const logs = JSON.stringify(t.logs());
    expect(t.logs().some((line) => (line.req as { path?: string } | undefined)?.path === "/api/v1/conversations")).toBe(true);
    for (const personal of ["a.jansen", "jansen@", "ouder@example", "12345678", "+316", "Dorpsstraat", "3831 AB", "3831ab", "Leusden", "A. Jansen", "123456782"]) {
      expect(logs).not.toContain(personal);
    }
  });

  it("declares every status and content type the tests above observed", () => {
    const doc = openApiDocument(t.config);
    const declared = (method: string, path: string, status: string): string | undefined => {
      const operation = (doc.paths as unknown as Record<string, Record<string, { responses: Record<string, { $ref?: string; content?: Record<string, unknown> }> }>>)[path]?.[method];
      let response = operation?.responses[status];
      if (response?.$ref) response = doc.components.responses[response.$ref.split("/").pop()!];
      return response ? Object.keys(response.content ?? {}).join(",") : undefined;
    };
    expect(observed.size).toBeGreaterThan(8);
    for (const entry of observed) {
      const [method, path, status, contentType] = entry.split(" ") as [string, string, string, string];
      expect(declared(method, path, status), entry).toBe(contentType);
    }
  });
});
