// Choosing a password through the real forms: the e-mailed reset link (single use, expiring, rate
// limited), the invitation of a new colleague by a municipality's admin, and changing one's own password.
// E-mail lands in the dev outbox (no SMTP_URL), where the tests read the links back.
import { randomBytes } from "node:crypto";
import request from "supertest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { toDbTime } from "../../server/db.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { csrfFor, makeMunicipality, makeUser, signIn, submitForm, type Agent, type TestUser } from "../helpers/staff.ts";

const NEW_PASSWORD = "paarse-olifant-danst-op-het-dak";
const SENT_PAGE = "Als dit e-mailadres bij ons bekend is, krijgt u binnen een paar minuten een e-mail met een link.";

let t: TestApp;
let gm: MunicipalityRow;
let other: MunicipalityRow;
const secrets = new Set<string>([NEW_PASSWORD]);
const links = new Set<string>();

beforeAll(async () => {
  t = await createTestApp();
  gm = await makeMunicipality(t.database.db);
  other = await makeMunicipality(t.database.db);
});
afterAll(async () => {
  await t?.close();
});
// Per-IP budgets start fresh in every test (all supertest requests come from 127.0.0.1).
beforeEach(async () => {
  await t.database.db("rate_limits").whereIn("bucket", ["login-ip", "reset-ip"]).delete();
});

async function makeStaff(options: Parameters<typeof makeUser>[1] = {}): Promise<TestUser> {
  const who = await makeUser(t.database.db, { memberships: [{ municipalityId: gm.id, role: "reader" }], ...options });
  secrets.add(who.email).add(who.password);
  return who;
}
const db = () => t.database.db;
const sessionsOf = (userId: number) => db()("sessions").where({ user_id: userId });
const outbox = (category: string, recipient: string) => db()("dev_outbox").where({ category, recipient }).orderBy("id");
async function audit(action: string, where: Record<string, unknown> = {}) {
  const rows = await db()("audit_events").where({ action, ...where }).orderBy("id");
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details as string) as Record<string, unknown> }));
}
/** The path of the single-use link in a message body, checked to be on BASE_URL. */
function linkIn(body: string): string {
  const match = new RegExp(`${t.config.baseUrl}(/staff/password/[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])`).exec(body);
  if (!match) throw new Error(`no password link in: ${body}`);
  links.add(match[1]!);
  return match[1]!;
}
const login = (agent: Agent, email: string, password: string) => submitForm(agent, "/staff/login", "/staff/login", { email, password });
const forgot = (agent: Agent, email: string) => submitForm(agent, "/staff/password/forgot", "/staff/password/forgot", { email });
const choose = (agent: Agent, link: string, password: string, confirmation = password) =>
  submitForm(agent, "/staff/login", link, { password, confirmation });

