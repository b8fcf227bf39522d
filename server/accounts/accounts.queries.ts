// The only place that runs knex against users, memberships, recovery codes and auth tokens.
import { countOf, fromDbTime, toBool, toDbTime, type Db } from "../db.ts";
import type { Role } from "./accounts.schema.ts";

export type UserRow = {
  id: number;
  email: string;
  name: string;
  passwordHash: string | null;
  isPlatformAdmin: boolean;
  active: boolean;
  totpSecret: string | null;
  totpEnabled: boolean;
  totpLastStep: number | null;
  lastLoginAt: Date | null;
  createdAt: Date;
};

export type MembershipRow = { userId: number; municipalityId: number; code: string; name: string; role: Role };

const USER_COLUMNS = [
  "id",
  "email",
  "name",
  "password_hash",
  "is_platform_admin",
  "active",
  "totp_secret",
  "totp_enabled_at",
  "totp_last_step",
  "last_login_at",
  "created_at",
];

type RawUser = Record<string, unknown>;

function toUser(row: RawUser): UserRow {
  return {
    id: row.id as number,
    email: row.email as string,
    name: row.name as string,
    passwordHash: (row.password_hash as string | null) ?? null,
    isPlatformAdmin: toBool(row.is_platform_admin),
    active: toBool(row.active),
    totpSecret: (row.totp_secret as string | null) ?? null,
    totpEnabled: row.totp_enabled_at !== null && row.totp_enabled_at !== undefined,
    totpLastStep: row.totp_last_step === null || row.totp_last_step === undefined ? null : Number(row.totp_last_step),
    lastLoginAt: fromDbTime(row.last_login_at),
    createdAt: fromDbTime(row.created_at)!,
  };
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const row = await db("users").select(USER_COLUMNS).where({ email: email.toLowerCase() }).first();
  return row ? toUser(row) : undefined;
}

export async function findUserById(db: Db, id: number): Promise<UserRow | undefined> {
  const row = await db("users").select(USER_COLUMNS).where({ id }).first();
  return row ? toUser(row) : undefined;
}

export async function insertUser(
  db: Db,
  values: { email: string; name: string; passwordHash: string | null; isPlatformAdmin: boolean },
): Promise<UserRow> {
  const now = toDbTime(new Date());
  const [row] = await db("users")
    .insert({
      email: values.email.toLowerCase(),
      name: values.name,
      password_hash: values.passwordHash,
      is_platform_admin: values.isPlatformAdmin,
      active: true,
      created_at: now,
      updated_at: now,
    })
    .returning(USER_COLUMNS);
  return toUser(row);
}

export async function updateUser(
  db: Db,
  id: number,
  values: Partial<{ passwordHash: string; active: boolean; isPlatformAdmin: boolean; name: string; lastLoginAt: Date; totpLastStep: number }>,
): Promise<void> {
  const patch: Record<string, unknown> = { updated_at: toDbTime(new Date()) };
  if (values.passwordHash !== undefined) patch.password_hash = values.passwordHash;
  if (values.active !== undefined) patch.active = values.active;
  if (values.isPlatformAdmin !== undefined) patch.is_platform_admin = values.isPlatformAdmin;
  if (values.name !== undefined) patch.name = values.name;
  if (values.lastLoginAt !== undefined) patch.last_login_at = toDbTime(values.lastLoginAt);
  if (values.totpLastStep !== undefined) patch.totp_last_step = values.totpLastStep;
  await db("users").where({ id }).update(patch);
}

/** A secret being set up: stored, but not in force until enableTotp(). */
export async function setPendingTotpSecret(db: Db, id: number, secret: string): Promise<void> {
  await db("users").where({ id }).whereNull("totp_enabled_at").update({ totp_secret: secret, updated_at: toDbTime(new Date()) });
}

/** Lost phone: the user sets up two-factor authentication again at the next login. */
export async function resetTotp(db: Db, id: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx("users").where({ id }).update({ totp_secret: null, totp_enabled_at: null, totp_last_step: null, updated_at: toDbTime(new Date()) });
    await trx("recovery_codes").where({ user_id: id }).delete();
  });
}

export async function enableTotp(db: Db, id: number, secret: string, step: number): Promise<void> {
  const now = toDbTime(new Date());
  await db("users").where({ id }).update({ totp_secret: secret, totp_enabled_at: now, totp_last_step: step, updated_at: now });
}

/** Records a TOTP step as used, only if it is newer than the last one: two racing logins cannot both use it. */
export async function claimTotpStep(db: Db, id: number, step: number): Promise<boolean> {
  const updated = await db("users")
    .where({ id })
    .andWhere((q) => q.whereNull("totp_last_step").orWhere("totp_last_step", "<", step))
    .update({ totp_last_step: step });
  return updated === 1;
}

export async function countUsers(db: Db): Promise<number> {
  return countOf(await db("users").count({ count: "*" }));
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  return (await db("users").select(USER_COLUMNS).orderBy("email")).map(toUser);
}

// --- memberships ---------------------------------------------------------------------------------------

