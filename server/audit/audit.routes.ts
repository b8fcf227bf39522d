// /staff/m/:code/audit: a municipality's administrators read (never edit) their own audit trail.
import { startOfAmsterdamDay } from "../time.ts";
import type { Router } from "express";
import { z } from "zod";
import { listMembersOfMunicipality } from "../accounts/accounts.queries.ts";
import { requireRole } from "../auth/auth.middleware.ts";
import type { Db } from "../db.ts";
import { AUDIT_ACTIONS, readAuditTrail } from "./audit.service.ts";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const filterSchema = z.object({
  actie: z.enum(Object.keys(AUDIT_ACTIONS) as [string, ...string[]]).optional().catch(undefined),
  gebruiker: z.coerce.number().int().positive().optional().catch(undefined),
  van: z.string().regex(DAY).optional().catch(undefined),
  tot: z.string().regex(DAY).optional().catch(undefined),
  pagina: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
});


export function registerAuditRoutes(router: Router, { db }: { db: Db }): void {
  router.get("/m/:code/audit", requireRole("admin"), async (req, res) => {
    const filter = filterSchema.parse(req.query);
    const until = filter.tot ? new Date(startOfAmsterdamDay(filter.tot).getTime() + 24 * 3600_000) : undefined;
    const members = await listMembersOfMunicipality(db, req.tenant!.municipalityId);
    const page = await readAuditTrail(
      db,
      {
        municipalityId: req.tenant!.municipalityId,
        memberUserIds: members.map((m) => m.userId),
        action: filter.actie,
        actorUserId: filter.gebruiker,
        from: filter.van ? startOfAmsterdamDay(filter.van) : undefined,
        until,
      },
      filter.pagina,
    );
    const query = new URLSearchParams(
      Object.entries({ actie: filter.actie, gebruiker: filter.gebruiker, van: filter.van, tot: filter.tot }).flatMap(([k, v]): Array<[string, string]> =>
        v === undefined ? [] : [[k, String(v)]],
      ),
    );
    res.render("staff/municipality/audit", {
      title: `Logboek – ${req.tenant!.name}`,
      page,
      filter,
      query: query.toString(),
      actions: AUDIT_ACTIONS,
      members,
    });
  });
}
