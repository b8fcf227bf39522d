// Accounts through the real forms: setting up two-factor authentication when the role demands it, an
// admin managing the members of a municipality, a platform administrator switching users off and on and
// resetting their TOTP, API keys; every step read back from the audit trail, which the database keeps
// append-only.
import request from "supertest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { recordAudit } from "../../server/audit/audit.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { testDialect } from "../helpers/database.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { makeMunicipality, makeUser, signIn, submitForm, totpCode, type Agent, type TestUser } from "../helpers/staff.ts";

const WRONG_LOGIN = "Het e-mailadres of het wachtwoord klopt niet.";

let t: TestApp;
let gm: MunicipalityRow;
let other: MunicipalityRow;
const secrets = new Set<string>();

beforeAll(async () => {
  t = await createTestApp();
  gm = await makeMunicipality(t.database.db);
  other = await makeMunicipality(t.database.db);
});
afterAll(async () => {
  await t?.close();
});
// Many sign-ins from 127.0.0.1: each test starts with a fresh per-IP login budget.
beforeEach(async () => {
  await t.database.db("rate_limits").where({ bucket: "login-ip" }).delete();
});

const db = () => t.database.db;
async function makeStaff(options: Parameters<typeof makeUser>[1] = {}): Promise<TestUser> {
  const who = await makeUser(db(), { memberships: [{ municipalityId: gm.id, role: "reader" }], ...options });
  secrets.add(who.email).add(who.password);
  return who;
}
const sessionsOf = (userId: number) => db()("sessions").where({ user_id: userId });
const userRow = (userId: number) => db()("users").where({ id: userId }).first();
async function audit(action: string, where: Record<string, unknown> = {}) {
  const rows = await db()("audit_events").where({ action, ...where }).orderBy("id");
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details as string) as Record<string, unknown> }));
}
const passwordStep = (agent: Agent, who: TestUser) => submitForm(agent, "/staff/login", "/staff/login", { email: who.email, password: who.password });
/** POSTs one of the small forms on a page the agent can open (the CSRF token is the same on every form). */
const post = (agent: Agent, page: string, action: string, fields: Record<string, string> = {}) => submitForm(agent, page, action, fields);

