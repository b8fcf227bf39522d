// The Express app over HTTP (supertest) on a real migrated database.
import request from "supertest";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { insertMunicipality } from "../../server/municipalities/municipalities.queries.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { testDialect } from "../helpers/database.ts";

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t.close();
});

afterEach(async () => {
  await t.database.db("municipalities").delete();
});

describe("home page", () => {
  it("is served in Dutch with the NL Design System styles and strict security headers", async () => {
    const res = await request(t.app).get("/").set("Accept-Encoding", "gzip");
    expect(res.status).toBe(200);
    expect(res.type).toBe("text/html");
    expect(res.text).toContain('<html lang="nl">');
    expect(res.text).toContain("/assets/nlds/components.css");
    expect(res.text).toContain("/assets/nlds/design-tokens.css");
    expect(res.text).toContain("Uw mening over de hulp van de gemeente");
    expect(res.headers["content-encoding"]).toBe("gzip");

    const csp = res.headers["content-security-policy"] as string;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(res.headers["x-powered-by"]).toBeUndefined();
    // Outside production there is no https to insist on.
    expect(res.headers["strict-transport-security"]).toBeUndefined();
  });

  it("carries the look of the municipality when the installation serves just one", async () => {
    await insertMunicipality(t.database.db, { code: "GM0327", name: "Leusden", theme: { tokens: { "--lp-color-primary": "#0b5e2a" } } });
    const single = await request(t.app).get("/");
    expect(single.text).toContain('href="/theme/GM0327.css"');
    expect(single.text).toContain("Gemeente Leusden");

    await insertMunicipality(t.database.db, { code: "GM0014", name: "Groningen" });
    const several = await request(t.app).get("/");
    expect(several.text).not.toContain("/theme/");
    expect(several.text).not.toContain("Gemeente Leusden");
  });
});

describe("request ids", () => {
  it("gives every response an id, keeping a sane incoming one", async () => {
    const fresh = await request(t.app).get("/healthz");
    expect(fresh.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await request(t.app).get("/healthz").set("X-Request-Id", "lb-1234.abc");
    expect(kept.headers["x-request-id"]).toBe("lb-1234.abc");
    const replaced = await request(t.app).get("/healthz").set("X-Request-Id", "<script>alert(1)</script>");
    expect(replaced.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("/healthz", () => {
  it("reports the database and the queue", async () => {
    const res = await request(t.app).get("/healthz");
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(res.body).toEqual({
      status: "ok",
      database: { status: "ok", dialect: testDialect },
      queue: { status: "ok", driver: "in-process", counts: { waiting: 0, delayed: 0, active: 0 } },
    });
  });

  it("answers 503 naming the part that is down", async () => {
    const broken = await createTestApp();
    await broken.queue.close();
    const queueDown = await request(broken.app).get("/healthz");
    expect(queueDown.status).toBe(503);
    expect(queueDown.body).toMatchObject({ status: "unavailable", database: { status: "ok" }, queue: { status: "unavailable" } });

    await broken.database.db.destroy();
    const dbDown = await request(broken.app).get("/healthz");
    expect(dbDown.status).toBe(503);
    expect(dbDown.body.database).toMatchObject({ status: "unavailable", error: expect.any(String) });
    await broken.close().catch(() => undefined);
  });
});

describe("errors", () => {
  it("shows a Dutch 404 page to browsers", async () => {
    const res = await request(t.app).get("/bestaat-niet").set("Accept", "text/html");
    expect(res.status).toBe(404);
    expect(res.type).toBe("text/html");
    expect(res.text).toContain("Deze pagina bestaat niet");
  });

  it("answers the API and JSON clients with application/problem+json", async () => {
    const api = await request(t.app).get("/api/v1/nothing-here");
    expect(api.status).toBe(404);
    expect(api.type).toBe("application/problem+json");
    expect(JSON.parse(api.text)).toMatchObject({
      type: "urn:luisterpost:problem:not_found",
      title: "Niet gevonden",
      status: 404,
      requestId: api.headers["x-request-id"],
    });
    const json = await request(t.app).get("/bestaat-niet").set("Accept", "application/json");
    expect(json.type).toBe("application/problem+json");
  });

  it("rejects malformed and oversized JSON with a clear problem, never a 500", async () => {
    const malformed = await request(t.app).post("/api/v1/conversations").set("Content-Type", "application/json").send('{"externalId": ');
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text)).toMatchObject({ type: "urn:luisterpost:problem:malformed_body", status: 400 });

    const huge = await request(t.app)
      .post("/api/v1/conversations")
      .set("Content-Type", "application/json")
      .send(JSON.stringify({ notes: "x".repeat(1_100_000) }));
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.text)).toMatchObject({ type: "urn:luisterpost:problem:payload_too_large" });

    const badEncoding = await request(t.app).get("/%E0%A4%A");
    expect(badEncoding.status).toBeLessThan(500);
  });

  it("shows a plain 500 page without internals and logs the error with the request id", async () => {
    const broken = await createTestApp();
    await broken.database.db.destroy();
    const res = await request(broken.app).get("/").set("Accept", "text/html");
    expect(res.status).toBe(500);
    expect(res.text).toContain("Er ging iets mis");
    expect(res.text).toContain(res.headers["x-request-id"]);
    expect(res.text).not.toMatch(/knex|pool|destroyed|at .*\.ts/i);
    const logged = broken.logs().find((line) => line.msg === "unexpected error");
    expect(logged).toMatchObject({ reqId: res.headers["x-request-id"], err: { message: expect.any(String) } });
    await broken.close().catch(() => undefined);
  });
});

describe("static files", () => {
  it("serves the selected NL Design System files and our own CSS, with caching", async () => {
    for (const url of ["/assets/nlds/components.css", "/assets/nlds/design-tokens.css", "/assets/css/luisterpost.css"]) {
      const res = await request(t.app).get(url);
      expect(res.status, url).toBe(200);
      expect(res.type, url).toBe("text/css");
      expect(res.headers["cache-control"], url).toMatch(/max-age=\d+/);
    }
    const tokens = await request(t.app).get("/assets/nlds/design-tokens.css");
    expect(tokens.text).toContain(".utrecht-theme");
  });

  it("serves SurveyJS precompressed (brotli, gzip) with a year-long cache and ETag revalidation", async () => {
    const { readFileSync } = await import("node:fs");
    const http = await import("node:http");
    const { brotliDecompressSync, gunzipSync } = await import("node:zlib");
    const original = readFileSync("node_modules/survey-core/survey.core.min.js");
    const server = t.app.listen(0);
    const port = (server.address() as { port: number }).port;
    // Raw HTTP: client libraries would decompress the body themselves.
    const get = (headers: Record<string, string>) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, path: "/assets/survey/survey.core.min.js?v=1", headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        }).on("error", reject);
      });
    try {
      // In the order Chromium sends them: brotli must still win.
      const br = await get({ "Accept-Encoding": "gzip, deflate, br, zstd" });
      expect(br.status).toBe(200);
      expect(br.headers["content-encoding"]).toBe("br");
      expect(br.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(brotliDecompressSync(br.body).equals(original)).toBe(true);
      expect(br.body.length).toBeLessThan(original.length / 3);
      const gz = await get({ "Accept-Encoding": "gzip" });
      expect(gz.headers["content-encoding"]).toBe("gzip");
      expect(gunzipSync(gz.body).equals(original)).toBe(true);
      const again = await get({ "Accept-Encoding": "br", "If-None-Match": String(br.headers.etag) });
      expect(again.status).toBe(304);
    } finally {
      server.close();
    }
  });

  it("exposes nothing else from the package", async () => {
    for (const url of ["/node_modules/@utrecht/component-library-css/package.json", "/assets/../package.json", "/assets/nlds/", "/package.json"]) {
      expect((await request(t.app).get(url)).status, url).toBe(404);
    }
  });
});

