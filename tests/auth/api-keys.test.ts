// API keys for a municipality's case system: requireApiKey on a tiny app with the real error handler, how
// keys are stored (hashed, never the key itself), last-used bookkeeping, and the admin UI that shows a new
// key exactly once.
import express, { type Express } from "express";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../../server/accounts/passwords.ts";
import { authenticateApiKey, createApiKey, requireApiKey, revokeKey } from "../../server/apikeys/apikeys.service.ts";
import type { Actor } from "../../server/accounts/users.service.ts";
import { loadConfig } from "../../server/config.ts";
import { fromDbTime } from "../../server/db.ts";
import { errorHandler } from "../../server/middleware/error-handler.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { captureLogger, createTestApp, type TestApp } from "../helpers/app.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { makeMunicipality, makeUser, signIn, submitForm } from "../helpers/staff.ts";

const ACTOR: Actor = { actor: "test", actorUserId: null, ip: null, requestId: null };
const KEY_IN_TEXT = /lp_[A-Za-z0-9_-]{43}/g;

describe("requireApiKey", () => {
  let database: TestDatabase;
  let api: Express;
  let municipality: MunicipalityRow;
  let other: MunicipalityRow;

  beforeAll(async () => {
    database = await createTestDatabase();
    municipality = await makeMunicipality(database.db, { code: "GM9301", name: "Sleuteldorp" });
    other = await makeMunicipality(database.db, { code: "GM9302", name: "Anderstad" });
    const config = loadConfig({ NODE_ENV: "test", DATABASE_URL: database.url, SESSION_SECRET: "x".repeat(40) });
    const { logger } = captureLogger(config, "silent");
    api = express();
    api.get("/api/v1/whoami", requireApiKey(database.db), (req, res) => {
      res.json(req.apiClient);
    });
    api.use(errorHandler(logger));
  });
  afterAll(async () => {
    await database?.destroy();
  });

  const whoami = (authorization?: string) => {
    const req = request(api).get("/api/v1/whoami");
    return authorization === undefined ? req : req.set("Authorization", authorization);
  };

  /** 401, a problem document in Dutch, and the header that tells the client how to authenticate. */
  function expectUnauthorized(res: request.Response, what: string): void {
    expect(res.status, what).toBe(401);
    expect(res.headers["content-type"], what).toMatch(/^application\/problem\+json/);
    expect(res.headers["www-authenticate"], what).toBe('Bearer realm="luisterpost"');
    const body = JSON.parse(res.text) as Record<string, unknown>;
    expect(body, what).toMatchObject({ type: "urn:luisterpost:problem:unauthorized", status: 401, title: "Niet ingelogd" });
    expect(body.detail, what).toContain("Geen geldige API-sleutel");
  }

  it("lets a valid key through as its own municipality", async () => {
    const { key, row } = await createApiKey(database.db, municipality.id, "Zaaksysteem", ACTOR);
    const { key: otherKey, row: otherRow } = await createApiKey(database.db, other.id, "Zaaksysteem", ACTOR);

    const res = await whoami(`Bearer ${key}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ municipalityId: municipality.id, keyId: row.id });

    const res2 = await whoami(`bearer  ${otherKey} `);
    expect(res2.status, res2.text).toBe(200);
    expect(res2.body).toEqual({ municipalityId: other.id, keyId: otherRow.id });
  });

  it("answers 401 with a problem document for a missing, garbled, unknown or revoked key", async () => {
    const { key, row } = await createApiKey(database.db, municipality.id, "Wordt ingetrokken", ACTOR);
    const flipped = `${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`;
    const unknown = `lp_${"A".repeat(43)}`;

    expectUnauthorized(await whoami(), "no Authorization header");
    expectUnauthorized(await whoami(""), "an empty Authorization header");
    expectUnauthorized(await whoami(key), "the key without the Bearer scheme");
    expectUnauthorized(await whoami(`Basic ${Buffer.from(`x:${key}`).toString("base64")}`), "Basic authentication");
    expectUnauthorized(await whoami("Bearer"), "Bearer without a key");
    expectUnauthorized(await whoami(`Bearer ${key.slice(0, -1)}`), "a key one character short");
    expectUnauthorized(await whoami(`Bearer ${key}x`), "a key one character long");
    expectUnauthorized(await whoami(`Bearer ${key.replace(/^lp_/, "xx_")}`), "a key with the wrong prefix");
    expectUnauthorized(await whoami(`Bearer ${key} ${key}`), "two keys");
    expectUnauthorized(await whoami(`Bearer ${flipped}`), "a key with its last character changed");
    expectUnauthorized(await whoami(`Bearer ${unknown}`), "a well-formed key that was never issued");
    expectUnauthorized(await whoami(`Bearer ${hashToken(key)}`), "the stored hash instead of the key");

    // The same key works until it is revoked, and never again afterwards.
    expect((await whoami(`Bearer ${key}`)).status).toBe(200);
    await revokeKey(database.db, municipality.id, row.id, ACTOR);
    expectUnauthorized(await whoami(`Bearer ${key}`), "a revoked key");
  });

  it("records when a key was last used", async () => {
    const { key, row } = await createApiKey(database.db, municipality.id, "Gebruikt", ACTOR);
    const lastUsed = async () => fromDbTime((await database.db("api_keys").where({ id: row.id }).first()).last_used_at);
    expect(await lastUsed()).toBeNull();

    const before = Date.now();
    expect((await whoami(`Bearer ${key}`)).status).toBe(200);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    expect(first!.getTime()).toBeGreaterThanOrEqual(before - 1000);

    // A failed attempt with another key does not touch it.
    await whoami(`Bearer lp_${"B".repeat(43)}`);
    expect(await lastUsed()).toEqual(first);

    // Written at most once a minute per key (explicit clock, no waiting): a use 30 s later leaves it, a use
    // two minutes later moves it.
    const t0 = first!;
    await authenticateApiKey(database.db, key, new Date(t0.getTime() + 30_000));
    expect(await lastUsed()).toEqual(t0);
    const later = new Date(t0.getTime() + 120_000);
    expect(await authenticateApiKey(database.db, key, later)).toEqual({ municipalityId: municipality.id, keyId: row.id });
    expect((await lastUsed())!.getTime()).toBe(later.getTime());
  });

  it("stores only a hash of the key, never the key itself", async () => {
    const { key, row } = await createApiKey(database.db, municipality.id, "Hashcontrole", ACTOR);
    expect(key).toMatch(/^lp_[A-Za-z0-9_-]{43}$/);
    const secret = key.slice(3);

    const stored = await database.db("api_keys").where({ id: row.id }).first();
    expect(stored.key_hash).toBe(hashToken(key));
    // The prefix shown in lists is the start of the key only.
    expect(stored.prefix).toBe(key.slice(0, 10));
    const everything = JSON.stringify(await database.db("api_keys").select("*"));
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(secret.slice(7));
    // Nor did the audit trail keep it.
    const audit = JSON.stringify(await database.db("audit_events").select("*"));
    expect(audit).toContain(`"apikey.created"`);
    expect(audit).not.toContain(secret.slice(7));
  });
});

describe("API keys in the admin UI", () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("shows a new key exactly once; the key works, and the list keeps only its name and prefix", async () => {
    const municipality = await makeMunicipality(t.database.db, { code: "GM9311", name: "Eenmaaldorp" });
    const admin = await makeUser(t.database.db, { memberships: [{ municipalityId: municipality.id, role: "admin" }] });
    const agent = await signIn(t.app, admin);
    const page = `/staff/m/${municipality.code}/api-keys`;

    const created = await submitForm(agent, page, page, { name: "Zaaksysteem Suite" });
    expect(created.status, created.text).toBe(200);
    expect(created.headers["cache-control"]).toBe("no-store");
    const shown = created.text.match(KEY_IN_TEXT) ?? [];
    expect(shown).toHaveLength(1);
    const key = shown[0]!;
    expect(created.text).toContain(`data-testid="new-api-key">${key}<`);

    const again = await agent.get(page);
    expect(again.status).toBe(200);
    expect(again.text).toContain("Zaaksysteem Suite");
    expect(again.text).toContain(`${key.slice(0, 10)}…`);
    expect(again.text).not.toContain(key);
    expect(again.text).not.toContain(key.slice(3));
    expect(again.text.match(KEY_IN_TEXT)).toBeNull();
    expect(again.text).not.toContain('data-testid="new-api-key"');
    // Not used yet; after the case system has used it, the list says when.
    expect(again.text).toContain("Nog niet");
    expect(await authenticateApiKey(t.database.db, key)).toMatchObject({ municipalityId: municipality.id });
    const afterUse = await agent.get(page);
    expect(afterUse.text).not.toContain("Nog niet");
    expect(afterUse.text).not.toContain(key);
  });
});
