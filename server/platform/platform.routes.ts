// /staff/platform: municipalities and users, for platform administrators.
import type { Response, Router } from "express";
import { z } from "zod";
import { listUsers } from "../accounts/accounts.queries.ts";
import { roleSchema } from "../accounts/accounts.schema.ts";
import { addUser, resetUserTotp, setUserActive } from "../accounts/users.service.ts";
import { auditContext } from "../audit/audit.service.ts";
import { requirePlatformAdmin } from "../auth/auth.middleware.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { badRequest, HttpError } from "../errors.ts";
import type { Mailer } from "../mail/mail.service.ts";
import { param } from "../middleware/params.ts";
import { findMunicipalityByCode, listMunicipalities } from "../municipalities/municipalities.queries.ts";
import { createMunicipality } from "../municipalities/municipalities.service.ts";

const text = (max: number) => z.string().max(max).catch("");
const userForm = z.object({ email: text(320), name: text(200), municipality: text(10), role: text(20), platformAdmin: z.string().optional() });

/** Turns a validation error into the form's field errors; anything else is thrown on. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (err instanceof HttpError && err.status < 500 && err.fields.length > 0) {
    return Object.fromEntries(err.fields.map((f) => [f.field, f.message]));
  }
  if (err instanceof HttpError && err.status < 500) return { form: err.message };
  throw err;
}

function userId(req: Parameters<typeof param>[0]): number {
  const id = Number(param(req, "userId"));
  if (!Number.isSafeInteger(id) || id <= 0) throw badRequest("Onbekende gebruiker.");
  return id;
}

export function registerPlatformRoutes(router: Router, { db, config, mailer }: { db: Db; config: Config; mailer: Mailer }): void {
  router.get("/platform/municipalities", requirePlatformAdmin, async (req, res) => {
    res.render("staff/platform/municipalities", {
      title: "Gemeenten",
      municipalities: await listMunicipalities(db),
      values: {},
      errors: {},
      notice: req.query.melding === "toegevoegd" ? "De gemeente is toegevoegd." : undefined,
    });
  });

  router.post("/platform/municipalities", requirePlatformAdmin, async (req, res) => {
    const values = z.object({ code: text(20), name: text(200) }).parse(req.body ?? {});
    try {
      await createMunicipality(db, values, auditContext(req));
    } catch (err) {
      const errors = fieldErrors(err);
      return res.status(err instanceof HttpError ? err.status : 400).render("staff/platform/municipalities", {
        title: "Gemeenten",
        municipalities: await listMunicipalities(db),
        values,
        errors,
      });
    }
    res.redirect(303, "/staff/platform/municipalities?melding=toegevoegd");
  });

  const renderUsers = async (res: Response, extra: Record<string, unknown>) =>
    res.render("staff/platform/users", {
      title: "Alle gebruikers",
      users: await listUsers(db),
      municipalities: await listMunicipalities(db),
      values: {},
      errors: {},
      ...extra,
    });

  router.get("/platform/users", requirePlatformAdmin, async (req, res) => {
    const notices: Record<string, string> = {
      uitgenodigd: "De gebruiker is toegevoegd en krijgt een e-mail om een wachtwoord te kiezen.",
      gewijzigd: "De gebruiker is gewijzigd.",
    };
    await renderUsers(res, { notice: notices[String(req.query.melding ?? "")] });
  });

  router.post("/platform/users", requirePlatformAdmin, async (req, res) => {
    const values = userForm.parse(req.body ?? {});
    try {
      let membership;
      if (values.municipality) {
        const municipality = await findMunicipalityByCode(db, values.municipality);
        if (!municipality) throw badRequest("Kies een gemeente.", [{ field: "municipality", message: "Kies een gemeente uit de lijst." }]);
        const role = roleSchema.safeParse(values.role);
        if (!role.success) throw badRequest("Kies een rol.", [{ field: "role", message: "Kies een rol." }]);
        membership = { municipalityId: municipality.id, municipalityName: municipality.name, role: role.data };
      }
      if (!membership && !values.platformAdmin) {
        throw badRequest("Geef de gebruiker een rol.", [{ field: "municipality", message: "Kies een gemeente en een rol, of maak de gebruiker platformbeheerder." }]);
      }
      await addUser(db, config, mailer, { email: values.email, name: values.name, isPlatformAdmin: Boolean(values.platformAdmin), membership }, {
        ...auditContext(req),
        name: req.staff!.user.name,
      });
    } catch (err) {
      const errors = fieldErrors(err);
      res.status(err instanceof HttpError ? err.status : 400);
      return renderUsers(res, { values, errors });
    }
    res.redirect(303, "/staff/platform/users?melding=uitgenodigd");
  });

  router.post("/platform/users/:userId/deactivate", requirePlatformAdmin, async (req, res) => {
    await setUserActive(db, userId(req), false, auditContext(req));
    res.redirect(303, "/staff/platform/users?melding=gewijzigd");
  });

  router.post("/platform/users/:userId/activate", requirePlatformAdmin, async (req, res) => {
    await setUserActive(db, userId(req), true, auditContext(req));
    res.redirect(303, "/staff/platform/users?melding=gewijzigd");
  });

  router.post("/platform/users/:userId/reset-totp", requirePlatformAdmin, async (req, res) => {
    await resetUserTotp(db, userId(req), auditContext(req));
    res.redirect(303, "/staff/platform/users?melding=gewijzigd");
  });
}
