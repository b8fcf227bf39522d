// /staff/m/:code/api-keys: keys for the municipality's case system.
import type { Request, Response, Router } from "express";
import { auditContext } from "../audit/audit.service.ts";
import { requireRole } from "../auth/auth.middleware.ts";
import type { Db } from "../db.ts";
import { badRequest, HttpError } from "../errors.ts";
import { param } from "../middleware/params.ts";
import { fieldErrors } from "../platform/platform.routes.ts";
import { listApiKeys } from "./apikeys.queries.ts";
import { createApiKey, revokeKey } from "./apikeys.service.ts";

export function registerApiKeyRoutes(router: Router, { db }: { db: Db }): void {
  const admin = requireRole("admin");

  const render = async (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    res.render("staff/municipality/api-keys", {
      title: `API-sleutels – ${req.tenant!.name}`,
      keys: await listApiKeys(db, req.tenant!.municipalityId),
      newKey: undefined,
      errors: {},
      ...extra,
    });

  router.get("/m/:code/api-keys", admin, async (req, res) => {
    await render(req, res, { notice: req.query.melding === "ingetrokken" ? "De sleutel is ingetrokken. Hij werkt niet meer." : undefined });
  });

  router.post("/m/:code/api-keys", admin, async (req, res) => {
    try {
      const { key } = await createApiKey(db, req.tenant!.municipalityId, (req.body as { name?: unknown })?.name, auditContext(req));
      // Shown on this response only; it is not stored and cannot be shown again.
      await render(req, res, { newKey: key });
    } catch (err) {
      res.status(err instanceof HttpError ? err.status : 400);
      await render(req, res, { errors: fieldErrors(err) });
    }
  });

  router.post("/m/:code/api-keys/:keyId/revoke", admin, async (req, res) => {
    const id = Number(param(req, "keyId"));
    if (!Number.isSafeInteger(id) || id <= 0) throw badRequest("Onbekende sleutel.");
    await revokeKey(db, req.tenant!.municipalityId, id, auditContext(req));
    res.redirect(303, `/staff/m/${req.tenant!.code}/api-keys?melding=ingetrokken`);
  });
}