export async function listMembershipsOfUser(db: Db, userId: number): Promise<MembershipRow[]> {
  const rows = await db("memberships as m")
    .join("municipalities as g", "g.id", "m.municipality_id")
    .select("m.user_id", "m.municipality_id", "g.code", "g.name", "m.role")
    .where("m.user_id", userId)
    .orderBy("g.name");
  return rows.map((r) => ({ userId: r.user_id, municipalityId: r.municipality_id, code: r.code, name: r.name, role: r.role }));
}

export type MemberRow = { userId: number; email: string; name: string; role: Role; active: boolean; totpEnabled: boolean; lastLoginAt: Date | null };

export async function listMembersOfMunicipality(db: Db, municipalityId: number): Promise<MemberRow[]> {
  const rows = await db("memberships as m")
    .join("users as u", "u.id", "m.user_id")
    .select("u.id", "u.email", "u.name", "m.role", "u.active", "u.totp_enabled_at", "u.last_login_at")
    .where("m.municipality_id", municipalityId)
    .orderBy("u.name");
  return rows.map((r) => ({
    userId: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    active: toBool(r.active),
    totpEnabled: r.totp_enabled_at !== null,
    lastLoginAt: fromDbTime(r.last_login_at),
  }));
}

export async function findMembership(db: Db, userId: number, municipalityId: number): Promise<{ role: Role } | undefined> {
  const row = await db("memberships").select("role").where({ user_id: userId, municipality_id: municipalityId }).first();
  return row ? { role: row.role } : undefined;
}

export async function upsertMembership(db: Db, userId: number, municipalityId: number, role: Role): Promise<"added" | "changed" | "same"> {
  const existing = await findMembership(db, userId, municipalityId);
  if (existing?.role === role) return "same";
  if (existing) {
    await db("memberships").where({ user_id: userId, municipality_id: municipalityId }).update({ role });
    return "changed";
  }
  await db("memberships").insert({ user_id: userId, municipality_id: municipalityId, role, created_at: toDbTime(new Date()) });
  return "added";
}

export async function deleteMembership(db: Db, userId: number, municipalityId: number): Promise<boolean> {
  return (await db("memberships").where({ user_id: userId, municipality_id: municipalityId }).delete()) > 0;
}

// --- recovery codes ----------------------------------------------------------------------------------------

export async function replaceRecoveryCodes(db: Db, userId: number, codeHashes: string[]): Promise<void> {
  await db.transaction(async (trx) => {
    await trx("recovery_codes").where({ user_id: userId }).delete();
    await trx("recovery_codes").insert(codeHashes.map((code_hash) => ({ user_id: userId, code_hash })));
  });
}

/** Marks an unused recovery code as used; true when there was one. */
export async function useRecoveryCode(db: Db, userId: number, codeHash: string): Promise<boolean> {
  const updated = await db("recovery_codes")
    .where({ user_id: userId, code_hash: codeHash })
    .whereNull("used_at")
    .update({ used_at: toDbTime(new Date()) });
  return updated > 0;
}

export async function countUnusedRecoveryCodes(db: Db, userId: number): Promise<number> {
  return countOf(await db("recovery_codes").where({ user_id: userId }).whereNull("used_at").count({ count: "*" }));
}

// --- single-use tokens (password reset, invitation) ------------------------------------------------------

export type AuthTokenPurpose = "password-reset" | "invitation";

export async function insertAuthToken(db: Db, values: { userId: number; purpose: AuthTokenPurpose; tokenHash: string; expiresAt: Date }): Promise<void> {
  await db("auth_tokens").insert({
    user_id: values.userId,
    purpose: values.purpose,
    token_hash: values.tokenHash,
    expires_at: toDbTime(values.expiresAt),
    created_at: toDbTime(new Date()),
  });
}

export type AuthTokenRow = { id: number; userId: number; purpose: AuthTokenPurpose; expiresAt: Date; usedAt: Date | null };

export async function findAuthToken(db: Db, tokenHash: string): Promise<AuthTokenRow | undefined> {
  const row = await db("auth_tokens").select("id", "user_id", "purpose", "expires_at", "used_at").where({ token_hash: tokenHash }).first();
  if (!row) return undefined;
  return { id: row.id, userId: row.user_id, purpose: row.purpose, expiresAt: fromDbTime(row.expires_at)!, usedAt: fromDbTime(row.used_at) };
}

/** Uses a token once: false when it was already used (also by a request racing this one). */
export async function consumeAuthToken(db: Db, id: number): Promise<boolean> {
  return (await db("auth_tokens").where({ id }).whereNull("used_at").update({ used_at: toDbTime(new Date()) })) === 1;
}

export async function invalidateAuthTokens(db: Db, userId: number): Promise<void> {
  await db("auth_tokens").where({ user_id: userId }).whereNull("used_at").update({ used_at: toDbTime(new Date()) });
}

/** Links that expired or were used before `before`: nothing can be done with them any more. */
export async function deleteStaleAuthTokens(db: Db, before: Date): Promise<number> {
  const cutoff = toDbTime(before);
  return db("auth_tokens").where("expires_at", "<", cutoff).orWhere("used_at", "<", cutoff).delete();
}
