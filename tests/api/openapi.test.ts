// The OpenAPI document at /api/v1/openapi.json is well-formed and says what the server does: real requests
// go to the server, and every response is checked against the schema the document declares for its status
// and content type; example request bodies are judged by the document's ConversationInput schema and by the
// server, and the two verdicts must agree (or differ only in the ways the document itself describes).
//
// JSON Schema validation uses zod's fromJSONSchema (target openapi-3.0, which understands `nullable`); ajv is
// not a dependency of this project. Two things keep that honest: the document may only use keywords the
// converter enforces (checked below), and because zod intersections count a key as known when either side
// knows it, a schema with `anyOf` is also checked with its `anyOf` removed so `additionalProperties: false`
// keeps its JSON Schema meaning.
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Actor } from "../../server/accounts/users.service.ts";
import { createApiKey } from "../../server/apikeys/apikeys.service.ts";
import { todayInAmsterdam } from "../../server/intake/intake.normalize.ts";
import { openApiDocument } from "../../server/intake/openapi.ts";
import type { OpenApiDocument, OperationObject, ResponseObject, SchemaObject } from "../../server/intake/openapi.schemas.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality } from "../helpers/staff.ts";

const ACTOR: Actor = { actor: "test", actorUserId: null, ip: null, requestId: null };

let t: TestApp;
let key: string;
let doc: OpenApiDocument;

beforeAll(async () => {
  t = await createTestApp();
  const municipality = await makeMunicipality(t.database.db, { code: "GM9421", name: "Specdorp" });
  key = (await createApiKey(t.database.db, municipality.id, "Zaaksysteem", ACTOR)).key;
  const res = await request(t.app).get("/api/v1/openapi.json");
  expect(res.status).toBe(200);
  doc = res.body as OpenApiDocument;
});

afterAll(async () => {
  await t?.close();
});

// --- the document's structure ---------------------------------------------------------------------------

// Keywords of an OpenAPI 3.0 Schema Object that zod's converter enforces, and pure annotations.
const ENFORCED_KEYWORDS = new Set([
  "type",
  "nullable",
  "enum",
  "format",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "anyOf",
  "$ref",
]);
const ANNOTATIONS = new Set(["description", "example"]);
const ENFORCED_FORMATS = new Set(["email", "date", "date-time"]);
const SCHEMA_TYPES = new Set(["object", "array", "string", "integer", "number", "boolean"]);

function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node = root;
  for (const part of ref.slice(2).split("/")) {
    if (typeof node !== "object" || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function schemaProblems(schema: SchemaObject, where: string, problems: string[]): void {
  for (const keyword of Object.keys(schema)) {
    if (!ENFORCED_KEYWORDS.has(keyword) && !ANNOTATIONS.has(keyword)) problems.push(`${where}: keyword ${keyword} is not checked by the tests`);
  }
  if (schema.$ref && Object.keys(schema).length > 1) problems.push(`${where}: $ref has siblings, which OpenAPI 3.0 ignores`);
  if (schema.type !== undefined && !SCHEMA_TYPES.has(schema.type)) problems.push(`${where}: unknown type ${String(schema.type)}`);
  if (schema.nullable && !schema.type) problems.push(`${where}: nullable without type`);
  if (schema.format && !ENFORCED_FORMATS.has(schema.format)) problems.push(`${where}: format ${schema.format} is not enforced`);
  if (schema.pattern !== undefined) {
    try {
      new RegExp(schema.pattern, "u");
    } catch {
      problems.push(`${where}: pattern is not an ECMA-262 regular expression`);
    }
  }
  if (schema.enum) {
    for (const value of schema.enum) {
      const fits = value === null ? schema.nullable === true : schema.type === "string" ? typeof value === "string" : typeof value === "number";
      if (!fits) problems.push(`${where}: enum value ${JSON.stringify(value)} does not fit the type`);
    }
    if (schema.nullable && !schema.enum.includes(null)) problems.push(`${where}: nullable enum without null`);
  }
  if (schema.required && schema.properties && schema.additionalProperties === false) {
    for (const name of schema.required) if (!Object.hasOwn(schema.properties, name)) problems.push(`${where}: required ${name} is not a property`);
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) schemaProblems(property, `${where}.${name}`, problems);
  if (schema.items) schemaProblems(schema.items, `${where}[]`, problems);
  (schema.anyOf ?? []).forEach((branch, i) => schemaProblems(branch, `${where}.anyOf[${i}]`, problems));
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

function operationsOf(document: OpenApiDocument): Array<{ method: string; path: string; operation: OperationObject }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => (item as Record<string, unknown>)[m]).map((method) => ({ method, path, operation: (item as Record<string, OperationObject>)[method]! })),
  );
}

