// API keys let a municipality's case system call the API. A key is shown once; only its hash is kept.
import type { RequestHandler } from "express";
import { generateToken, hashToken } from "../accounts/passwords.ts";
import type { Actor } from "../accounts/users.service.ts";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db.ts";
import { badRequest, HttpError, notFound } from "../errors.ts";
import { findActiveApiKeyByHash, insertApiKey, markApiKeyUsed, revokeApiKey, type ApiKeyRow } from "./apikeys.queries.ts";

const KEY_PREFIX = "lp_";
const KEY_FORMAT = /^lp_[A-Za-z0-9_-]{43}$/;
// last_used_at is for people, not for billing: writing it once a minute per key is precise enough.
const MARK_USED_AFTER_MS = 60_000;

export async function createApiKey(db: Db, municipalityId: number, rawName: unknown, actor: Actor): Promise<{ key: string; row: ApiKeyRow }> {
  const name = typeof rawName === "string" ? rawName.trim() : "";
  if (!name || name.length > 100) {
    const message = "Geef de sleutel een naam van hoogstens 100 tekens, bijvoorbeeld de naam van het zaaksysteem.";
    throw badRequest(message, [{ field: "name", message }]);
  }
  const key = `${KEY_PREFIX}${generateToken(32)}`;
  const row = await insertApiKey(db, { municipalityId, name, prefix: key.slice(0, 10), keyHash: hashToken(key), createdByUserId: actor.actorUserId ?? null });
  await recordAudit(db, { action: "apikey.created", municipalityId, subjectType: "api-key", subjectId: row.id, details: { name, prefix: row.prefix }, ...actor });
  return { key, row };
}

export async function revokeKey(db: Db, municipalityId: number, id: number, actor: Actor): Promise<void> {
  if (!(await revokeApiKey(db, municipalityId, id))) throw notFound("Deze sleutel bestaat niet of is al ingetrokken.");
  await recordAudit(db, { action: "apikey.revoked", municipalityId, subjectType: "api-key", subjectId: id, ...actor });
}

export type ApiClient = { municipalityId: number; keyId: number };

export async function authenticateApiKey(db: Db, key: string, now = new Date()): Promise<ApiClient | undefined> {
  if (!KEY_FORMAT.test(key)) return undefined;
  const row = await findActiveApiKeyByHash(db, hashToken(key));
  if (!row) return undefined;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > MARK_USED_AFTER_MS) await markApiKeyUsed(db, row.id, now);
  return { municipalityId: row.municipalityId, keyId: row.id };
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      apiClient?: ApiClient;
    }
  }
}

/** For /api/v1 routes: `Authorization: Bearer <key>`; 401 problem otherwise. */
export function requireApiKey(db: Db): RequestHandler {
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get("authorization") ?? "");
    const client = match ? await authenticateApiKey(db, match[1]!) : undefined;
    if (!client) {
      res.set("WWW-Authenticate", 'Bearer realm="luisterpost"');
      next(new HttpError(401, "unauthorized", "Geen geldige API-sleutel. Stuur de sleutel mee als 'Authorization: Bearer <sleutel>'."));
      return;
    }
    req.apiClient = client;
    next();
  };
}