describe("municipality theme", () => {
  it("serves the municipality's token overrides as CSS", async () => {
    await insertMunicipality(t.database.db, {
      code: "GM0599",
      name: "Rotterdam",
      theme: { tokens: { "--lp-color-primary": "#00811f", "--utrecht-button-primary-action-background-color": "hsl(140 100% 25%)" } },
    });
    const res = await request(t.app).get("/theme/GM0599.css");
    expect(res.status).toBe(200);
    expect(res.type).toBe("text/css");
    expect(res.text).toContain("--lp-color-primary: #00811f;");
    expect(res.text).toContain("--utrecht-button-primary-action-background-color: hsl(140 100% 25%);");
    expect((await request(t.app).get("/theme/gm0599.css")).status).toBe(200);
  });

  it("answers 404 for an unknown or malformed code", async () => {
    expect((await request(t.app).get("/theme/GM1234.css")).status).toBe(404);
    expect((await request(t.app).get("/theme/../../etc.css")).status).toBe(404);
    expect((await request(t.app).get("/theme/x.css")).status).toBe(404);
  });

  it("ignores a stored theme that would break out of the style sheet", async () => {
    await insertMunicipality(t.database.db, {
      code: "GM0327",
      name: "Leusden",
      theme: { tokens: { "--lp-color-primary": "red; } body { display: none" } },
    });
    const res = await request(t.app).get("/theme/GM0327.css");
    expect(res.status).toBe(200);
    expect(res.text).not.toContain("display: none");
  });
});

describe("request logs", () => {
  it("log method, cleaned path and status, never query strings, tokens, e-mail addresses or phone numbers", async () => {
    await request(t.app).get("/zoek?naam=Jansen&email=test.persoon@example.nl");
    await request(t.app).get("/s/Qm9ndXNUb2tlbkZvclRlc3Rpbmc");
    await request(t.app).get("/clients/test.persoon@example.nl/06-12345678");
    await request(t.app).get("/healthz").set("Cookie", "lp.sid=secret-cookie").set("Authorization", "Bearer secret-key");
    const text = JSON.stringify(t.logs());
    for (const secret of ["Jansen", "test.persoon@example.nl", "Qm9ndXNUb2tlbkZvclRlc3Rpbmc", "12345678", "secret-cookie", "secret-key"]) {
      expect(text, secret).not.toContain(secret);
    }
    const paths = t.logs().flatMap((line) => (line.req ? [(line.req as { path: string }).path] : []));
    expect(paths).toEqual(expect.arrayContaining(["/zoek", "/s/:token", "/clients/:email/:number"]));
  });
});
