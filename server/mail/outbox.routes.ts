// /staff/outbox: outside production, without SMTP_URL or Twilio, messages land here instead of being sent.
// Only platform administrators read it: it holds contact data.
import type { Router } from "express";
import { requirePlatformAdmin } from "../auth/auth.middleware.ts";
import type { Db } from "../db.ts";
import { notFound } from "../errors.ts";
import { param } from "../middleware/params.ts";
import { findOutboxMessage, listOutboxMessages } from "./mail.queries.ts";

export function registerOutboxRoutes(router: Router, { db }: { db: Db }): void {
  router.get("/outbox", requirePlatformAdmin, async (_req, res) => {
    res.render("staff/outbox/index", { title: "Outbox", messages: await listOutboxMessages(db, { municipalityId: "all", limit: 200 }) });
  });

  router.get("/outbox/:id", requirePlatformAdmin, async (req, res) => {
    const id = Number(param(req, "id"));
    const message = Number.isSafeInteger(id) && id > 0 ? await findOutboxMessage(db, id) : undefined;
    if (!message) throw notFound();
    res.render("staff/outbox/message", { title: message.subject ?? "Bericht", message });
  });
}
