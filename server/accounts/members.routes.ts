// /staff/m/:code/users: a municipality's administrator manages who works for that municipality.
import type { Request, Response, Router } from "express";
import { z } from "zod";
import { auditContext } from "../audit/audit.service.ts";
import { requireRole } from "../auth/auth.middleware.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { badRequest, HttpError } from "../errors.ts";
import type { Mailer } from "../mail/mail.service.ts";
import { param } from "../middleware/params.ts";
import { fieldErrors } from "../platform/platform.routes.ts";
import { listMembersOfMunicipality } from "./accounts.queries.ts";
import { roleSchema } from "./accounts.schema.ts";
import { addUser, changeRole, removeFromMunicipality } from "./users.service.ts";

const text = (max: number) => z.string().max(max).catch("");
const inviteForm = z.object({ email: text(320), name: text(200), role: text(20) });

const NOTICES: Record<string, string> = {
  uitgenodigd: "De gebruiker heeft een rol gekregen. Nieuwe gebruikers krijgen een e-mail om een wachtwoord te kiezen.",
  gewijzigd: "De rol is gewijzigd.",
  verwijderd: "De toegang is ingetrokken.",
};

function userId(req: Request): number {
  const id = Number(param(req, "userId"));
  if (!Number.isSafeInteger(id) || id <= 0) throw badRequest("Onbekende gebruiker.");
  return id;
}

export function registerMemberRoutes(router: Router, { db, config, mailer }: { db: Db; config: Config; mailer: Mailer }): void {
  const admin = requireRole("admin");
  const base = (req: Request) => `/staff/m/${req.tenant!.code}/users`;

  const render = async (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    res.render("staff/municipality/users", {
      title: `Gebruikers – ${req.tenant!.name}`,
      members: await listMembersOfMunicipality(db, req.tenant!.municipalityId),
      values: { role: "reader" },
      errors: {},
      ...extra,
    });

  router.get("/m/:code/users", admin, async (req, res) => {
    await render(req, res, { notice: NOTICES[String(req.query.melding ?? "")] });
  });

  router.post("/m/:code/users", admin, async (req, res) => {
    const values = inviteForm.parse(req.body ?? {});
    try {
      const role = roleSchema.safeParse(values.role);
      if (!role.success) throw badRequest("Kies een rol.", [{ field: "role", message: "Kies een rol." }]);
      const tenant = req.tenant!;
      await addUser(
        db,
        config,
        mailer,
        { email: values.email, name: values.name, membership: { municipalityId: tenant.municipalityId, municipalityName: tenant.name, role: role.data } },
        { ...auditContext(req), name: req.staff!.user.name },
      );
    } catch (err) {
      res.status(err instanceof HttpError ? err.status : 400);
      return render(req, res, { values, errors: fieldErrors(err) });
    }
    res.redirect(303, `${base(req)}?melding=uitgenodigd`);
  });

  router.post("/m/:code/users/:userId/role", admin, async (req, res) => {
    await changeRole(db, req.tenant!.municipalityId, userId(req), (req.body as { role?: unknown })?.role, auditContext(req));
    res.redirect(303, `${base(req)}?melding=gewijzigd`);
  });

  router.post("/m/:code/users/:userId/remove", admin, async (req, res) => {
    await removeFromMunicipality(db, req.tenant!.municipalityId, userId(req), auditContext(req));
    res.redirect(303, `${base(req)}?melding=verwijderd`);
  });
}
