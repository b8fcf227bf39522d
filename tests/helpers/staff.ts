// Factories for staff tests: municipalities, users with roles and TOTP, and signing in through the real
// forms with a cookie-keeping supertest agent.
import { randomBytes } from "node:crypto";
import type { Express } from "express";
import * as OTPAuth from "otpauth";
import request from "supertest";
import { expect } from "vitest";
import { enableTotp, insertUser, upsertMembership, type UserRow } from "../../server/accounts/accounts.queries.ts";
import type { Role } from "../../server/accounts/accounts.schema.ts";
import { hashPassword } from "../../server/accounts/passwords.ts";
import { createTotpSecret } from "../../server/accounts/totp.ts";
import type { Db } from "../../server/db.ts";
import { insertMunicipality, type MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";

export type Agent = ReturnType<typeof request.agent>;

let counter = 0;
const unique = () => `${process.pid}${++counter}${randomBytes(2).toString("hex")}`;

/** A synthetic municipality with a code in the GM9xxx range, which the CBS does not use. */
let municipalitySequence = Number.parseInt(randomBytes(2).toString("hex"), 16);

export async function makeMunicipality(db: Db, values: { code?: string; name?: string } = {}): Promise<MunicipalityRow> {
  // Sequential within a test file (which has its own database), so codes never collide.
  const n = String(9000 + (municipalitySequence++ % 1000)).padStart(4, "0");
  return insertMunicipality(db, { code: values.code ?? `GM${n}`, name: values.name ?? `Testgemeente ${n}` });
}

export const TEST_PASSWORD = "zonnebloem-fiets-kaas-regen";

export type TestUser = { user: UserRow; email: string; password: string; totpSecret: string | undefined };

export async function makeUser(
  db: Db,
  options: {
    email?: string;
    name?: string;
    password?: string | null;
    platformAdmin?: boolean;
    memberships?: Array<{ municipalityId: number; role: Role }>;
    /** Enable TOTP (default: when a role or platform administration requires it). */
    totp?: boolean;
  } = {},
): Promise<TestUser> {
  const email = options.email ?? `medewerker-${unique()}@example.test`;
  const password = options.password === undefined ? TEST_PASSWORD : options.password;
  const user = await insertUser(db, {
    email,
    name: options.name ?? `Medewerker ${unique()}`,
    passwordHash: password === null ? null : await hashPassword(password),
    isPlatformAdmin: options.platformAdmin ?? false,
  });
  for (const m of options.memberships ?? []) await upsertMembership(db, user.id, m.municipalityId, m.role);
  const needsTotp = options.platformAdmin || (options.memberships ?? []).some((m) => m.role !== "reader");
  let totpSecret: string | undefined;
  if (options.totp ?? needsTotp) {
    totpSecret = createTotpSecret();
    await enableTotp(db, user.id, totpSecret, 0);
  }
  return { user, email, password: password ?? "", totpSecret };
}

/** The TOTP code for now, or for a step before (-1) or after (+1). */
export function totpCode(secret: string, stepOffset = 0): string {
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });
  return totp.generate({ timestamp: Date.now() + stepOffset * 30_000 });
}

/** The CSRF token in the first form of a page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error("no CSRF token on this page");
  return match[1]!;
}

/** GETs a page with the agent and returns its CSRF token. */
export async function csrfFor(agent: Agent, path: string): Promise<string> {
  const page = await agent.get(path);
  return csrfOf(page.text);
}

/** POSTs a form the way a browser does: CSRF token from the page at `formPage`, url-encoded body. */
export async function submitForm(agent: Agent, formPage: string, action: string, fields: Record<string, string>) {
  const token = await csrfFor(agent, formPage);
  return agent.post(action).type("form").send({ _csrf: token, ...fields });
}

/** Signs in through the login form (and the code form when TOTP is on); returns the signed-in agent. */
export async function signIn(app: Express, who: TestUser): Promise<Agent> {
  const agent = request.agent(app);
  const login = await submitForm(agent, "/staff/login", "/staff/login", { email: who.email, password: who.password });
  expect(login.status, login.text).toBe(303);
  if (who.totpSecret) {
    expect(login.headers.location).toMatch(/^\/staff\/login\/code/);
    const code = await submitForm(agent, "/staff/login/code", "/staff/login/code", { code: totpCode(who.totpSecret) });
    expect(code.status, code.text).toBe(303);
  }
  return agent;
}