function responseOf(operation: OperationObject, status: string): ResponseObject | undefined {
  const response = operation.responses[status];
  if (response && "$ref" in response) return resolvePointer(doc, response.$ref) as ResponseObject | undefined;
  return response;
}

/** What makes a document unusable as OpenAPI 3.0; empty when it is fine. */
function structuralProblems(document: OpenApiDocument): string[] {
  const problems: string[] = [];
  if (!/^3\.0\.\d+$/.test(document.openapi)) problems.push(`openapi ${document.openapi} is not 3.0.x`);
  if (!document.info?.title || !document.info?.version) problems.push("info needs a title and a version");
  const refs: string[] = [];
  JSON.stringify(document, (k, v: unknown) => {
    if (k === "$ref" && typeof v === "string") refs.push(v);
    return v;
  });
  for (const ref of refs) if (resolvePointer(document, ref) === undefined) problems.push(`$ref ${ref} does not resolve`);

  const declaredTags = new Set(document.tags.map((tag) => tag.name));
  const operationIds = new Set<string>();
  for (const { method, path, operation } of operationsOf(document)) {
    const where = `${method.toUpperCase()} ${path}`;
    if (!path.startsWith("/")) problems.push(`${where}: path does not start with /`);
    if (!operation.operationId || operationIds.has(operation.operationId)) problems.push(`${where}: missing or duplicate operationId`);
    operationIds.add(operation.operationId);
    for (const tag of operation.tags ?? []) if (!declaredTags.has(tag)) problems.push(`${where}: undeclared tag ${tag}`);
    for (const requirement of operation.security ?? []) {
      for (const scheme of Object.keys(requirement)) if (!document.components.securitySchemes[scheme]) problems.push(`${where}: unknown security scheme ${scheme}`);
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const pathParameters = (operation.parameters ?? []).filter((p) => p.in === "path");
    for (const name of templated) {
      if (!pathParameters.some((p) => p.name === name && p.required)) problems.push(`${where}: path parameter ${name} is not declared as required`);
    }
    for (const p of pathParameters) if (!templated.includes(p.name)) problems.push(`${where}: path parameter ${p.name} is not in the path`);
    if (Object.keys(operation.responses).length === 0) problems.push(`${where}: no responses`);
    for (const status of Object.keys(operation.responses)) {
      if (!/^[1-5]\d\d$/.test(status)) problems.push(`${where}: response key ${status}`);
      const response = responseOf(operation, status);
      if (!response?.description) problems.push(`${where} ${status}: response without description`);
      for (const [type, media] of Object.entries(response?.content ?? {})) {
        if (!media.schema) problems.push(`${where} ${status} ${type}: no schema`);
      }
    }
    for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
      if (!media.schema) problems.push(`${where} request ${type}: no schema`);
    }
  }
  for (const [name, schema] of Object.entries(document.components.schemas)) schemaProblems(schema, `components.schemas.${name}`, problems);
  for (const { method, path, operation } of operationsOf(document)) {
    for (const status of Object.keys(operation.responses)) {
      for (const [type, media] of Object.entries(responseOf(operation, status)?.content ?? {})) schemaProblems(media.schema, `${method} ${path} ${status} ${type}`, problems);
    }
  }
  return problems;
}

// --- validating with the document's schemas -----------------------------------------------------------------

function mapSchemas(schema: SchemaObject, change: (s: SchemaObject) => SchemaObject): SchemaObject {
  const copy = change({ ...schema });
  if (copy.properties) copy.properties = Object.fromEntries(Object.entries(copy.properties).map(([k, v]) => [k, mapSchemas(v, change)]));
  if (copy.items) copy.items = mapSchemas(copy.items, change);
  if (copy.anyOf) copy.anyOf = copy.anyOf.map((branch) => mapSchemas(branch, change));
  return copy;
}