describe("two-factor authentication required by the role", () => {
  it.each(["interviewer", "admin", "data-entry", "platform admin"] as const)("forces the role %s, without TOTP, to set it up before anything else", async (role) => {
    const who = await makeStaff(
      role === "platform admin" ? { platformAdmin: true, memberships: [], totp: false } : { memberships: [{ municipalityId: gm.id, role }], totp: false },
    );
    const agent = request.agent(t.app);
    const login = await passwordStep(agent, who);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe("/staff/account/totp");
    expect(await sessionsOf(who.user.id)).toEqual([expect.objectContaining({ stage: "totp-setup" })]);
    for (const path of ["/staff", "/staff/account", `/staff/m/${gm.code}`, "/staff/platform/users", "/staff/login/code"]) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.location, path).toBe("/staff/account/totp");
    }

    const page = await agent.get("/staff/account/totp");
    expect(page.status).toBe(200);
    const shown = /<code class="utrecht-code lp-secret">([A-Z2-7 ]+)<\/code>/.exec(page.text)?.[1];
    expect(shown).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    const secret = shown!.replaceAll(" ", "");
    expect((await userRow(who.user.id)).totp_secret).toBe(secret);

    const wrong = await submitForm(agent, "/staff/account/totp", "/staff/account/totp", { code: "12345" });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain("Deze code klopt niet.");
    const done = await submitForm(agent, "/staff/account/totp", "/staff/account/totp", { code: totpCode(secret) });
    expect(done.status).toBe(200);
    expect(done.text).toContain("Uw herstelcodes");
    expect([...done.text.matchAll(/<code class="utrecht-code">[a-z0-9]{5}-[a-z0-9]{5}<\/code>/g)]).toHaveLength(10);
    expect(done.headers["set-cookie"]?.toString()).toMatch(/lp_sid=s%3A[^.;]+\./);

    const start = await agent.get("/staff");
    if (role === "platform admin") expect(start.text).toContain("Platformbeheer");
    else expect(start.headers.location).toBe(`/staff/m/${gm.code}`);
    expect((await agent.get("/staff/account")).text).toContain("U heeft nog <strong>10</strong> ongebruikte herstelcodes");
    expect((await userRow(who.user.id)).totp_enabled_at).not.toBeNull();
    const mine = { actor_user_id: who.user.id };
    expect(await audit("totp.enabled", mine)).toHaveLength(1);
    expect(await audit("recovery_codes.generated", mine)).toHaveLength(1);
    expect(await audit("login.succeeded", mine)).toEqual([expect.objectContaining({ details: { method: "password+totp-setup" } })]);
    // From now on the password alone is not enough.
    const next = await passwordStep(request.agent(t.app), who);
    expect(next.headers.location).toBe("/staff/login/code");
  });

  it("accepts each recovery code once at the code step", async () => {
    const who = await makeStaff({ memberships: [{ municipalityId: gm.id, role: "admin" }] });
    const owner = await signIn(t.app, who);
    const page = await post(owner, "/staff/account", "/staff/account/recovery-codes");
    expect(page.status).toBe(200);
    const codes = [...page.text.matchAll(/<code class="utrecht-code">([a-z0-9]{5}-[a-z0-9]{5})<\/code>/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(10);
    expect(await audit("recovery_codes.generated", { actor_user_id: who.user.id })).toHaveLength(1);
    const codeStep = async (code: string, agent: Agent = request.agent(t.app)) => {
      expect((await passwordStep(agent, who)).headers.location).toBe("/staff/login/code");
      return { agent, res: await submitForm(agent, "/staff/login/code", "/staff/login/code", { code }) };
    };

    const lost = await codeStep(codes[0]!);
    expect(lost.res.status).toBe(303);
    expect((await lost.agent.get(`/staff/m/${gm.code}`)).status).toBe(200);
    expect((await lost.agent.get("/staff/account")).text).toContain("U heeft nog <strong>9</strong> ongebruikte herstelcodes");
    expect(await audit("recovery_code.used", { actor_user_id: who.user.id })).toHaveLength(1);
    expect(await audit("login.succeeded", { actor_user_id: who.user.id })).toContainEqual(
      expect.objectContaining({ details: { method: "password+recovery-code" } }),
    );

    const reused = await codeStep(codes[0]!);
    expect(reused.res.status).toBe(401);
    expect(reused.res.text).toContain("Deze code klopt niet.");
    // Case, spaces and dashes do not matter for an unused one.
    const typed = await submitForm(reused.agent, "/staff/login/code", "/staff/login/code", { code: codes[1]!.toUpperCase().replace("-", " ") });
    expect(typed.status).toBe(303);
  });

  it("does not force a reader", async () => {
    const who = await makeStaff();
    const agent = request.agent(t.app);
    const login = await passwordStep(agent, who);
    expect(login.headers.location).toBe("/staff");
    expect((await agent.get(`/staff/m/${gm.code}`)).status).toBe(200);
    const account = await agent.get("/staff/account");
    expect(account.status).toBe(200);
    expect(account.text).toContain("Tweestapsverificatie instellen");
  });
});

