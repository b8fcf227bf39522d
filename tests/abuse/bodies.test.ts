// Oversized and malformed requests on every public route (everything outside /staff), read from the app's own router
// stack so that a public route added later is walked too. Each route gets each bad body — too large, broken JSON,
// an unknown charset or content encoding, a corrupt gzip stream, too many form fields, deep nesting, wrong types —
// once as an anonymous visitor and once with what gets it past the door (a real link token and the CSRF token, an
// API key, a Twilio signature, the bounce webhook token), so the body parsers and the handlers behind them are
// reached. Bodies the app reads are refused with 413, 400 or 415; nothing ever answers 500. Paths with broken
// percent-encoding, NUL bytes and very long parameters get 400 or 404.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import type { Express } from "express";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../server/apikeys/apikeys.service.ts";
import { unsubscribeKey } from "../../server/invitations/optout.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { TEST_TWILIO, twilioSignature } from "../helpers/twilio.ts";
import { invite, pageCsrf } from "../respondent/fixtures.ts";

// --- the public routes, from the router stack ---------------------------------------------------------------------

type Layer = { rawPath?: unknown; name?: string; route?: { path: unknown; methods: Record<string, boolean> }; handle: { stack?: Layer[] } };
type PublicRoute = { method: "GET" | "POST"; path: string };

function publicRoutes(app: Express): PublicRoute[] {
  const routes: PublicRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const method of Object.keys(layer.route.methods)) {
            const methods = method === "_all" ? (["GET", "POST"] as const) : [method.toUpperCase() as PublicRoute["method"]];
            for (const m of methods) routes.push({ method: m, path: `${prefix}${String(p)}` });
          }
        }
      } else if (Array.isArray(layer.handle.stack) && layer.rawPath !== "/staff") {
        walk(layer.handle.stack, `${prefix}${typeof layer.rawPath === "string" && layer.rawPath !== "/" ? layer.rawPath : ""}`);
      } else if (layer.name === "serveStatic" && typeof layer.rawPath === "string") {
        // The static files: one representative path, walked like a route.
        routes.push({ method: "GET", path: `${layer.rawPath}/:file` });
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, "");
  return routes;
}

// --- the bad bodies ------------------------------------------------------------------------------------------------

type Body = {
  name: string;
  type?: string;
  encoding?: string;
  body: string | Buffer;
  /** What the app answers when it reads this body (a parser for its type runs on the route): undefined = any 4xx. */
  whenRead?: number[];
};

const big = (bytes: number) => "a".repeat(bytes);
const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