describe("password reset by e-mailed link", () => {
  it("mails a single-use link that sets a new password and ends every earlier session", async () => {
    const who = await makeStaff();
    const earlier = await signIn(t.app, who);
    const agent = request.agent(t.app);

    const sent = await forgot(agent, who.email);
    expect(sent.status).toBe(200);
    expect(sent.text).toContain(SENT_PAGE);
    const mails = await outbox("password-reset", who.email);
    expect(mails).toHaveLength(1);
    expect(mails[0].municipality_id).toBeNull();
    const link = linkIn(mails[0].body_text as string);
    expect(await audit("password.reset_requested", { actor_user_id: who.user.id })).toHaveLength(1);

    const form = await agent.get(link);
    expect(form.status).toBe(200);
    expect(form.text).toContain("Nieuw wachtwoord kiezen");
    expect(form.text).toContain(who.email);

    const weak = await choose(agent, link, "welkom123456");
    expect(weak.status).toBe(400);
    expect(weak.text).toContain("Dit wachtwoord komt te vaak voor.");
    const mismatch = await choose(agent, link, NEW_PASSWORD, `${NEW_PASSWORD}!`);
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain("De twee wachtwoorden zijn niet hetzelfde.");
    expect((await agent.get(link)).status).toBe(200);

    const done = await choose(agent, link, NEW_PASSWORD);
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe("/staff/login?melding=wachtwoord-ingesteld");
    expect(await sessionsOf(who.user.id)).toHaveLength(0);
    expect((await earlier.get("/staff/account")).headers.location).toBe("/staff/login?terug=%2Fstaff%2Faccount");
    const [changed] = await audit("password.changed", { actor_user_id: who.user.id });
    expect(changed?.details).toEqual({ via: "password-reset" });

    expect((await login(request.agent(t.app), who.email, who.password)).status).toBe(401);
    const fresh = request.agent(t.app);
    const ok = await login(fresh, who.email, NEW_PASSWORD);
    expect(ok.status).toBe(303);
    expect((await fresh.get("/staff/account")).status).toBe(200);

    const reused = await agent.get(link);
    expect(reused.status).toBe(410);
    expect(reused.text).toContain("Deze link is al gebruikt.");
    const reusedPost = await choose(agent, link, "een-heel-ander-wachtwoord-nu");
    expect(reusedPost.status).toBe(410);
    expect(reusedPost.text).toContain("al gebruikt");
  });

  it("answers an unknown address with the same page and sends nothing", async () => {
    const email = `niemand-${randomBytes(3).toString("hex")}@example.test`;
    secrets.add(email);
    const counts = async () => [await db()("dev_outbox").count({ n: "*" }), await db()("auth_tokens").count({ n: "*" })];
    const before = await counts();
    const res = await forgot(request.agent(t.app), email);
    expect(res.status).toBe(200);
    expect(res.text).toContain(SENT_PAGE);
    expect(await counts()).toEqual(before);
    expect(await db()("dev_outbox").where({ recipient: email })).toHaveLength(0);
  });

  it("refuses an expired link (410) and an unknown one (404), and leaves the password alone", async () => {
    const who = await makeStaff();
    const agent = request.agent(t.app);
    await forgot(agent, who.email);
    const [mail] = await outbox("password-reset", who.email);
    const link = linkIn(mail.body_text as string);
    await db()("auth_tokens").where({ user_id: who.user.id }).update({ expires_at: toDbTime(new Date(Date.now() - 1000)) });

    const expired = await agent.get(link);
    expect(expired.status).toBe(410);
    expect(expired.text).toContain("Deze link is verlopen.");
    const expiredPost = await choose(agent, link, NEW_PASSWORD);
    expect(expiredPost.status).toBe(410);
    expect(expiredPost.text).toContain("Deze link is verlopen.");

    const unknownLink = `/staff/password/${randomBytes(32).toString("base64url")}`;
    for (const res of [await agent.get(unknownLink), await choose(agent, unknownLink, NEW_PASSWORD)]) {
      expect(res.status).toBe(404);
      expect(res.text).toContain("Deze link kennen wij niet.");
    }
    expect((await login(request.agent(t.app), who.email, who.password)).status).toBe(303);
    expect(await audit("password.changed", { actor_user_id: who.user.id })).toHaveLength(0);
  });

  it("sends at most three reset e-mails per account per hour", async () => {
    const who = await makeStaff();
    const agent = request.agent(t.app);
    for (let i = 1; i <= 5; i++) {
      const res = await forgot(agent, i % 2 ? who.email : who.email.toUpperCase());
      expect(res.status, `request ${i}`).toBe(200);
      expect(res.text).toContain(SENT_PAGE);
    }
    expect(await outbox("password-reset", who.email)).toHaveLength(3);
    expect(await audit("password.reset_requested", { actor_user_id: who.user.id })).toHaveLength(3);
  });

  it("limits reset requests per IP address: the 11th in the window gets 429 and sends nothing", async () => {
    const who = await makeStaff();
    const agent = request.agent(t.app);
    const token = await csrfFor(agent, "/staff/password/forgot");
    for (let i = 1; i <= 10; i++) {
      const res = await agent.post("/staff/password/forgot").type("form").send({ _csrf: token, email: "" });
      expect(res.status, `request ${i}`).toBe(400);
      expect(res.text).toContain("Vul uw e-mailadres in.");
    }
    const over = await agent.post("/staff/password/forgot").type("form").send({ _csrf: token, email: who.email });
    expect(over.status).toBe(429);
    expect(over.text).toContain("Te veel pogingen.");
    expect(await outbox("password-reset", who.email)).toHaveLength(0);
  });
});