describe("members of a municipality, managed by its admin", () => {
  it("changes a member's role, and a signed-in reader made interviewer must set up TOTP first", async () => {
    const admin = await makeStaff({ memberships: [{ municipalityId: gm.id, role: "admin" }] });
    const member = await makeStaff();
    const memberAgent = await signIn(t.app, member);
    const adminAgent = await signIn(t.app, admin);
    const users = `/staff/m/${gm.code}/users`;
    expect((await adminAgent.get(users)).text).toContain(member.email);

    const changed = await post(adminAgent, users, `${users}/${member.user.id}/role`, { role: "interviewer" });
    expect(changed.status).toBe(303);
    expect(changed.headers.location).toBe(`${users}?melding=gewijzigd`);
    expect(await db()("memberships").where({ user_id: member.user.id })).toEqual([expect.objectContaining({ role: "interviewer" })]);
    const [event] = await audit("membership.role_changed", { actor_user_id: admin.user.id, subject_id: String(member.user.id) });
    expect(event).toMatchObject({ municipality_id: gm.id, details: { role: "interviewer" } });
    const promoted = await memberAgent.get(`/staff/m/${gm.code}`);
    expect(promoted.status).toBe(303);
    expect(promoted.headers.location).toBe("/staff/account/totp");
    const setup = await memberAgent.get("/staff/account/totp");
    expect(setup.status).toBe(200);
    expect(setup.text).toContain("Met uw rol kunt u persoonsgegevens van inwoners zien.");

    const bad = await post(adminAgent, users, `${users}/${member.user.id}/role`, { role: "baas" });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("Kies een rol");
    for (const [action, fields, message] of [
      [`${users}/${admin.user.id}/role`, { role: "reader" }, "U kunt uw eigen rol niet wijzigen."],
      [`${users}/${admin.user.id}/remove`, {}, "U kunt uw eigen toegang niet intrekken."],
    ] as const) {
      const self = await post(adminAgent, users, action, fields);
      expect(self.status).toBe(400);
      expect(self.text).toContain(message);
    }
    expect(await db()("memberships").where({ user_id: admin.user.id })).toEqual([expect.objectContaining({ role: "admin" })]);
  });

  it("removes a member; left without roles, the user is switched off and cannot log in", async () => {
    const admin = await makeStaff({ memberships: [{ municipalityId: gm.id, role: "admin" }] });
    const member = await makeStaff();
    const outsider = await makeStaff({ memberships: [{ municipalityId: other.id, role: "reader" }] });
    const memberAgent = await signIn(t.app, member);
    const adminAgent = await signIn(t.app, admin);
    const users = `/staff/m/${gm.code}/users`;

    const notHere = await post(adminAgent, users, `${users}/${outsider.user.id}/remove`);
    expect(notHere.status).toBe(404);
    expect(await db()("memberships").where({ user_id: outsider.user.id })).toHaveLength(1);

    const removed = await post(adminAgent, users, `${users}/${member.user.id}/remove`);
    expect(removed.status).toBe(303);
    expect(removed.headers.location).toBe(`${users}?melding=verwijderd`);
    expect(await db()("memberships").where({ user_id: member.user.id })).toHaveLength(0);
    expect(Boolean((await userRow(member.user.id)).active)).toBe(false);
    expect(await sessionsOf(member.user.id)).toHaveLength(0);
    expect((await memberAgent.get("/staff")).headers.location).toBe("/staff/login");
    const again = await passwordStep(request.agent(t.app), member);
    expect(again.status).toBe(401);
    expect(again.text).toContain(WRONG_LOGIN);

    const by = { actor_user_id: admin.user.id, subject_id: String(member.user.id) };
    expect(await audit("membership.removed", { ...by, municipality_id: gm.id })).toHaveLength(1);
    expect(await audit("user.deactivated", by)).toHaveLength(1);
    expect(await audit("login.failed", { actor_user_id: member.user.id })).toEqual([expect.objectContaining({ details: { reason: "inactive" } })]);
  });
});

describe("platform administration of users", () => {
  it("deactivates and reactivates a user, and resets their TOTP", async () => {
    const platform = await makeStaff({ platformAdmin: true, memberships: [] });
    const target = await makeStaff({ memberships: [{ municipalityId: gm.id, role: "interviewer" }] });
    const targetAgent = await signIn(t.app, target);
    const agent = await signIn(t.app, platform);
    const list = "/staff/platform/users";
    expect((await agent.get(list)).text).toContain(target.email);
    const act = (what: string, userId = target.user.id) => post(agent, list, `${list}/${userId}/${what}`);
    const by = { actor_user_id: platform.user.id, subject_id: String(target.user.id) };

    const off = await act("deactivate");
    expect(off.status).toBe(303);
    expect(Boolean((await userRow(target.user.id)).active)).toBe(false);
    expect(await sessionsOf(target.user.id)).toHaveLength(0);
    expect((await targetAgent.get("/staff")).headers.location).toBe("/staff/login");
    expect((await passwordStep(request.agent(t.app), target)).status).toBe(401);
    expect(await audit("user.deactivated", by)).toHaveLength(1);

    expect((await act("activate")).status).toBe(303);
    expect(Boolean((await userRow(target.user.id)).active)).toBe(true);
    const back = await passwordStep(request.agent(t.app), target);
    expect(back.headers.location).toBe("/staff/login/code");
    expect(await audit("user.activated", by)).toHaveLength(1);

    expect((await act("reset-totp")).status).toBe(303);
    const row = await userRow(target.user.id);
    expect(row).toMatchObject({ totp_secret: null, totp_enabled_at: null });
    expect(await sessionsOf(target.user.id)).toHaveLength(0);
    expect(await audit("totp.reset", by)).toHaveLength(1);
    const reset = await passwordStep(request.agent(t.app), target);
    expect(reset.headers.location).toBe("/staff/account/totp");

    const self = await act("deactivate", platform.user.id);
    expect(self.status).toBe(400);
    expect(self.text).toContain("U kunt uzelf niet uitschakelen.");
    expect(Boolean((await userRow(platform.user.id)).active)).toBe(true);
  });

  it("keeps other staff out of platform administration (403) and out of other municipalities (404)", async () => {
    const admin = await makeStaff({ memberships: [{ municipalityId: gm.id, role: "admin" }] });
    const agent = await signIn(t.app, admin);
    const forbidden = await agent.get("/staff/platform/users");
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toContain("Alleen platformbeheerders kunnen dit doen.");
    const elsewhere = await agent.get(`/staff/m/${other.code}/users`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.text).not.toContain(other.name);
  });
});