const BODIES: Body[] = [
  { name: "JSON of 2 MB", type: "application/json", body: JSON.stringify({ answers: { x: big(2_100_000) } }), whenRead: [413] },
  { name: "a form of 300 kB", type: "application/x-www-form-urlencoded", body: `code=${big(300_000)}`, whenRead: [413] },
  { name: "a form with 1,000 fields", type: "application/x-www-form-urlencoded", body: Array.from({ length: 1000 }, (_, i) => `f${i}=1`).join("&"), whenRead: [413] },
  { name: "broken JSON", type: "application/json", body: '{"answers": {"wmo_wist_waar": 4', whenRead: [400] },
  { name: "JSON null", type: "application/json", body: "null", whenRead: [400] },
  { name: "JSON in an unknown charset", type: "application/json; charset=latin1", body: "{}", whenRead: [415] },
  { name: "a form in an unknown charset", type: "application/x-www-form-urlencoded; charset=ebcdic", body: "code=1", whenRead: [415] },
  { name: "an unknown content encoding", type: "application/json", encoding: "compress", body: "{}", whenRead: [415] },
  { name: "a corrupt gzip stream", type: "application/x-www-form-urlencoded", encoding: "gzip", body: Buffer.from("not gzip at all"), whenRead: [400] },
  { name: "a gzip bomb (2 MB unpacked)", type: "application/json", encoding: "gzip", body: gzipSync(JSON.stringify({ answers: { x: big(2_100_000) } })), whenRead: [413] },
  { name: "deeply nested JSON", type: "application/json", body: `{"answers": {"wmo_wist_waar": ${deep(50_000)}}, "client": ${deep(50_000)}}` },
  { name: "wrong JSON types", type: "application/json", body: JSON.stringify({ answers: [1, 2], currentPage: "x", locale: { a: 1 }, externalId: ["a"], law: 7, heldOn: {}, client: "x", messageId: 5, type: [] }) },
  { name: "a __proto__ key", type: "application/json", body: '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "answers": {"__proto__": {"x": 1}}}' },
  { name: "a form with repeated and odd fields", type: "application/x-www-form-urlencoded", body: "code=A&code=B&_csrf=x&_csrf=y&Body=STOP&Body=x&From=%E0%A4%A&List-Unsubscribe=One-Click&List-Unsubscribe=x&%ZZ=%00" },
  // PostgreSQL refuses NUL in text (SQLite stores it): refused at the door on both, never a database error.
  {
    name: "NUL characters in JSON",
    type: "application/json",
    body: JSON.stringify({ externalId: "KTG-\u0000", law: "wmo", heldOn: "2026-10-01", client: { externalId: "C-\u0000", email: "a@example.test" }, answers: { verbetering: "a\u0000b" }, messageId: "<x\u0000@example.test>", type: "permanent" }),
    whenRead: [400],
  },
  { name: "NUL characters in a form", type: "application/x-www-form-urlencoded", body: "code=AB%00CD&Body=STOP%00&From=%2B31612345678%00&%00=1", whenRead: [400] },
  { name: "text/plain", type: "text/plain", body: "hello" },
  { name: "XML", type: "application/xml", body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>' },
  { name: "broken multipart", type: "multipart/form-data; boundary=zzz", body: "--zzz\r\nContent-Disposition: form-data; name=\"code\"\r\n\r\nabc" },
  { name: "binary bytes as a form", type: "application/x-www-form-urlencoded", body: Buffer.from([0xff, 0xfe, 0x00, 0x3d, 0x80, 0x26, 0xc3]) },
];

/** Which parser reads a body of this type on this path (mirrors server/app.ts and the routers; checked below). */
function isRead(route: PublicRoute, body: Body, authorised: boolean): boolean {
  const type = body.type ?? "";
  // The static files are served before any body parser runs.
  if (route.path.startsWith("/assets/")) return false;
  if (type.startsWith("application/x-www-form-urlencoded")) return true;
  // The questionnaire's JSON parser runs after the CSRF check: a POST without the page's token never gets that far.
  if (type.startsWith("application/json")) return route.path.startsWith("/api/") || (route.path.startsWith("/s/") && (route.method === "GET" || authorised)) || route.path === "/hooks/mail/bounce";
  return false;
}

// --- the app and what gets a request past the door -------------------------------------------------------------

let t: TestApp;
let m: MunicipalityRow;
let routes: PublicRoute[];
let apiKey: string;
let token: string;
let unsubscribe: string;
let csrf: { cookie: string; token: string };
const MAIL_TOKEN = "bounce-webhook-token-0123456789";
const db = () => t.database.db;

beforeAll(async () => {
  t = await createTestApp({ TWILIO_ACCOUNT_SID: TEST_TWILIO.sid, TWILIO_AUTH_TOKEN: TEST_TWILIO.token, TWILIO_FROM: TEST_TWILIO.from, MAIL_WEBHOOK_TOKEN: MAIL_TOKEN });
  routes = publicRoutes(t.app);
  m = await makeMunicipality(db());
  apiKey = (await createApiKey(db(), m.id, "Zaaksysteem", { actorUserId: null, actor: "test", ip: null, requestId: null })).key;
  token = (await invite(t, m)).token;
  // Another client, so that an opt-out through the unsubscribe route does not close the link token's invitation.
  unsubscribe = unsubscribeKey(t.config.sessionSecret, (await invite(t, m)).clientId);
  const page = await request(t.app).get(`/s/${token}`);
  csrf = { cookie: String(page.headers["set-cookie"]).split(";")[0]!, token: pageCsrf(page.text) };
  expect(csrf.token).not.toBe("");
});
afterAll(async () => {
  await t?.close();
});

/** Fills the route's parameters: real values for a request that passes the door, junk for an anonymous one. */
function urlOf(route: PublicRoute, authorised: boolean): string {
  return route.path.replace(/:(\w+)/g, (_, name: string) => {
    if (name === "key") return route.path.startsWith("/afmelden") ? (authorised ? unsubscribe : "1.AAAAAAAAAAAAAAAAAAAAAA") : authorised ? token : "onbekend";
    if (name === "code") return m.code;
    if (name === "externalId") return "KTG-onbekend";
    if (name === "file") return "css/luisterpost.css";
    return "x";
  });
}

/**
 * One request over a real socket. The server may answer (413) before it has read a large body and close the
 * connection; the client then fails to write the rest, which is no failure of the server as long as an answer came.
 */
function rawRequest(port: number, method: string, path: string, headers: Record<string, string>, body: string | Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request({ host: "127.0.0.1", port, method, path, agent: false, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", (err) => {
      if (!answered) reject(new Error(`${method} ${path.slice(0, 80)}: no answer (${err.message})`));
    });
    req.end(body);
  });
}

