// What providers tell us about messages: Twilio's delivery status callbacks and incoming SMS (a STOP reply
// opts the client out), both checked with Twilio's signature against our public URL; and a mail provider's
// bounce webhook, authenticated with MAIL_WEBHOOK_TOKEN.
import { timingSafeEqual } from "node:crypto";
import express, { Router, type Request } from "express";
import { z } from "zod";
import type { Config } from "../config.ts";
import type { Db } from "../db.ts";
import { badRequest, forbidden, HttpError, notFound, unauthorized } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { refuseNulBytes } from "../middleware/nul-bytes.ts";
import { normalizeMobile } from "../intake/intake.normalize.ts";
import { validTwilioSignature } from "../sms/sms.service.ts";
import { findDeliveryByProviderId, markDelivered } from "./deliveries.queries.ts";
import { failAndFallBack } from "./fallback.service.ts";
import { isStopWord, optOutByMobile } from "./optout.service.ts";

/** The public URL Twilio called: BASE_URL, not what a proxy in front of us made of it. */
function publicUrl(config: Config, req: Request): string {
  return `${config.baseUrl}${req.originalUrl}`;
}

function requireTwilioSignature(config: Config, req: Request): void {
  const params = (typeof req.body === "object" && req.body !== null ? req.body : {}) as Record<string, unknown>;
  if (!validTwilioSignature(config, req.get("x-twilio-signature"), publicUrl(config, req), params)) {
    throw forbidden("De handtekening van dit verzoek klopt niet.");
  }
}

const FAILED_STATUSES = new Set(["failed", "undelivered"]);

const bounceSchema = z.strictObject({
  messageId: z.string().trim().min(3).max(200),
  type: z.enum(["permanent", "transient"]).default("permanent"),
  reason: z.string().trim().max(200).optional(),
});

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(header ?? "")?.[1] ?? "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function webhookRoutes({ db, config, logger }: { db: Db; config: Config; logger: Logger }): Router {
  const router = Router();

  router.post("/hooks/twilio/status", async (req, res) => {
    requireTwilioSignature(config, req);
    const sid = String(req.body?.MessageSid ?? "");
    const status = String(req.body?.MessageStatus ?? "");
    const delivery = sid ? await findDeliveryByProviderId(db, sid) : undefined;
    if (delivery) {
      if (status === "delivered") await markDelivered(db, delivery.id, new Date());
      else if (FAILED_STATUSES.has(status)) {
        const code = String(req.body?.ErrorCode ?? "").replace(/\D/g, "").slice(0, 10);
        await failAndFallBack(db, delivery, { status: "failed", error: `De sms is niet aangekomen (Twilio ${status}${code ? `, code ${code}` : ""}).`, code: code || status });
      }
    }
    // Twilio only needs to hear that we took it; an unknown SID (an SMS of another system on the account) is fine too.
    res.status(204).end();
  });

  router.post("/hooks/twilio/incoming", async (req, res) => {
    requireTwilioSignature(config, req);
    const from = normalizeMobile(String(req.body?.From ?? ""));
    const body = String(req.body?.Body ?? "");
    let reply = "";
    if (from.ok && isStopWord(body)) {
      const clients = await optOutByMobile(db, from.value);
      logger.info({ hook: "twilio-incoming", stop: true, clients }, "sms STOP received");
      reply = "<Message>U krijgt geen berichten meer over het onderzoek van de gemeente.</Message>";
    }
    res.type("text/xml").send(`<?xml version="1.0" encoding="UTF-8"?><Response>${reply}</Response>`);
  });

  router.post("/hooks/mail/bounce", express.json({ limit: "64kb", type: ["application/json", "application/*+json"] }), refuseNulBytes, async (req, res) => {
    if (!config.mailWebhookToken) throw notFound();
    if (!bearerMatches(req.get("authorization"), config.mailWebhookToken)) throw unauthorized("Stuur MAIL_WEBHOOK_TOKEN als 'Authorization: Bearer <token>'.");
    const parsed = bounceSchema.safeParse(req.body);
    if (!parsed.success) {
      throw badRequest(
        "De melding klopt niet.",
        parsed.error.issues.map((i) => ({ field: i.path.join(".") || "body", message: i.code === "unrecognized_keys" ? `onbekend veld: ${i.keys.join(", ")}` : i.message })),
      );
    }
    const messageId = parsed.data.messageId.startsWith("<") ? parsed.data.messageId : `<${parsed.data.messageId}>`;
    const delivery = await findDeliveryByProviderId(db, messageId);
    if (!delivery) throw new HttpError(404, "unknown_message", "Er is geen bericht met dit Message-ID.", [{ field: "messageId", message: "onbekend Message-ID" }]);
    if (parsed.data.type === "transient") {
      // A soft bounce (a full mailbox): the provider retries it; nothing changes here.
      res.json({ messageId, outcome: "ignored" });
      return;
    }
    const outcome = await failAndFallBack(db, delivery, { status: "bounced", error: "Het e-mailadres bestaat niet of weigert post (bounce).", code: "bounce" });
    res.json({ messageId, outcome });
  });

  return router;
}