/** Responses must not carry anything the document does not declare (contact data, say). */
const closed = (s: SchemaObject): SchemaObject => (s.properties && s.additionalProperties === undefined ? { ...s, additionalProperties: false } : s);
const withoutAnyOf = (s: SchemaObject): SchemaObject => {
  const { anyOf: _ignored, ...rest } = s;
  return rest;
};

type Validator = (value: unknown) => string[];

function validatorFor(schema: SchemaObject, options: { closed: boolean }): Validator {
  const pointer = (s: SchemaObject) => JSON.parse(JSON.stringify(s).replaceAll('"#/components/schemas/', '"#/definitions/')) as SchemaObject;
  const build = (change: (s: SchemaObject) => SchemaObject) => {
    const step = (s: SchemaObject) => change(options.closed ? closed(s) : s);
    const definitions = Object.fromEntries(Object.entries(doc.components.schemas).map(([name, s]) => [name, pointer(mapSchemas(s, step))]));
    return z.fromJSONSchema({ definitions, ...pointer(mapSchemas(schema, step)) } as never, { defaultTarget: "openapi-3.0" });
  };
  const schemas = [build((s) => s), build(withoutAnyOf)];
  return (value) => {
    const issues: string[] = [];
    for (const zodSchema of schemas) {
      const result = zodSchema.safeParse(value);
      if (!result.success) issues.push(...result.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`));
    }
    return [...new Set(issues)];
  };
}

// --- talking to the server ----------------------------------------------------------------------------------

/** Per operation ("post /conversations"), the statuses seen. */
const observed = new Map<string, Set<string>>();

/** Checks a response against what the document declares for its operation, status and content type. */
function checkExchange(method: string, path: string, res: request.Response): void {
  const operation = (doc.paths as unknown as Record<string, Record<string, OperationObject>>)[path]?.[method];
  expect(operation, `${method} ${path} is in the document`).toBeDefined();
  const status = String(res.status);
  const where = `${method.toUpperCase()} ${path} → ${status}`;
  const response = responseOf(operation!, status);
  expect(response, `${where} is declared`).toBeDefined();
  const contentType = String(res.headers["content-type"] ?? "").split(";")[0]!;
  const media = response!.content?.[contentType];
  expect(media, `${where}: content type ${contentType} is declared (${Object.keys(response!.content ?? {}).join(", ")})`).toBeDefined();
  expect(validatorFor(media!.schema, { closed: true })(JSON.parse(res.text)), `${where}: ${res.text.slice(0, 500)}`).toEqual([]);
  for (const header of Object.keys(response!.headers ?? {})) expect(res.headers[header.toLowerCase()], `${where}: header ${header}`).toEqual(expect.any(String));
  const seen = observed.get(`${method} ${path}`) ?? new Set<string>();
  seen.add(status);
  observed.set(`${method} ${path}`, seen);
}

async function post(body: unknown, options: { key?: string | null; raw?: string; type?: string } = {}): Promise<request.Response> {
  let req = request(t.app).post("/api/v1/conversations");
  const auth = options.key === undefined ? key : options.key;
  if (auth !== null) req = req.set("Authorization", `Bearer ${auth}`);
  if (options.type) req = req.set("Content-Type", options.type);
  const res = await req.send((options.raw ?? body) as object);
  checkExchange("post", "/conversations", res);
  return res;
}

async function get(externalId: string, auth: string | null = key): Promise<request.Response> {
  let req = request(t.app).get(`/api/v1/conversations/${encodeURIComponent(externalId)}`);
  if (auth !== null) req = req.set("Authorization", `Bearer ${auth}`);
  const res = await req;
  checkExchange("get", "/conversations/{externalId}", res);
  return res;
}

// --- example requests ---------------------------------------------------------------------------------------

let counter = 0;
type Body = Record<string, unknown>;

function valid(overrides: Body = {}, client: Body = {}): Body {
  const n = ++counter;
  return {
    externalId: `KTG-SPEC-${n}`,
    law: "wmo",
    heldOn: "2026-10-01",
    team: "Sociaal Team Noord",
    area: "Centrum",
    provision: "huishoudelijke hulp",
    preferredChannel: "email",
    client: {
      externalId: `C-SPEC-${n}`,
      birthYear: 1948,
      language: "nl",
      email: "a.jansen@example.nl",
      mobile: "06 12345678",
      address: { street: "Dorpsstraat", houseNumber: "12A", postalCode: "3831 AB", city: "Leusden" },
      ...client,
    },
    ...overrides,
  };
}

const reachableBy = (contact: Body): Body => {
  const body = valid();
  return { ...body, client: { externalId: (body.client as Body).externalId, ...contact } };
};

function dayFromToday(days: number): string {
  const today = new Date(`${todayInAmsterdam()}T00:00:00Z`);
  return new Date(today.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

// Judged alike by the document and by the server.
const AGREED: Array<[string, () => unknown, "accepted" | "refused"]> = [
  ["the full example", () => valid(), "accepted"],
  ["the document's own request example", () => ({ ...(openApiDocument(t.config).paths["/conversations"]!.post!.requestBody!.content["application/json"]!.example as Body), externalId: `KTG-SPEC-EX-${++counter}` }), "accepted"],
  ["only an e-mail address", () => reachableBy({ email: "b.de.vries@example.nl" }), "accepted"],
  ["only a mobile number, +31 notation", () => reachableBy({ mobile: "+31 6 1234 5678" }), "accepted"],
  ["only a mobile number, 0031 notation", () => reachableBy({ mobile: "0031612345678" }), "accepted"],
  ["only a mobile number, with (0)", () => reachableBy({ mobile: "+31 (0)6 12345678" }), "accepted"],
  ["only a full address, postcode without space", () => reachableBy({ address: { street: "Kerkplein", houseNumber: "1", postalCode: "3831ab", city: "Leusden" } }), "accepted"],
  ["a Dutch date", () => valid({ heldOn: "1-10-2026" }), "accepted"],
  ["a Dutch date with slashes", () => valid({ heldOn: "01/10/2026" }), "accepted"],
  ["nulls for every optional field", () => valid({ team: null, area: null, provision: null, preferredChannel: null }, { birthYear: null, language: null, mobile: null, address: null }), "accepted"],
  ["jeugd, by letter", () => valid({ law: "jeugd", preferredChannel: "letter" }), "accepted"],
  ["the earliest day", () => valid({ heldOn: "2015-01-01" }), "accepted"],
  ["an unknown top-level field", () => valid({ bsn: "123456782" }), "refused"],
  ["an unknown field in client", () => valid({}, { naam: "A. Jansen" }), "refused"],
  ["an unknown field in the address", () => valid({}, { address: { street: "Dorpsstraat", houseNumber: "12A", postalCode: "3831 AB", city: "Leusden", land: "NL" } }), "refused"],
  ["no externalId", () => valid({ externalId: undefined }), "refused"],
  ["a blank externalId", () => valid({ externalId: "   " }), "refused"],
  ["an externalId of 101 characters", () => valid({ externalId: "K".repeat(101) }), "refused"],
  ["no law", () => valid({ law: undefined }), "refused"],
  ["no heldOn", () => valid({ heldOn: null }), "refused"],
  ["no client", () => valid({ client: undefined }), "refused"],
  ["no client id", () => valid({}, { externalId: undefined }), "refused"],
  ["an unknown law", () => valid({ law: "participatiewet" }), "refused"],
  ["an unknown channel", () => valid({ preferredChannel: "fax" }), "refused"],
  ["a date in another form", () => valid({ heldOn: "2026/10/01" }), "refused"],
  ["a date in words", () => valid({ heldOn: "1 oktober 2026" }), "refused"],
  ["a birth year before 1900", () => valid({}, { birthYear: 1850 }), "refused"],
  ["a birth year in the future", () => valid({}, { birthYear: new Date().getUTCFullYear() + 1 }), "refused"],
  ["a birth year as text", () => valid({}, { birthYear: "1948" }), "refused"],
  ["an invalid e-mail address", () => valid({}, { email: "a.jansen@" }), "refused"],
  ["an e-mail address with a space", () => valid({}, { email: "a jansen@example.nl" }), "refused"],
  ["a Belgian mobile", () => valid({}, { mobile: "+32 470 12 34 56" }), "refused"],
  ["a Dutch landline", () => valid({}, { mobile: "030-1234567" }), "refused"],
  ["a pager number", () => valid({}, { mobile: "066 1234567" }), "refused"],
  ["postcode 1234", () => valid({}, { address: { street: "Dorpsstraat", houseNumber: "12A", postalCode: "1234", city: "Leusden" } }), "refused"],
  ["postcode 0123 AB", () => valid({}, { address: { street: "Dorpsstraat", houseNumber: "12A", postalCode: "0123 AB", city: "Leusden" } }), "refused"],
  ["postcode 3831 SS", () => valid({}, { address: { street: "Dorpsstraat", houseNumber: "12A", postalCode: "3831 SS", city: "Leusden" } }), "refused"],
  ["no way to reach the client", () => reachableBy({ birthYear: 1948 }), "refused"],
  ["only part of an address", () => reachableBy({ address: { street: "Dorpsstraat", houseNumber: "12A", postalCode: "3831 AB" } }), "refused"],
  ["empty contact fields", () => reachableBy({ email: "", mobile: null, address: {} }), "refused"],
  ["a number as externalId", () => valid({ externalId: 123 }), "refused"],
  ["a number as mobile", () => valid({}, { mobile: 612345678 }), "refused"],
  ["a number as house number", () => valid({}, { address: { street: "Dorpsstraat", houseNumber: 12, postalCode: "3831 AB", city: "Leusden" } }), "refused"],
  ["an object as team", () => valid({ team: { naam: "Noord" } }), "refused"],
  ["a JSON array", () => [valid()], "refused"],
  ["client as a list", () => valid({ client: [{ externalId: "C-1", email: "a@example.nl" }] }), "refused"],
  ["a team of 201 characters", () => valid({ team: "t".repeat(201) }), "refused"],
];

// The server is more lenient than the document in ways the document describes: it takes spellings that
// Dutch case systems produce, but the document only promises the canonical forms.
const LENIENT: Array<[string, () => Body, string]> = [
  ["law Jeugdwet", () => valid({ law: "Jeugdwet" }), "Jeugdwet"],
  ["law WMO", () => valid({ law: "WMO" }), "any letter case"],
  ["channel brief", () => valid({ preferredChannel: "brief" }), "brief"],
  ["language Nederlands", () => valid({}, { language: "Nederlands" }), "Nederlands"],
  ["an empty optional field", () => valid({ preferredChannel: "" }), "empty string"],
];

// Well-formed for the document, refused by the server on grounds the document states in words.
const SEMANTIC: Array<[string, () => Body, string, string]> = [
  ["a date in the future", () => valid({ heldOn: dayFromToday(2) }), "heldOn", "not in the future"],
  ["a date before 2015", () => valid({ heldOn: "2014-12-31" }), "heldOn", "not before 2015-01-01"],
  ["a day that does not exist", () => valid({ heldOn: "30-02-2026" }), "heldOn", "must be an existing date"],
];

describe("the OpenAPI document", () => {
  it("is served without a key as the document for this installation", async () => {
    const res = await request(t.app).get("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(openApiDocument(t.config))));
    expect(res.body.servers).toEqual([{ url: `${t.config.baseUrl}/api/v1`, description: expect.any(String) }]);
    expect(res.body.info.title).toBe("Luisterpost API");
    checkExchange("get", "/openapi.json", res);
  });

  it("is structurally valid OpenAPI 3.0", () => {
    expect(structuralProblems(doc)).toEqual([]);
    const described = operationsOf(doc).map(({ method, path }) => `${method} ${path}`).sort();
    expect(described).toEqual(["get /conversations/{externalId}", "get /openapi.json", "post /conversations"]);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
    expect(Object.keys(doc.paths["/conversations"]!.post!.responses).sort()).toEqual(["200", "201", "400", "401", "409", "413", "415"]);
    expect(Object.keys(doc.paths["/conversations/{externalId}"]!.get!.responses).sort()).toEqual(["200", "401", "404"]);
  });

  it("would notice a broken document", () => {
    const broken = JSON.parse(JSON.stringify(doc)) as OpenApiDocument;
    broken.components.schemas.Conversation!.properties!.heldOn = { type: "string", format: "date-iso" };
    (broken.components.schemas.Problem as Record<string, unknown>).oneOf = [];
    broken.paths["/conversations"]!.post!.responses["404"] = { $ref: "#/components/responses/Gone" };
    broken.paths["/conversations/{externalId}"]!.get!.parameters = [];
    expect(structuralProblems(broken)).toEqual([
      "$ref #/components/responses/Gone does not resolve",
      "POST /conversations 404: response without description",
      "GET /conversations/{externalId}: path parameter externalId is not declared as required",
      "components.schemas.Conversation.heldOn: format date-iso is not enforced",
      "components.schemas.Problem: keyword oneOf is not checked by the tests",
    ]);
  });
});

describe("requests judged by the document and by the server", () => {
  const inputValidator = () => validatorFor({ $ref: "#/components/schemas/ConversationInput" }, { closed: false });

  it.each(AGREED)("%s: the same verdict", async (_name, build, expected) => {
    const body = build();
    const documentIssues = inputValidator()(body);
    expect(documentIssues.length === 0 ? "accepted" : "refused", `document: ${documentIssues.join("; ")}`).toBe(expected);
    const res = await post(body);
    expect(res.status === 201 ? "accepted" : res.status === 400 ? "refused" : `status ${res.status}`, res.text).toBe(expected);
  });

  it.each(LENIENT)("%s: the server takes it, the document asks for the canonical form and says so", async (_name, build, mentioned) => {
    const body = build();
    expect(inputValidator()(body)).not.toEqual([]);
    expect(doc.components.schemas.ConversationInput!.description).toContain(mentioned);
    const res = await post(body);
    expect(res.status, res.text).toBe(201);
  });

  it.each(SEMANTIC)("%s: well-formed, refused by the server as the description says", async (_name, build, field, described) => {
    const body = build();
    expect(inputValidator()(body)).toEqual([]);
    expect(doc.components.schemas.ConversationInput!.properties![field]!.description).toContain(described);
    const res = await post(body);
    expect(res.status, res.text).toBe(400);
    expect((res.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual([field]);
  });
});

describe("every status the API answers with is declared, with a body that fits", () => {
  it("covers the statuses that the example requests did not", async () => {
    const body = valid();
    expect((await post(body)).status).toBe(201);
    expect((await post(body)).status).toBe(200);
    expect((await post({ ...body, heldOn: "2026-09-30" })).status).toBe(409);
    expect((await post(valid(), { key: null })).status).toBe(401);
    expect((await post(valid(), { key: `lp_${"B".repeat(43)}` })).status).toBe(401);
    expect((await post(undefined, { raw: '{"externalId": ', type: "application/json" })).status).toBe(400);
    expect((await post(undefined, { raw: JSON.stringify(valid()), type: "text/plain" })).status).toBe(415);
    expect((await post(valid({ provision: "x".repeat(2 * 1024 * 1024) }))).status).toBe(413);

    expect((await get(body.externalId as string)).status).toBe(200);
    expect((await get("KTG-ONBEKEND")).status).toBe(404);
    expect((await get(body.externalId as string, null)).status).toBe(401);
  });

  it("has seen every declared status of every operation, and nothing undeclared", () => {
    for (const { method, path, operation } of operationsOf(doc)) {
      expect([...(observed.get(`${method} ${path}`) ?? [])].sort(), `${method} ${path}`).toEqual(Object.keys(operation.responses).sort());
    }
  });

  it("refuses a response with a field the document does not declare, such as contact data", async () => {
    const created = await post(valid());
    const validator = validatorFor({ $ref: "#/components/schemas/Conversation" }, { closed: true });
    expect(validator(created.body)).toEqual([]);
    expect(validator({ ...created.body, client: { ...created.body.client, email: "a.jansen@example.nl" } })).not.toEqual([]);
    expect(validator({ ...created.body, measurement: { ...created.body.measurement, status: "verzonden" } })).not.toEqual([]);
    expect(validator({ ...created.body, heldOn: "01-10-2026" })).not.toEqual([]);
  });
});