describe("invitation by a municipality's admin", () => {
  it("invites a new user, who chooses a password through the e-mailed link and sees that municipality", async () => {
    const admin = await makeStaff({ memberships: [{ municipalityId: gm.id, role: "admin" }] });
    const adminAgent = await signIn(t.app, admin);
    const email = `nieuwe-collega-${randomBytes(3).toString("hex")}@example.test`;
    secrets.add(email);

    const invited = await submitForm(adminAgent, `/staff/m/${gm.code}/users`, `/staff/m/${gm.code}/users`, {
      name: "Fleur Bakker",
      email,
      role: "reader",
    });
    expect(invited.status).toBe(303);
    expect(invited.headers.location).toBe(`/staff/m/${gm.code}/users?melding=uitgenodigd`);
    const user = await db()("users").where({ email }).first();
    expect(user).toMatchObject({ name: "Fleur Bakker", password_hash: null });
    expect(await db()("memberships").where({ user_id: user.id })).toEqual([expect.objectContaining({ municipality_id: gm.id, role: "reader" })]);

    const mails = await outbox("staff-invitation", email);
    expect(mails).toHaveLength(1);
    expect(mails[0].municipality_id).toBe(gm.id);
    expect(mails[0].body_text).toContain(`voor gemeente ${gm.name}`);
    const link = linkIn(mails[0].body_text as string);
    const by = { actor_user_id: admin.user.id, municipality_id: gm.id, subject_id: String(user.id) };
    expect(await audit("user.created", by)).toHaveLength(1);
    expect(await audit("membership.added", by)).toEqual([expect.objectContaining({ details: { role: "reader" } })]);
    expect(await audit("user.invited", by)).toHaveLength(1);

    // Without a chosen password there is no way in.
    expect((await login(request.agent(t.app), email, NEW_PASSWORD)).status).toBe(401);
    const agent = request.agent(t.app);
    const welcome = await agent.get(link);
    expect(welcome.status).toBe(200);
    expect(welcome.text).toContain("Welkom bij Luisterpost");
    expect(welcome.text).toContain(email);
    const chosen = await choose(agent, link, NEW_PASSWORD);
    expect(chosen.status).toBe(303);
    expect(chosen.headers.location).toBe("/staff/login?melding=wachtwoord-ingesteld");
    expect(await audit("password.changed", { actor_user_id: user.id })).toEqual([expect.objectContaining({ details: { via: "invitation" } })]);

    const signedIn = await login(agent, email, NEW_PASSWORD);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe("/staff");
    const home = await agent.get("/staff");
    expect(home.headers.location).toBe(`/staff/m/${gm.code}`);
    const page = await agent.get(`/staff/m/${gm.code}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Gemeente ${gm.name}`);
    expect(page.text).toContain("Lezer");
    const elsewhere = await agent.get(`/staff/m/${other.code}`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.text).not.toContain(other.name);
    expect((await agent.get(link)).status).toBe(410);
  });
});

describe("changing one's own password", () => {
  it("needs the current password, and ends the user's other sessions while this one continues", async () => {
    const who = await makeStaff();
    const here = await signIn(t.app, who);
    const elsewhere = await signIn(t.app, who);
    expect(await sessionsOf(who.user.id)).toHaveLength(2);
    const change = (fields: Record<string, string>) => submitForm(here, "/staff/account", "/staff/account/password", fields);

    const wrongCurrent = await change({ current: "niet-mijn-wachtwoord-hoor", password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    expect(wrongCurrent.status).toBe(400);
    expect(wrongCurrent.text).toContain("Uw huidige wachtwoord klopt niet.");
    const weak = await change({ current: who.password, password: "wachtwoord2024", confirmation: "wachtwoord2024" });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain("Dit wachtwoord komt te vaak voor.");
    const mismatch = await change({ current: who.password, password: NEW_PASSWORD, confirmation: "iets-heel-anders-dan-dat" });
    expect(mismatch.status).toBe(400);
    expect(mismatch.text).toContain("De twee wachtwoorden zijn niet hetzelfde.");
    expect(await sessionsOf(who.user.id)).toHaveLength(2);
    expect(await audit("password.changed", { actor_user_id: who.user.id })).toHaveLength(0);

    const ok = await change({ current: who.password, password: NEW_PASSWORD, confirmation: NEW_PASSWORD });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe("/staff/account?melding=wachtwoord");
    const after = await here.get("/staff/account?melding=wachtwoord");
    expect(after.status).toBe(200);
    expect(after.text).toContain("Uw wachtwoord is gewijzigd.");
    expect((await elsewhere.get("/staff/account")).headers.location).toBe("/staff/login?terug=%2Fstaff%2Faccount");
    expect(await sessionsOf(who.user.id)).toHaveLength(1);
    const [changed] = await audit("password.changed", { actor_user_id: who.user.id });
    expect(changed?.details).toEqual({ via: "account" });

    expect((await login(request.agent(t.app), who.email, who.password)).status).toBe(401);
    expect((await login(request.agent(t.app), who.email, NEW_PASSWORD)).status).toBe(303);
  });
});

describe("logs", () => {
  it("never contain a test user's e-mail address or password, nor a password link", () => {
    const lines = t.logs();
    expect(lines.some((l) => (l.req as { path?: string } | undefined)?.path === "/staff/password/forgot")).toBe(true);
    expect(lines.some((l) => (l.req as { path?: string } | undefined)?.path === "/staff/password/:token")).toBe(true);
    const text = JSON.stringify(lines).toLowerCase();
    for (const secret of secrets) expect(text).not.toContain(secret.toLowerCase());
    expect(links.size).toBeGreaterThan(2);
    for (const link of links) expect(JSON.stringify(lines)).not.toContain(link.split("/").pop());
  });
});
