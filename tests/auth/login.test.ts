// Signing in through the real forms: password, session cookie, TOTP and recovery codes, brute-force
// delays, per-IP limits, the idle timeout, logout and CSRF. Each case checks the answer and the database.
import request from "supertest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { toDbTime } from "../../server/db.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { emailKey } from "../../server/ratelimit/ratelimit.service.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { csrfFor, csrfOf, makeMunicipality, makeUser, submitForm, totpCode, type Agent, type TestUser } from "../helpers/staff.ts";

const WRONG_LOGIN = "Het e-mailadres of het wachtwoord klopt niet.";
const WRONG_CODE = "Deze code klopt niet.";
const CSRF_REFUSED = "Dit formulier is verlopen of niet via deze website verstuurd.";
const THROTTLED = /Te veel mislukte pogingen\. Probeer het over (\d+) (seconden|minuut|minuten) opnieuw\./;

let t: TestApp;
let gm: MunicipalityRow;
const secrets = new Set<string>();

beforeAll(async () => {
  t = await createTestApp();
  gm = await makeMunicipality(t.database.db);
});
afterAll(async () => {
  await t?.close();
});
// Every test starts with a clean per-IP login budget (all supertest requests come from 127.0.0.1).
beforeEach(async () => {
  await t.database.db("rate_limits").where({ bucket: "login-ip" }).delete();
});

type Res = { status: number; text: string; headers: Record<string, unknown> };

function cookieLine(res: Res, name: string): string | undefined {
  return ([] as string[]).concat((res.headers["set-cookie"] as string[] | undefined) ?? []).find((l) => l.startsWith(`${name}=`));
}
const cookieValue = (res: Res, name: string) => cookieLine(res, name)?.slice(name.length + 1).split(";")[0];

async function makeStaff(options: Parameters<typeof makeUser>[1] = {}): Promise<TestUser> {
  const who = await makeUser(t.database.db, { memberships: [{ municipalityId: gm.id, role: "reader" }], ...options });
  secrets.add(who.email).add(who.password);
  return who;
}
const sessionsOf = (who: TestUser) => t.database.db("sessions").where({ user_id: who.user.id }).select("stage", "id_hash");
async function audit(action: string, where: Record<string, unknown> = {}) {
  const rows = await t.database.db("audit_events").where({ action, ...where }).orderBy("id");
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details as string) as Record<string, unknown> }));
}

/** The password step; returns the agent, the answer and the session cookie it set. */
async function passwordStep(who: { email: string; password: string }, agent: Agent = request.agent(t.app)) {
  const res = await submitForm(agent, "/staff/login", "/staff/login", { email: who.email, password: who.password });
  return { agent, res, cookie: cookieValue(res, "lp_sid") };
}
const withCookie = (path: string, cookie: string) => request(t.app).get(path).set("Cookie", `lp_sid=${cookie}`);
/** A six-digit code that is valid at none of the steps the server accepts. */
function wrongCode(secret: string): string {
  const valid = new Set([-1, 0, 1].map((o) => totpCode(secret, o)));
  for (let n = 123456; ; n++) if (!valid.has(String(n))) return String(n);
}