describe("API keys and the audit trail", () => {
  it("creates a key shown once and revokes it, both recorded for the municipality", async () => {
    const admin = await makeStaff({ memberships: [{ municipalityId: gm.id, role: "admin" }] });
    const agent = await signIn(t.app, admin);
    const keys = `/staff/m/${gm.code}/api-keys`;
    const created = await post(agent, keys, keys, { name: "Zaaksysteem" });
    expect(created.status).toBe(200);
    const key = /data-testid="new-api-key">(lp_[A-Za-z0-9_-]{43})</.exec(created.text)?.[1];
    expect(key).toBeDefined();
    const row = await db()("api_keys").where({ municipality_id: gm.id, name: "Zaaksysteem" }).first();
    expect(JSON.stringify(row)).not.toContain(key);
    expect((await agent.get(keys)).text).not.toContain(key);
    const by = { actor_user_id: admin.user.id, municipality_id: gm.id, subject_id: String(row.id) };
    expect(await audit("apikey.created", by)).toEqual([expect.objectContaining({ details: { name: "Zaaksysteem", prefix: key!.slice(0, 10) } })]);

    const revoked = await post(agent, keys, `${keys}/${row.id}/revoke`);
    expect(revoked.status).toBe(303);
    expect(revoked.headers.location).toBe(`${keys}?melding=ingetrokken`);
    expect((await db()("api_keys").where({ id: row.id }).first()).revoked_at).not.toBeNull();
    expect(await audit("apikey.revoked", by)).toHaveLength(1);
    const twice = await post(agent, keys, `${keys}/${row.id}/revoke`);
    expect(twice.status).toBe(404);
    expect(twice.text).toContain("Deze pagina bestaat niet");
  });

  it("refuses UPDATE and DELETE on audit_events in the database itself", async () => {
    await recordAudit(db(), { action: "logout", actorUserId: 1, actor: "append-only@example.test" });
    const before = await db()("audit_events").orderBy("id");
    expect(before.length).toBeGreaterThan(0);
    const last = before[before.length - 1];
    await expect(db()("audit_events").where({ id: last.id }).update({ action: "login.succeeded" })).rejects.toThrow(/append-only/);
    await expect(db()("audit_events").update({ actor: null })).rejects.toThrow(/append-only/);
    await expect(db()("audit_events").where({ id: last.id }).delete()).rejects.toThrow(/append-only/);
    await expect(db()("audit_events").delete()).rejects.toThrow(/append-only/);
    // SQLite has no TRUNCATE; on PostgreSQL it bypasses row triggers, so a statement trigger refuses it.
    if (testDialect === "postgres") await expect(db().raw("truncate audit_events")).rejects.toThrow(/append-only/);
    expect(await db()("audit_events").orderBy("id")).toEqual(before);
  });
});

describe("logs", () => {
  it("never contain a test user's e-mail address or password", () => {
    const lines = t.logs();
    expect(lines.some((l) => (l.req as { path?: string } | undefined)?.path === "/staff/account/totp")).toBe(true);
    const text = JSON.stringify(lines).toLowerCase();
    expect(secrets.size).toBeGreaterThan(5);
    for (const secret of secrets) expect(text).not.toContain(secret.toLowerCase());
  });
});
