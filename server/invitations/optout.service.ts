// Stopping: an unsubscribe link (confirmation page, or RFC 8058 one-click POST), an SMS "STOP" reply, or an
// administrator. An opt-out covers every channel: open invitations close and nothing more is sent.
import { createHmac, timingSafeEqual } from "node:crypto";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db.ts";
import { findClientIdsByMobile, markClientOptedOut } from "./optout.queries.ts";

export type OptOutVia = "email-link" | "one-click" | "sms-stop" | "staff";

function mac(secret: string, clientId: number): string {
  return createHmac("sha256", secret).update(`unsubscribe:${clientId}`).digest("base64url").slice(0, 22);
}

/** The key in an unsubscribe link: the client id and a signature. It never expires, as an unsubscribe link should not. */
export function unsubscribeKey(secret: string, clientId: number): string {
  return `${clientId}.${mac(secret, clientId)}`;
}

export function clientOfUnsubscribeKey(secret: string, key: string): number | undefined {
  const match = /^(\d{1,10})\.([A-Za-z0-9_-]{22})$/.exec(key);
  if (!match) return undefined;
  const clientId = Number(match[1]);
  const expected = Buffer.from(mac(secret, clientId));
  const given = Buffer.from(match[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given) ? clientId : undefined;
}

export async function optOutClient(db: Db, clientId: number, via: OptOutVia, context: { actorUserId?: number | null; actor?: string | null; ip?: string | null; requestId?: string | null } = {}, now = new Date()): Promise<boolean> {
  const result = await markClientOptedOut(db, clientId, now);
  if (!result) return false;
  if (result.changed) {
    await recordAudit(db, {
      action: "client.opted_out",
      municipalityId: result.municipalityId,
      subjectType: "client",
      subjectId: clientId,
      details: { via },
      actorUserId: context.actorUserId ?? null,
      actor: context.actor ?? (via === "staff" ? null : "cliënt"),
      ip: context.ip ?? null,
      requestId: context.requestId ?? null,
    });
  }
  return true;
}

/** "STOP" by SMS: every client reached on that number stops getting messages. */
export async function optOutByMobile(db: Db, mobile: string, now = new Date()): Promise<number> {
  const clients = await findClientIdsByMobile(db, mobile);
  for (const clientId of clients) await optOutClient(db, clientId, "sms-stop", {}, now);
  return clients.length;
}

/** Words that mean "stop" in an SMS reply (Twilio's own list, and the Dutch ones). */
export function isStopWord(body: string): boolean {
  return /^\s*(stop|stopall|stoppen|unsubscribe|cancel|end|quit|afmelden|uit)\s*[.!]?\s*$/i.test(body);
}
