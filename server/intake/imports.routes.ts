// /staff/m/:code/imports: administrators import intake conversations from a CSV file. Upload, check the
// preview, then "Importeren" runs the import in the background while a progress page follows it.
//
// CSRF: the app checks the token before any body parser for multipart has run, so the upload form cannot
// carry it in a form field. public/js/import-upload.js sends it in the x-csrf-token header instead (another
// site cannot set that header, and the token is an HMAC of a cookie it cannot read). Without JavaScript the
// upload is refused by the CSRF check; the page says so and names the command-line alternative. A token in
// the query string was not chosen: URLs end up in logs and browser history.
import { randomBytes } from "node:crypto";
import { pipeline } from "node:stream/promises";
import type { Request, Response, Router } from "express";
import multer from "multer";
import { auditContext, recordAudit } from "../audit/audit.service.ts";
import { requireRole } from "../auth/auth.middleware.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { notFound } from "../errors.ts";
import { param } from "../middleware/params.ts";
import { rejectedRowsCsv } from "./csv-import.ts";
import type { CsvPreview } from "./csv-preview.ts";
import { findImport, listImports, listRejections, updateImport, type ImportRow } from "./imports.queries.ts";
import {
  cancelUpload,
  failStalledImports,
  presentStatus,
  previewFile,
  registerUpload,
  removeFile,
  startImport,
  sweepStaleUploads,
  UPLOAD_LIMIT_BYTES,
  uploadDir,
} from "./imports.service.ts";
import { fingerprintKey } from "./intake.service.ts";

const TOO_LARGE =
  "Het bestand is groter dan 25 MB. Splits het in kleinere bestanden, of laat een beheerder het importeren met de opdrachtregel: luisterpost import conversations BESTAND --municipality CODE.";
const SEPARATOR_LABELS: Record<string, string> = { ";": "puntkomma (;)", ",": "komma (,)", "\t": "tab" };
const STATUS_LABELS: Record<ImportRow["status"], string> = { pending: "Wacht op bevestiging", running: "Bezig", done: "Klaar", failed: "Mislukt" };
const REJECTIONS_SHOWN = 100;

