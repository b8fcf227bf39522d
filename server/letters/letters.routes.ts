// /staff/m/:code/letters: the print batches of paper letters. Administrators and data-entry staff (who also
// handle the returned paper forms) download a batch (it holds addresses: audited) and mark it posted.
import type { Router } from "express";
import { auditContext, recordAudit } from "../audit/audit.service.ts";
import { requireRole } from "../auth/auth.middleware.ts";
import type { Db } from "../db.ts";
import { notFound } from "../errors.ts";
import { param } from "../middleware/params.ts";
import { findLetterBatch, listLetterBatches, readLetterPdf } from "./letters.queries.ts";
import { markLettersPosted, PDF_RETENTION_DAYS } from "./letters.service.ts";

const LETTER_ROLES = ["admin", "data-entry"] as const;

function batchIdOf(raw: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
  return id;
}

export function registerLetterRoutes(router: Router, { db }: { db: Db }): void {
  router.get("/m/:code/letters", requireRole(...LETTER_ROLES), async (req, res) => {
    res.render("staff/letters/index", {
      title: `Brieven – ${req.tenant!.name}`,
      batches: await listLetterBatches(db, req.tenant!.municipalityId),
      retentionDays: PDF_RETENTION_DAYS,
      notice: req.query.melding === "verstuurd" ? "Gemarkeerd als verstuurd. De herinneringen tellen vanaf vandaag." : undefined,
    });
  });

  router.get("/m/:code/letters/:batchId/pdf", requireRole(...LETTER_ROLES), async (req, res) => {
    const id = batchIdOf(param(req, "batchId"));
    const batch = await findLetterBatch(db, req.tenant!.municipalityId, id);
    const pdf = batch ? await readLetterPdf(db, req.tenant!.municipalityId, id) : undefined;
    if (!batch || !pdf) throw notFound("Dit bestand bestaat niet (meer). Printbestanden worden na het versturen verwijderd.");
    await recordAudit(db, { action: "letters.downloaded", municipalityId: req.tenant!.municipalityId, subjectType: "letter_batch", subjectId: id, details: { letters: batch.letters }, ...auditContext(req) });
    res
      .set("Content-Type", "application/pdf")
      .set("Content-Disposition", `attachment; filename="brieven-${req.tenant!.code}-${batch.createdAt.toISOString().slice(0, 10)}-${id}.pdf"`)
      .send(pdf);
  });

  router.post("/m/:code/letters/:batchId/posted", requireRole(...LETTER_ROLES), async (req, res) => {
    const id = batchIdOf(param(req, "batchId"));
    const batch = await findLetterBatch(db, req.tenant!.municipalityId, id);
    if (!batch) throw notFound();
    if (await markLettersPosted(db, req.tenant!.municipalityId, id, req.staff!.user.id)) {
      await recordAudit(db, { action: "letters.posted", municipalityId: req.tenant!.municipalityId, subjectType: "letter_batch", subjectId: id, details: { letters: batch.letters }, ...auditContext(req) });
    }
    res.redirect(303, `/staff/m/${req.tenant!.code}/letters?melding=verstuurd`);
  });
}