function send(port: number, route: PublicRoute, body: Body, authorised: boolean) {
  const url = urlOf(route, authorised);
  const headers: Record<string, string> = {};
  if (body.type) headers["content-type"] = body.type;
  if (body.encoding) headers["content-encoding"] = body.encoding;
  if (authorised) {
    headers.cookie = csrf.cookie;
    headers["x-csrf-token"] = csrf.token;
    headers.authorization = url.startsWith("/hooks/mail") ? `Bearer ${MAIL_TOKEN}` : `Bearer ${apiKey}`;
    if (url.startsWith("/hooks/twilio")) headers["x-twilio-signature"] = twilioSignature(`${t.config.baseUrl}${url}`, {});
  }
  return rawRequest(port, route.method, url, headers, body.body);
}

describe("public routes", () => {
  it("are read from the router stack: every public route is here, and nothing under /staff", () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    for (const known of [
      "GET /healthz",
      "GET /",
      "GET /theme/:code.css",
      "GET /api/v1/openapi.json",
      "POST /api/v1/conversations",
      "GET /api/v1/conversations/:externalId",
      "GET /s/:key",
      "GET /s/:key/survey.json",
      "POST /s/:key/progress",
      "POST /s/:key/complete",
      "GET /code",
      "POST /code",
      "GET /afmelden/:key",
      "POST /afmelden/:key",
      "POST /hooks/twilio/status",
      "POST /hooks/twilio/incoming",
      "POST /hooks/mail/bounce",
      "GET /assets/:file",
    ]) {
      expect(names).toContain(known);
    }
    expect(names.filter((n) => n.includes("/staff"))).toEqual([]);
  });

  it("refuse oversized and malformed bodies with 413, 400 or 415, never a 500, anonymous or authorised", async () => {
    const problems: string[] = [];
    let checked = 0;
    const server = t.app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
    // The vendor files all go through one handler (served before any parser): one of them stands for the rest.
    const walked = routes.filter((r, i) => !r.path.startsWith("/assets/") || r.path === "/assets/:file" || routes.findIndex((o) => o.path.startsWith("/assets/")) === i);
    for (const route of walked) {
      // Rate limits are not what this test is about: wrong links keep being tried here (36 per route, below every limit).
      await db()("rate_limits").delete();
      for (const body of BODIES) {
        for (const authorised of [false, true]) {
          const res = await send(port, route, body, authorised);
          checked += 1;
          const where = `${route.method} ${route.path} with ${body.name} (${authorised ? "authorised" : "anonymous"}): ${res.status}`;
          if (res.status >= 500) problems.push(`${where} ${res.text.slice(0, 200)}`);
          // A body the app reads is refused with the right status.
          if (isRead(route, body, authorised) && body.whenRead && !body.whenRead.includes(res.status)) problems.push(`${where}, expected ${body.whenRead.join(" or ")}`);
          // Whatever the body, a POST that does not make sense is refused; only a GET may ignore a body it never reads.
          if (route.method === "POST" && res.status < 400 && !ignoresBody(route, authorised)) problems.push(`${where}, expected a 4xx`);
        }
      }
    }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(problems, problems.join("\n")).toEqual([]);
    expect(checked).toBeGreaterThan(400);
  });

  it("keep a problem answer in Dutch for the API and JSON clients", async () => {
    const res = await request(t.app).post("/api/v1/conversations").set("Authorization", `Bearer ${apiKey}`).set("Content-Type", "application/json").send('{"externalId": ');
    expect(res.status).toBe(400);
    expect(res.type).toBe("application/problem+json");
    expect(JSON.parse(res.text)).toMatchObject({ status: 400, detail: "De inhoud van het verzoek is geen geldige JSON." });
    const big2 = await request(t.app).post(`/s/${token}/progress`).set("Cookie", csrf.cookie).set("x-csrf-token", csrf.token).set("accept", "application/json").set("Content-Type", "application/json").send(JSON.stringify({ answers: { x: big(300_000) } }));
    expect(big2.status).toBe(413);
    expect(JSON.parse(big2.text).detail).toBe("Wat u stuurt is te groot.");
  });

  it("stored nothing from the bad bodies: no response, no conversation, nothing polluted", async () => {
    expect(await db()("conversations").where({ municipality_id: m.id })).toHaveLength(2);
    const responses = await db()("responses").where({ municipality_id: m.id });
    expect(responses.filter((r) => r.status === "completed")).toHaveLength(0);
    for (const r of responses) expect(String(r.answers)).not.toMatch(/polluted|aaaa/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

/**
 * POST routes that may answer 2xx whatever the body: the unsubscribe link is itself the secret and its button posts
 * an empty form (RFC 8058's one-click POST carries one field), and a request that really carries Twilio's signature
 * is Twilio's (the test can only forge one because it knows the token).
 */
function ignoresBody(route: PublicRoute, authorised: boolean): boolean {
  return authorised && (route.path === "/afmelden/:key" || route.path.startsWith("/hooks/twilio/"));
}

describe("odd paths on public routes", () => {
  const ODD = ["%E0%A4%A", "%00", "a%2F..%2F..%2Fpackage.json", "..%5C..%5Cetc", "x".repeat(5000), "%F0%9F%92%A9", "%ZZ", "<script>alert(1)</script>"];

  it("answer 400 or 404 (or the page itself), never a 500, for every parameter", async () => {
    const problems: string[] = [];
    for (const route of routes.filter((r) => r.path.includes(":"))) {
      for (const odd of ODD) {
        await db()("rate_limits").delete();
        const url = route.path.replace(/:(\w+)/g, odd);
        const res = route.method === "GET" ? await request(t.app).get(url).set("Authorization", `Bearer ${apiKey}`) : await request(t.app).post(url).set("Authorization", `Bearer ${apiKey}`).type("form").send("x=1");
        if (res.status >= 500) problems.push(`${route.method} ${url.slice(0, 80)}: ${res.status}`);
        if (res.status < 400 && route.path !== "/assets/:file") problems.push(`${route.method} ${url.slice(0, 80)}: ${res.status}, expected 400 or 404`);
        if (res.text.includes("<script>alert(1)</script>")) problems.push(`${route.method} ${url.slice(0, 80)}: the parameter came back unescaped`);
      }
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it("serve no file from outside the public folder", async () => {
    for (const path of ["/assets/..%2Fpackage.json", "/assets/%2e%2e/%2e%2e/package.json", "/assets/css/..%2F..%2F..%2Fpackage.json", "/theme/..%2F..%2Fpackage.json.css"]) {
      const res = await request(t.app).get(path);
      expect([400, 403, 404], path).toContain(res.status);
      expect(res.text).not.toContain('"name": "luisterpost"');
    }
  });
});