export function registerImportRoutes(router: Router, { db, config }: { db: Db; config: Config }): void {
  const admin = requireRole("admin");
  const key = fingerprintKey(config.sessionSecret);
  const upload = multer({
    storage: multer.diskStorage({
      destination: (_req, _file, done) => done(null, uploadDir()),
      filename: (_req, _file, done) => done(null, `${randomBytes(16).toString("hex")}.csv`),
    }),
    limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 5, parts: 6 },
    defParamCharset: "utf8",
  }).single("bestand");

  const base = (req: Request) => `/staff/m/${req.tenant!.code}/imports`;

  async function loadImport(req: Request): Promise<ImportRow> {
    const id = Number(param(req, "id"));
    if (!Number.isSafeInteger(id) || id <= 0) throw notFound();
    await failStalledImports(db, req.tenant!.municipalityId);
    const row = await findImport(db, req.tenant!.municipalityId, id);
    if (!row) throw notFound();
    return row;
  }

  async function renderList(req: Request, res: Response, status: number, extra: { error?: string; notice?: string } = {}) {
    res.status(status).render("staff/municipality/imports", {
      title: `Gesprekken importeren – ${req.tenant!.name}`,
      imports: await listImports(db, req.tenant!.municipalityId, 20),
      statusLabels: STATUS_LABELS,
      error: extra.error,
      notice: extra.notice,
    });
  }

  function renderPreview(req: Request, res: Response, status: number, values: { preview: CsvPreview; filename: string; row: ImportRow | null }) {
    res.status(status).render("staff/municipality/imports-preview", {
      title: `Voorbeeld van ${values.filename} – ${req.tenant!.name}`,
      ...values,
      separatorLabel: SEPARATOR_LABELS[values.preview.separator] ?? values.preview.separator,
      base: base(req),
    });
  }

  router.get("/m/:code/imports", admin, async (req, res) => {
    await sweepStaleUploads(db, req.tenant!.municipalityId);
    await failStalledImports(db, req.tenant!.municipalityId);
    await renderList(req, res, 200, { notice: req.query.melding === "geannuleerd" ? "Het bestand is verwijderd; er is niets geïmporteerd." : undefined });
  });

  router.post("/m/:code/imports", admin, async (req, res) => {
    try {
      await new Promise<void>((resolve, reject) => upload(req, res, (err: unknown) => (err ? reject(err) : resolve())));
    } catch (err) {
      // Multer has removed what it wrote. Every upload failure is the request's: too large, more than one
      // file, a broken or aborted multipart body.
      const tooLarge = err instanceof multer.MulterError && err.code === "LIMIT_FILE_SIZE";
      return renderList(req, res, tooLarge ? 413 : 400, { error: tooLarge ? TOO_LARGE : "Het uploaden is niet gelukt. Kies één CSV-bestand en probeer het opnieuw." });
    }
    const file = req.file;
    if (!file) return renderList(req, res, 400, { error: "Kies een CSV-bestand om te importeren." });
    let kept = false;
    try {
      const outcome = await previewFile(file.path);
      if (outcome.kind === "unusable") return await renderList(req, res, 400, { error: outcome.message });
      if (outcome.preview.problem) return renderPreview(req, res, 400, { preview: outcome.preview, filename: file.originalname, row: null });
      await sweepStaleUploads(db, req.tenant!.municipalityId);
      const id = await registerUpload(db, { municipalityId: req.tenant!.municipalityId, filename: file.originalname, file: file.path, sizeBytes: file.size, userId: req.staff!.user.id });
      kept = true;
      const location = `${base(req)}/${id}`;
      // The upload script follows this itself, so the preview (and its audit event) is rendered once.
      if (req.get("x-upload") === "1") return res.status(201).location(location).json({ location });
      res.redirect(303, location);
    } finally {
      if (!kept) await removeFile(file.path);
    }
  });

  router.get("/m/:code/imports/:id", admin, async (req, res) => {
    let row = await loadImport(req);
    if (row.status === "pending") {
      const outcome = row.uploadFile ? await previewFile(row.uploadFile).catch(() => undefined) : undefined;
      if (outcome?.kind === "preview") {
        const shown = outcome.preview.rows.length;
        if (shown > 0) {
          // The first rows hold e-mail addresses, phone numbers and addresses.
          await recordAudit(db, {
            action: "contact.viewed",
            municipalityId: req.tenant!.municipalityId,
            subjectType: "import",
            subjectId: row.id,
            details: { via: "import-preview", rows: shown },
            ...auditContext(req),
          });
        }
        return renderPreview(req, res, 200, { preview: outcome.preview, filename: row.filename, row });
      }
      await removeFile(row.uploadFile);
      const error = outcome?.kind === "unusable" ? outcome.message : "Het geüploade bestand is niet meer beschikbaar. Kies het bestand opnieuw.";
      await updateImport(db, row.id, { status: "failed", finishedAt: new Date(), uploadFile: null, error });
      row = await loadImport(req);
    }
    const finished = row.status === "done" || row.status === "failed";
    res.render("staff/municipality/imports-show", {
      title: `Import van ${row.filename} – ${req.tenant!.name}`,
      row,
      status: presentStatus(row),
      statusLabel: STATUS_LABELS[row.status],
      rejections: finished && row.rejected > 0 ? await listRejections(db, row.id, REJECTIONS_SHOWN) : [],
      base: base(req),
    });
  });

  router.post("/m/:code/imports/:id/start", admin, async (req, res) => {
    const row = await loadImport(req);
    if (row.status === "pending") {
      const log = req.log;
      await startImport(db, key, row, (err) => log.error({ err, importId: row.id }, "csv import failed"));
    }
    res.redirect(303, `${base(req)}/${row.id}`);
  });

  router.post("/m/:code/imports/:id/cancel", admin, async (req, res) => {
    const row = await loadImport(req);
    if (row.status !== "pending") return res.redirect(303, `${base(req)}/${row.id}`);
    await cancelUpload(db, row);
    res.redirect(303, `${base(req)}?melding=geannuleerd`);
  });

  router.get("/m/:code/imports/:id/status", admin, async (req, res) => {
    res.json(presentStatus(await loadImport(req)));
  });

  router.get("/m/:code/imports/:id/rejected.csv", admin, async (req, res) => {
    const row = await loadImport(req);
    if (row.status !== "done" && row.status !== "failed") throw notFound("Deze import is nog niet klaar.");
    await recordAudit(db, {
      action: "export.downloaded",
      municipalityId: req.tenant!.municipalityId,
      subjectType: "import",
      subjectId: row.id,
      details: { export: "rejected-rows", rows: row.rejected },
      ...auditContext(req),
    });
    res.type("text/csv; charset=utf-8").attachment(`${row.filename.replace(/\.csv$/i, "")}.afgekeurd.csv`);
    await pipeline(rejectedRowsCsv(db, row.id), res);
  });
}
