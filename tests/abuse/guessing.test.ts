// Guessing at scale: link tokens (and forged paper-code access keys), paper codes and unsubscribe keys are limited per
// address, and reaching a limit is logged once per window with a keyed fingerprint of the address — never the
// address itself, and no token, code or key anywhere in the log. A forged X-Forwarded-For does not reset the count.
import { randomBytes } from "node:crypto";
import request from "supertest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { formatPaperCode, generatePaperCode } from "../../server/invitations/codes.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { addressFingerprint } from "../../server/ratelimit/ratelimit.log.ts";
import { RESPONDENT_LIMITS } from "../../server/respondent/respondent.routes.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality } from "../helpers/staff.ts";
import { invite, type Invited } from "../respondent/fixtures.ts";

let t: TestApp;
let m: MunicipalityRow;
let invited: Invited;
const db = () => t.database.db;

beforeAll(async () => {
  t = await createTestApp();
  m = await makeMunicipality(db());
  invited = await invite(t, m);
});
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await db()("rate_limits").delete();
});

const token = () => randomBytes(16).toString("base64url");
const limitLines = (bucket: string) => t.logs().filter((l) => l.rateLimit === bucket);

/** Everything guessed must stay out of the log, and so must the address the guesses came from. */
function expectLogFreeOf(secrets: string[]) {
  const all = JSON.stringify(t.logs());
  for (const secret of secrets) expect(all, `the log holds ${secret}`).not.toContain(secret);
  expect(all).not.toMatch(/127\.0\.0\.1|::1\b/);
}

/** supertest connects over loopback; Express reports IPv4 addresses as IPv6-mapped. */
const fingerprints = () => ["::ffff:127.0.0.1", "127.0.0.1", "::1"].map((ip) => addressFingerprint(t.config.sessionSecret, ip));

describe("guessing link tokens", () => {
  it("answers 404 to wrong tokens, then 429 from the same address, logged once without address or token", async () => {
    const guesses: string[] = [];
    for (let i = 0; i < RESPONDENT_LIMITS.wrongTokens.max; i++) {
      const guess = token();
      guesses.push(guess);
      // The page and its JSON count together.
      const res = i % 2 === 0 ? await request(t.app).get(`/s/${guess}`) : await request(t.app).get(`/s/${guess}/survey.json`).set("accept", "application/json");
      expect(res.status).toBe(404);
    }
    const blocked = await request(t.app).get(`/s/${token()}`);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain("Te veel pogingen.");
    const json = await request(t.app).post(`/s/${token()}/progress`).set("accept", "application/json").send({});
    expect(json.status).toBeGreaterThanOrEqual(400);
    expect(json.status).toBeLessThan(500);

    const lines = limitLines("token-ip");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, max: 100, windowSeconds: 3600, msg: "rate limit reached: guessing stopped" });
    expect(fingerprints()).toContain(lines[0]!.address);
    expect(String(lines[0]!.address)).toMatch(/^[0-9a-f]{16}$/);
    expectLogFreeOf(guesses);
  });

  it("keeps counting when the guesser sends a forged X-Forwarded-For (no proxy is trusted by default)", async () => {
    for (let i = 0; i < RESPONDENT_LIMITS.wrongTokens.max; i++) {
      expect((await request(t.app).get(`/s/${token()}`).set("x-forwarded-for", `203.0.113.${i % 250}`)).status).toBe(404);
    }
    expect((await request(t.app).get(`/s/${token()}`).set("x-forwarded-for", "198.51.100.7")).status).toBe(429);
  });

  it("counts forged paper-code access keys as wrong tokens", async () => {
    const forged = `c.${invited.id}.${Math.floor(Date.now() / 1000) + 3600}.${"A".repeat(32)}`;
    for (let i = 0; i < RESPONDENT_LIMITS.wrongTokens.max; i++) expect((await request(t.app).get(`/s/${forged}`)).status).toBe(404);
    expect((await request(t.app).get(`/s/${forged}`)).status).toBe(429);
    expectLogFreeOf([forged, "A".repeat(32)]);
  });

  it("still opens a real link for someone else at another time: the real token never counts as a guess", async () => {
    const res = await request(t.app).get(`/s/${invited.token}`);
    expect(res.status).toBe(200);
    expect(await db()("rate_limits")).toHaveLength(0);
    expectLogFreeOf([invited.token]);
  });
});

describe("guessing paper codes", () => {
  /** A CSRF cookie and token from the code page, as a browser has them. */
  async function codeForm() {
    const agent = request.agent(t.app);
    const page = await agent.get("/code");
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    return (code: string) => agent.post("/code").type("form").send({ _csrf: csrf, code });
  }

  it("answers wrong codes with a Dutch message, then 429, and after that looks up nothing (not even the right code)", async () => {
    const submit = await codeForm();
    const guesses: string[] = [];
    for (let i = 0; i < RESPONDENT_LIMITS.wrongCodes.max; i++) {
      // Well-formed codes with a correct check character, and some with a typo: both count.
      const guess = i % 5 === 0 ? "ABCD-EFGH-2" : formatPaperCode(generatePaperCode());
      guesses.push(guess);
      const res = await submit(guess);
      expect([400, 404]).toContain(res.status);
      expect(res.text).toMatch(/Deze code (kennen wij niet|klopt niet)/);
    }
    const blocked = await submit(formatPaperCode(generatePaperCode()));
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain("U heeft te vaak een code geprobeerd.");
    const right = await submit(formatPaperCode(invited.code));
    expect(right.status).toBe(429);

    const lines = limitLines("code-ip");
    expect(lines).toHaveLength(1);
    expect(fingerprints()).toContain(lines[0]!.address);
    expectLogFreeOf([...guesses.filter((g) => g !== "ABCD-EFGH-2"), invited.code, formatPaperCode(invited.code)]);
  });

  it("lets the right code through before the limit is reached", async () => {
    const submit = await codeForm();
    const res = await submit(formatPaperCode(invited.code));
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/s\/c\./);
    expectLogFreeOf([invited.code, formatPaperCode(invited.code), String(res.headers.location).slice(3)]);
  });
});

describe("guessing unsubscribe keys", () => {
  it("answers wrong keys with 404, then 429, on the page and the one-click POST, without keys in the log", async () => {
    const guesses: string[] = [];
    for (let i = 0; i < 100; i++) {
      const guess = `${invited.clientId}.${randomBytes(16).toString("base64url").slice(0, 22)}`;
      guesses.push(guess);
      const res = i % 2 === 0 ? await request(t.app).get(`/afmelden/${guess}`) : await request(t.app).post(`/afmelden/${guess}`).type("form").send("List-Unsubscribe=One-Click");
      expect(res.status).toBe(404);
    }
    expect((await request(t.app).get(`/afmelden/${guesses[0]}`)).status).toBe(429);
    expect((await request(t.app).post(`/afmelden/${guesses[1]}`).type("form").send("List-Unsubscribe=One-Click")).status).toBe(429);
    expect(limitLines("unsubscribe-ip")).toHaveLength(1);
    expectLogFreeOf(guesses.map((g) => g.split(".")[1]!));
    // Nobody was opted out by the guessing.
    expect((await db()("clients").where({ id: invited.clientId }).first()).opted_out_at).toBeNull();
  });
});
