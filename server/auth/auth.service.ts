// Signing in (password, then TOTP or a recovery code), and choosing a password through a single-use link.
import {
  claimTotpStep,
  consumeAuthToken,
  findAuthToken,
  findUserByEmail,
  findUserById,
  insertAuthToken,
  invalidateAuthTokens,
  listMembershipsOfUser,
  updateUser,
  useRecoveryCode,
  type AuthTokenPurpose,
  type UserRow,
} from "../accounts/accounts.queries.ts";
import { ROLES_REQUIRING_TOTP } from "../accounts/accounts.schema.ts";
import { checkPasswordStrength, generateToken, hashPassword, hashToken, needsRehash, verifyPassword } from "../accounts/passwords.ts";
import { hashRecoveryCode, normalizeRecoveryCode, verifyTotp } from "../accounts/totp.ts";
import { recordAudit, type AuditEvent } from "../audit/audit.service.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import type { Mailer } from "../mail/mail.service.ts";
import { renderMail } from "../mail/mail.templates.ts";
import { clearLoginFailures, consume, emailKey, LIMITS, loginDelaySeconds, recordLoginFailure } from "../ratelimit/ratelimit.service.ts";
import { deleteSessionsOfUser, type SessionStage } from "./sessions.queries.ts";
import { advanceSession, startSession } from "./sessions.service.ts";

/** Where an event happened: filled in from the request by the routes. */
export type RequestContext = Pick<AuditEvent, "ip" | "requestId">;

export const RESET_VALID_MS = 60 * 60 * 1000;
export const INVITATION_VALID_MS = 7 * 24 * 60 * 60 * 1000;

// Verifying against this when the account does not exist makes a wrong address take as long as a wrong
// password, so response times do not tell which addresses have an account.
let dummyHash: Promise<string> | undefined;

export type PasswordSignIn =
  | { kind: "throttled"; waitSeconds: number }
  | { kind: "invalid" }
  | { kind: "signed-in"; token: string; stage: SessionStage };

async function requiresTotp(db: Db, user: UserRow): Promise<boolean> {
  if (user.isPlatformAdmin) return true;
  return (await listMembershipsOfUser(db, user.id)).some((m) => ROLES_REQUIRING_TOTP.includes(m.role));
}

export async function completeSignIn(db: Db, user: UserRow, method: string, ctx: RequestContext): Promise<void> {
  await clearLoginFailures(db, user.email);
  await updateUser(db, user.id, { lastLoginAt: new Date() });
  await recordAudit(db, { ...ctx, action: "login.succeeded", actorUserId: user.id, actor: user.email, details: { method } });
}

export async function signInWithPassword(db: Db, input: { email: string; password: string }, ctx: RequestContext): Promise<PasswordSignIn> {
  const email = input.email.trim().toLowerCase();
  const user = await findUserByEmail(db, email);
  const waitSeconds = await loginDelaySeconds(db, email);
  if (waitSeconds > 0) {
    await recordAudit(db, { ...ctx, action: "login.failed", actorUserId: user?.id ?? null, actor: user?.email ?? null, details: { reason: "throttled" } });
    return { kind: "throttled", waitSeconds };
  }
  let passwordOk = false;
  if (user?.passwordHash) passwordOk = await verifyPassword(input.password, user.passwordHash);
  else await verifyPassword(input.password, await (dummyHash ??= hashPassword("luisterpost-dummy-password")));

  if (!user || !user.active || !passwordOk) {
    await recordLoginFailure(db, email);
    const reason = !user ? "unknown-account" : !user.active ? "inactive" : "wrong-password";
    await recordAudit(db, { ...ctx, action: "login.failed", actorUserId: user?.id ?? null, actor: user?.email ?? null, details: { reason } });
    return { kind: "invalid" };
  }
  if (needsRehash(user.passwordHash!)) await updateUser(db, user.id, { passwordHash: await hashPassword(input.password) });

  const stage: SessionStage = user.totpEnabled ? "code" : (await requiresTotp(db, user)) ? "totp-setup" : "active";
  if (stage === "active") await completeSignIn(db, user, "password", ctx);
  return { kind: "signed-in", token: await startSession(db, user.id, stage), stage };
}

export type CodeSignIn = { kind: "throttled"; waitSeconds: number } | { kind: "invalid" } | { kind: "signed-in"; token: string };

const RECOVERY_CODE = /^[a-z0-9]{10}$/;