describe("password sign-in", () => {
  it("signs a reader in with the password alone: 303 to /staff, a signed HttpOnly SameSite=Lax cookie, not Secure", async () => {
    const who = await makeStaff();
    const { agent, res, cookie } = await passwordStep(who);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/staff");
    const line = cookieLine(res, "lp_sid")!;
    for (const flag of [/;\s*HttpOnly/i, /;\s*SameSite=Lax/i, /;\s*Path=\//]) expect(line).toMatch(flag);
    expect(line).not.toMatch(/;\s*Secure/i);
    const decoded = decodeURIComponent(cookie!);
    expect(decoded).toMatch(/^s:[A-Za-z0-9_-]{43}\.[A-Za-z0-9+/]+$/);
    expect(await sessionsOf(who)).toEqual([expect.objectContaining({ stage: "active" })]);

    const home = await agent.get(`/staff/m/${gm.code}`);
    expect(home.status).toBe(200);
    expect(home.text).toContain(`Gemeente ${gm.name}`);
    // Only the signed value counts: the bare id, or one with a forged signature, is nobody.
    const bare = decoded.slice(2).split(".")[0]!;
    for (const forged of [bare, encodeURIComponent(`s:${bare}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`)]) {
      const res2 = await withCookie(`/staff/m/${gm.code}`, forged);
      expect(res2.status).toBe(303);
      expect(res2.headers.location).toMatch(/^\/staff\/login\?terug=/);
    }
    const [ok] = await audit("login.succeeded", { actor_user_id: who.user.id });
    expect(ok?.details).toEqual({ method: "password" });
  });

  it("marks the cookies Secure in production", async () => {
    const prod = await createTestApp({ NODE_ENV: "production", SESSION_SECRET: "p".repeat(48), BASE_URL: "https://luisterpost.example.nl" });
    try {
      const municipality = await makeMunicipality(prod.database.db);
      const who = await makeUser(prod.database.db, { memberships: [{ municipalityId: municipality.id, role: "reader" }] });
      secrets.add(who.email);
      const page = await request(prod.app).get("/staff/login");
      expect(cookieLine(page, "lp_csrf")).toMatch(/;\s*Secure/i);
      // A Secure cookie is not sent back over plain http by the agent, so carry it by hand.
      const res = await request(prod.app)
        .post("/staff/login")
        .set("Cookie", `lp_csrf=${cookieValue(page, "lp_csrf")}`)
        .type("form")
        .send({ _csrf: csrfOf(page.text), email: who.email, password: who.password });
      expect(res.status).toBe(303);
      const line = cookieLine(res, "lp_sid")!;
      for (const flag of [/;\s*Secure/i, /;\s*HttpOnly/i, /;\s*SameSite=Lax/i]) expect(line).toMatch(flag);
    } finally {
      await prod.close();
    }
  });

  it("renews the session id at every login: the earlier cookie stops working", async () => {
    const who = await makeStaff();
    const first = await passwordStep(who);
    expect(first.res.status).toBe(303);
    // Signing in again from the same browser (the token comes from a page the signed-in user can open).
    const token = await csrfFor(first.agent, "/staff/account");
    const again = await first.agent.post("/staff/login").type("form").send({ _csrf: token, email: who.email, password: who.password });
    expect(again.status).toBe(303);
    const second = cookieValue(again, "lp_sid")!;
    expect(second).toBeTruthy();
    expect(second).not.toBe(first.cookie);
    expect(await sessionsOf(who)).toHaveLength(1);
    const old = await withCookie("/staff/account", first.cookie!);
    expect(old.status).toBe(303);
    expect(old.headers.location).toBe("/staff/login?terug=%2Fstaff%2Faccount");
    const now = await first.agent.get("/staff/account");
    expect(now.status).toBe(200);
    expect(now.text).toContain(who.email);
  });

  it("answers a wrong password and an unknown address alike: 401, the same Dutch message, no session", async () => {
    const who = await makeStaff();
    const unknownEmail = `onbekend-${who.user.id}@example.test`;
    secrets.add(unknownEmail);
    const wrong = await passwordStep({ email: who.email, password: "verkeerd-wachtwoord-paars" });
    const unknown = await passwordStep({ email: unknownEmail, password: who.password });
    for (const { res } of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.text).toContain(WRONG_LOGIN);
      expect(cookieLine(res, "lp_sid")).toBeUndefined();
      expect(res.text).not.toContain(who.password);
    }
    expect(await sessionsOf(who)).toHaveLength(0);
    expect((await wrong.agent.get("/staff")).headers.location).toBe("/staff/login");
    const failures = await audit("login.failed");
    expect(failures).toContainEqual(expect.objectContaining({ actor_user_id: who.user.id, details: { reason: "wrong-password" } }));
    expect(failures).toContainEqual(expect.objectContaining({ actor_user_id: null, details: { reason: "unknown-account" } }));
  });

  it("asks for both fields (400) and never answers malformed fields with a 500", async () => {
    const who = await makeStaff();
    for (const fields of [{ email: "", password: "" }, { email: who.email, password: "" }, { email: "", password: who.password }]) {
      const { res } = await passwordStep(fields);
      expect(res.status).toBe(400);
      expect(res.text).toContain("Vul uw e-mailadres en wachtwoord in.");
      expect(cookieLine(res, "lp_sid")).toBeUndefined();
    }
    const agent = request.agent(t.app);
    const token = await csrfFor(agent, "/staff/login");
    const repeated = await agent.post("/staff/login").type("form").send(`_csrf=${token}&email=a%40b.nl&email=c%40d.nl&password=x`);
    expect(repeated.status).toBe(400);
    const longReturn = await agent
      .post("/staff/login")
      .type("form")
      .send({ _csrf: token, email: who.email, password: who.password, terug: `/staff/${"a".repeat(400)}` });
    expect(longReturn.status).toBe(303);
    expect(longReturn.headers.location).toBe("/staff");
  });
});

describe("CSRF on the login form", () => {
  it("refuses a post without a token, with a wrong token, or with a token but no CSRF cookie: 403 in Dutch", async () => {
    const who = await makeStaff();
    const agent = request.agent(t.app);
    const token = await csrfFor(agent, "/staff/login");
    const creds = { email: who.email, password: who.password };
    const attempts = [
      await agent.post("/staff/login").type("form").send(creds),
      await agent.post("/staff/login").type("form").send({ ...creds, _csrf: `${token.slice(0, -2)}xx` }),
      await request(t.app).post("/staff/login").type("form").send({ ...creds, _csrf: token }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(403);
      expect(res.text).toContain(CSRF_REFUSED);
      expect(cookieLine(res, "lp_sid")).toBeUndefined();
    }
    expect(await sessionsOf(who)).toHaveLength(0);
    expect(await audit("login.succeeded", { actor_user_id: who.user.id })).toHaveLength(0);
  });
});

describe("two-factor authentication at login", () => {
  it("sends a TOTP user to the code step, keeps staff pages there until done, then signs in under a new id", async () => {
    const who = await makeStaff({ memberships: [{ municipalityId: gm.id, role: "interviewer" }] });
    const { agent, res, cookie: pending } = await passwordStep(who);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/staff/login/code");
    expect(await sessionsOf(who)).toEqual([expect.objectContaining({ stage: "code" })]);
    for (const path of ["/staff", `/staff/m/${gm.code}`, "/staff/account", "/staff/account/totp"]) {
      const page = await agent.get(path);
      expect(page.status, path).toBe(303);
      expect(page.headers.location, path).toBe("/staff/login/code");
    }
    expect(await audit("login.succeeded", { actor_user_id: who.user.id })).toHaveLength(0);

    const wrong = await submitForm(agent, "/staff/login/code", "/staff/login/code", { code: wrongCode(who.totpSecret!) });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain(WRONG_CODE);
    expect(await audit("login.failed", { actor_user_id: who.user.id })).toEqual([expect.objectContaining({ details: { reason: "wrong-code" } })]);

    const done = await submitForm(agent, "/staff/login/code", "/staff/login/code", { code: totpCode(who.totpSecret!) });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe("/staff");
    expect(cookieValue(done, "lp_sid")).not.toBe(pending);
    const home = await agent.get(`/staff/m/${gm.code}`);
    expect(home.status).toBe(200);
    expect(home.text).toContain(`Gemeente ${gm.name}`);
    expect((await withCookie(`/staff/m/${gm.code}`, pending!)).headers.location).toMatch(/^\/staff\/login\?/);
    const [ok] = await audit("login.succeeded", { actor_user_id: who.user.id });
    expect(ok?.details).toEqual({ method: "password+totp" });
  });

  it("refuses a code that was already used (replay), but accepts the next one", async () => {
    const who = await makeStaff({ memberships: [{ municipalityId: gm.id, role: "interviewer" }] });
    const code = totpCode(who.totpSecret!);
    const first = await passwordStep(who);
    expect((await submitForm(first.agent, "/staff/login/code", "/staff/login/code", { code })).status).toBe(303);

    const second = await passwordStep(who);
    expect(second.res.headers.location).toBe("/staff/login/code");
    const replay = await submitForm(second.agent, "/staff/login/code", "/staff/login/code", { code });
    expect(replay.status).toBe(401);
    expect(replay.text).toContain(WRONG_CODE);
    expect((await second.agent.get("/staff")).headers.location).toBe("/staff/login/code");
    const next = await submitForm(second.agent, "/staff/login/code", "/staff/login/code", { code: totpCode(who.totpSecret!, 1) });
    expect(next.status).toBe(303);
    expect(next.headers.location).toBe("/staff");
  });
});

describe("brute-force protection", () => {
  async function fiveFailuresThenRightPassword(email: string, password: string) {
    const agent = request.agent(t.app);
    const token = await csrfFor(agent, "/staff/login");
    const attempt = (pw: string) => agent.post("/staff/login").type("form").send({ _csrf: token, email, password: pw });
    for (let i = 1; i <= 5; i++) {
      const res = await attempt(`fout-wachtwoord-nummer-${i}`);
      expect(res.status, `attempt ${i}`).toBe(401);
      expect(res.text).toContain(WRONG_LOGIN);
    }
    return { attempt, blocked: await attempt(password) };
  }
  const moveLastFailureBack = (email: string, seconds: number) =>
    t.database.db("rate_limits")
      .where({ bucket: "login-account", key: emailKey(email) })
      .update({ last_hit_at: toDbTime(new Date(Date.now() - seconds * 1000)) });

  it("allows five failed logins, then delays the account, progressively, even for the right password", async () => {
    const who = await makeStaff();
    const { attempt, blocked } = await fiveFailuresThenRightPassword(who.email, who.password);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toMatch(THROTTLED);
    expect(cookieLine(blocked, "lp_sid")).toBeUndefined();
    expect(await sessionsOf(who)).toHaveLength(0);
    expect(await audit("login.failed", { actor_user_id: who.user.id })).toContainEqual(expect.objectContaining({ details: { reason: "throttled" } }));

    // After the first delay, one more failure makes the next delay longer than the first (30 s).
    await moveLastFailureBack(who.email, 31);
    expect((await attempt("nog-steeds-het-verkeerde")).status).toBe(401);
    const longer = await attempt(who.password);
    expect(longer.status).toBe(429);
    const [, amount, unit] = THROTTLED.exec(longer.text)!;
    expect(unit === "seconden" ? Number(amount) : Number(amount) * 60).toBeGreaterThan(30);

    await moveLastFailureBack(who.email, 61);
    const ok = await attempt(who.password);
    expect(ok.status).toBe(303);
    expect(await t.database.db("rate_limits").where({ bucket: "login-account", key: emailKey(who.email) })).toHaveLength(0);
  });

  it("delays an unknown address the same way", async () => {
    const email = `bestaat-niet-${Date.now()}@example.test`;
    secrets.add(email);
    const { blocked } = await fiveFailuresThenRightPassword(email, "zomaar-een-wachtwoord-hier");
    expect(blocked.status).toBe(429);
    expect(blocked.text).toMatch(THROTTLED);
  });

  it("limits login posts per IP address: the 31st in the window gets 429", async () => {
    const who = await makeStaff();
    const agent = request.agent(t.app);
    const token = await csrfFor(agent, "/staff/login");
    // Empty forms are cheap (no password hashing) and still count.
    for (let i = 1; i <= 30; i++) {
      expect((await agent.post("/staff/login").type("form").send({ _csrf: token, email: "", password: "" })).status, `post ${i}`).toBe(400);
    }
    const over = await agent.post("/staff/login").type("form").send({ _csrf: token, email: who.email, password: who.password });
    expect(over.status).toBe(429);
    expect(over.text).toContain("Te veel pogingen. Probeer het over een paar minuten opnieuw.");
    expect(cookieLine(over, "lp_sid")).toBeUndefined();
    expect(await sessionsOf(who)).toHaveLength(0);
  });
});

describe("idle timeout and logout", () => {
  const idleFor = (who: TestUser, minutes: number) =>
    t.database.db("sessions").where({ user_id: who.user.id }).update({ last_seen_at: toDbTime(new Date(Date.now() - minutes * 60_000)) });

  it("ends a session idle for 31 minutes: back to the login page with a notice, the row gone", async () => {
    const who = await makeStaff();
    const { agent } = await passwordStep(who);
    await idleFor(who, 31);
    const res = await agent.get("/staff");
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/staff/login?melding=verlopen");
    expect(cookieLine(res, "lp_sid")).toMatch(/^lp_sid=s%3A\.[^;]*;.*Expires=Thu, 01 Jan 1970/);
    expect(await sessionsOf(who)).toHaveLength(0);
    expect((await agent.get("/staff/login?melding=verlopen")).text).toContain("U was 30 minuten niet actief. Log opnieuw in.");
  });

  it("keeps a session idle for 29 minutes, and counts the visit as activity", async () => {
    const who = await makeStaff();
    const { agent } = await passwordStep(who);
    await idleFor(who, 29);
    const res = await agent.get(`/staff/m/${gm.code}`);
    expect(res.status).toBe(200);
    const [row] = await t.database.db("sessions").where({ user_id: who.user.id }).select("last_seen_at");
    expect(new Date(row.last_seen_at as string).getTime()).toBeGreaterThan(Date.now() - 5 * 60_000);
  });

  it("logs out with a CSRF-protected post: the row is gone, the cookie cleared, the old cookie refused", async () => {
    const who = await makeStaff();
    const { agent, cookie } = await passwordStep(who);
    const withoutToken = await agent.post("/staff/logout").type("form").send({});
    expect(withoutToken.status).toBe(403);
    expect(await sessionsOf(who)).toHaveLength(1);

    const out = await submitForm(agent, "/staff/account", "/staff/logout", {});
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe("/staff/login?melding=uitgelogd");
    expect(cookieLine(out, "lp_sid")).toMatch(/^lp_sid=s%3A\.[^;]*;.*Expires=Thu, 01 Jan 1970/);
    expect(await sessionsOf(who)).toHaveLength(0);
    const old = await withCookie("/staff/account", cookie!);
    expect(old.status).toBe(303);
    expect(old.headers.location).toMatch(/^\/staff\/login/);
    expect((await agent.get("/staff/login?melding=uitgelogd")).text).toContain("U bent uitgelogd.");
    expect(await audit("logout", { actor_user_id: who.user.id })).toHaveLength(1);
  });
});

describe("logs", () => {
  it("never contain a test user's e-mail address or password", () => {
    const lines = t.logs();
    expect(lines.some((l) => (l.req as { path?: string } | undefined)?.path === "/staff/login")).toBe(true);
    const text = JSON.stringify(lines).toLowerCase();
    expect(secrets.size).toBeGreaterThan(5);
    for (const secret of secrets) expect(text).not.toContain(secret.toLowerCase());
  });
});
