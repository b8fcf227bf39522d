// A staff member's own account: two-factor authentication, recovery codes, and changing the password.
import { recordAudit } from "../audit/audit.service.ts";
import { loginDelaySeconds, recordLoginFailure } from "../ratelimit/ratelimit.service.ts";
import type { RequestContext } from "../auth/auth.service.ts";
import { deleteSessionsOfUser } from "../auth/sessions.queries.ts";
import type { Db } from "../db.ts";
import {
  countUnusedRecoveryCodes,
  enableTotp,
  findUserById,
  replaceRecoveryCodes,
  setPendingTotpSecret,
  updateUser,
  type UserRow,
} from "./accounts.queries.ts";
import { checkPasswordStrength, hashPassword, verifyPassword } from "./passwords.ts";
import { createTotpSecret, generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode, totpQrSvgDataUri, totpUri, verifyTotp } from "./totp.ts";

async function requireUser(db: Db, userId: number): Promise<UserRow> {
  const user = await findUserById(db, userId);
  if (!user) throw new Error(`user ${userId} disappeared`);
  return user;
}

export type TotpSetup = { enabled: true; unusedRecoveryCodes: number } | { enabled: false; secret: string; uri: string; qr: string };

/** Shows the QR code of a pending secret (made on first view, kept until confirmed). */
export async function getTotpSetup(db: Db, userId: number): Promise<TotpSetup> {
  let user = await requireUser(db, userId);
  if (user.totpEnabled) return { enabled: true, unusedRecoveryCodes: await countUnusedRecoveryCodes(db, userId) };
  if (!user.totpSecret) {
    await setPendingTotpSecret(db, userId, createTotpSecret());
    user = await requireUser(db, userId);
  }
  const uri = totpUri({ secret: user.totpSecret!, account: user.email });
  return { enabled: false, secret: user.totpSecret!, uri, qr: await totpQrSvgDataUri(uri) };
}

async function issueRecoveryCodes(db: Db, user: UserRow, ctx: RequestContext): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await replaceRecoveryCodes(db, user.id, codes.map((code) => hashRecoveryCode(normalizeRecoveryCode(code))));
  await recordAudit(db, { ...ctx, action: "recovery_codes.generated", actorUserId: user.id, actor: user.email });
  return codes;
}

/** Confirms the pending secret with a code from the app; returns the recovery codes to show once. */
export async function confirmTotpSetup(db: Db, userId: number, code: string, ctx: RequestContext): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false }> {
  const user = await requireUser(db, userId);
  if (user.totpEnabled || !user.totpSecret) return { ok: false };
  const result = verifyTotp({ secret: user.totpSecret, code, lastUsedStep: null });
  if (!result.ok) return { ok: false };
  await enableTotp(db, userId, user.totpSecret, result.step);
  await recordAudit(db, { ...ctx, action: "totp.enabled", actorUserId: user.id, actor: user.email });
  return { ok: true, recoveryCodes: await issueRecoveryCodes(db, user, ctx) };
}

export async function regenerateRecoveryCodes(db: Db, userId: number, ctx: RequestContext): Promise<string[]> {
  return issueRecoveryCodes(db, await requireUser(db, userId), ctx);
}

export async function changeOwnPassword(
  db: Db,
  userId: number,
  input: { current: string; password: string; confirmation: string },
  ctx: RequestContext,
): Promise<{ ok: true } | { ok: false; field: "current" | "password" | "confirmation"; message: string }> {
  const user = await requireUser(db, userId);
  // Someone at an unlocked computer must not be able to guess the password here faster than at login.
  const waitSeconds = await loginDelaySeconds(db, user.email);
  if (waitSeconds > 0) {
    return { ok: false, field: "current", message: `Te veel mislukte pogingen. Probeer het over ${Math.ceil(waitSeconds / 60)} minuten opnieuw.` };
  }
  if (!user.passwordHash || !(await verifyPassword(input.current, user.passwordHash))) {
    await recordLoginFailure(db, user.email);
    return { ok: false, field: "current", message: "Uw huidige wachtwoord klopt niet." };
  }
  const problem = checkPasswordStrength(input.password, { email: user.email, name: user.name });
  if (problem) return { ok: false, field: "password", message: problem };
  if (input.password !== input.confirmation) return { ok: false, field: "confirmation", message: "De twee wachtwoorden zijn niet hetzelfde." };
  await updateUser(db, userId, { passwordHash: await hashPassword(input.password) });
  // Other devices signed in with the old password are signed out; the caller starts a fresh session here.
  await deleteSessionsOfUser(db, userId);
  await recordAudit(db, { ...ctx, action: "password.changed", actorUserId: user.id, actor: user.email, details: { via: "account" } });
  return { ok: true };
}