/** The second step: a TOTP code from the app, or one of the recovery codes. */
export async function signInWithCode(db: Db, userId: number, sessionIdHash: string, code: string, ctx: RequestContext): Promise<CodeSignIn> {
  const user = await findUserById(db, userId);
  if (!user || !user.totpSecret || !user.totpEnabled) return { kind: "invalid" };
  const waitSeconds = await loginDelaySeconds(db, user.email);
  if (waitSeconds > 0) return { kind: "throttled", waitSeconds };

  let method: "totp" | "recovery-code" | undefined;
  const recovery = normalizeRecoveryCode(code);
  if (RECOVERY_CODE.test(recovery) && (await useRecoveryCode(db, user.id, hashRecoveryCode(recovery)))) {
    method = "recovery-code";
  } else {
    const result = verifyTotp({ secret: user.totpSecret, code, lastUsedStep: user.totpLastStep });
    if (result.ok && (await claimTotpStep(db, user.id, result.step))) method = "totp";
  }
  if (!method) {
    await recordLoginFailure(db, user.email);
    await recordAudit(db, { ...ctx, action: "login.failed", actorUserId: user.id, actor: user.email, details: { reason: "wrong-code" } });
    return { kind: "invalid" };
  }
  if (method === "recovery-code") await recordAudit(db, { ...ctx, action: "recovery_code.used", actorUserId: user.id, actor: user.email });
  await completeSignIn(db, user, `password+${method}`, ctx);
  return { kind: "signed-in", token: await advanceSession(db, sessionIdHash, "active") };
}

// --- single-use links ------------------------------------------------------------------------------

export async function createPasswordLink(db: Db, config: Config, userId: number, purpose: AuthTokenPurpose): Promise<string> {
  const token = generateToken();
  const validMs = purpose === "invitation" ? INVITATION_VALID_MS : RESET_VALID_MS;
  await insertAuthToken(db, { userId, purpose, tokenHash: hashToken(token), expiresAt: new Date(Date.now() + validMs) });
  return `${config.baseUrl}/staff/password/${token}`;
}

/**
 * Sends a reset link when the address belongs to an active account. The caller always answers the same,
 * so the form does not reveal which addresses have an account.
 */
export async function requestPasswordReset(db: Db, mailer: Mailer, config: Config, rawEmail: string, ctx: RequestContext): Promise<void> {
  const email = rawEmail.trim().toLowerCase();
  if (!(await consume(db, LIMITS.resetPerAccount, emailKey(email)))) return;
  const user = await findUserByEmail(db, email);
  if (!user || !user.active) return;
  const link = await createPasswordLink(db, config, user.id, "password-reset");
  const subject = "Nieuw wachtwoord voor Luisterpost";
  const body = await renderMail("password-reset", { subject, name: user.name, link, validFor: "één uur" });
  await mailer.send({ to: user.email, subject, ...body, category: "password-reset" });
  await recordAudit(db, { ...ctx, action: "password.reset_requested", actorUserId: user.id, actor: user.email });
}

export type LinkState =
  | { kind: "valid"; tokenId: number; purpose: AuthTokenPurpose; user: UserRow }
  | { kind: "used" }
  | { kind: "expired" }
  | { kind: "unknown" };

export async function inspectPasswordLink(db: Db, token: string): Promise<LinkState> {
  const row = await findAuthToken(db, hashToken(token));
  if (!row) return { kind: "unknown" };
  if (row.usedAt) return { kind: "used" };
  if (row.expiresAt <= new Date()) return { kind: "expired" };
  const user = await findUserById(db, row.userId);
  if (!user || !user.active) return { kind: "unknown" };
  return { kind: "valid", tokenId: row.id, purpose: row.purpose, user };
}

export type ChoosePassword = { kind: "invalid-link"; state: LinkState["kind"] } | { kind: "rejected"; message: string } | { kind: "done"; user: UserRow };

export async function choosePassword(db: Db, token: string, password: string, confirmation: string, ctx: RequestContext): Promise<ChoosePassword> {
  const state = await inspectPasswordLink(db, token);
  if (state.kind !== "valid") return { kind: "invalid-link", state: state.kind };
  const problem = checkPasswordStrength(password, { email: state.user.email, name: state.user.name });
  if (problem) return { kind: "rejected", message: problem };
  if (password !== confirmation) return { kind: "rejected", message: "De twee wachtwoorden zijn niet hetzelfde. Typ ze nog een keer." };
  if (!(await consumeAuthToken(db, state.tokenId))) return { kind: "invalid-link", state: "used" };
  await updateUser(db, state.user.id, { passwordHash: await hashPassword(password) });
  // Any other open link and every session end: whoever held the old password is out.
  await invalidateAuthTokens(db, state.user.id);
  await deleteSessionsOfUser(db, state.user.id);
  await clearLoginFailures(db, state.user.email);
  await recordAudit(db, { ...ctx, action: "password.changed", actorUserId: state.user.id, actor: state.user.email, details: { via: state.purpose } });
  return { kind: "done", user: state.user };
}
