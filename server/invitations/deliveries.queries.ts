// The only place that runs knex against deliveries (every message: invitation or reminder, per channel).
// The dispatcher claims due rows, reads what it needs to send (the only reader of contact data besides the
// audited staff views), and records each outcome.
import { fromDbTime, skipLocked, toDbTime, type Db, type Knex } from "../db.ts";
import type { Channel } from "../intake/intake.normalize.ts";
import type { Reachability } from "./channels.ts";

type Executor = Db | Knex.Transaction;

export type DeliveryStatus = "pending" | "sending" | "sent" | "delivered" | "failed" | "bounced" | "cancelled" | "batched";

/** Claims up to `limit` due deliveries of one channel for this dispatcher; returns their ids. */
export async function claimDueDeliveries(db: Db, channel: Channel, now: Date, limit: number, leaseUntil: Date): Promise<number[]> {
  return db.transaction(async (trx) => {
    const due = trx("deliveries").select("id").where({ status: "pending", channel }).where("due_at", "<=", toDbTime(now)).orderBy("due_at").orderBy("id").limit(limit);
    const ids = (await skipLocked(db, due)).map((r: { id: number }) => r.id);
    if (ids.length === 0) return [];
    const claimed = await trx("deliveries")
      .whereIn("id", ids)
      .where("status", "pending")
      .update({ status: "sending", attempts: trx.raw("attempts + 1"), lease_until: toDbTime(leaseUntil), updated_at: toDbTime(now) })
      .returning(["id"]);
    return claimed.map((r) => r.id as number);
  });
}

export type ClaimedDelivery = {
  id: number;
  kind: "invite" | "reminder";
  sequence: number;
  channel: Channel;
  attempts: number;
  invitationId: number;
  municipalityId: number;
  invitationStatus: string;
  audience: string;
  clientId: number;
  expiresAt: Date;
  language: string;
  optedOut: boolean;
  email: string | null;
  mobile: string | null;
  municipalityName: string;
  municipalityCode: string;
  municipalityPhone: string | null;
};

export async function findClaimedDeliveries(db: Db, ids: number[]): Promise<ClaimedDelivery[]> {
  if (ids.length === 0) return [];
  const rows = await db("deliveries as d")
    .join("invitations as i", "i.id", "d.invitation_id")
    .join("clients as c", "c.id", "i.client_id")
    .leftJoin("client_contacts as k", "k.client_id", "i.client_id")
    .join("municipalities as m", "m.id", "d.municipality_id")
    .whereIn("d.id", ids)
    .where("d.status", "sending")
    .select(
      "d.id",
      "d.kind",
      "d.sequence",
      "d.channel",
      "d.attempts",
      "d.invitation_id",
      "d.municipality_id",
      "i.status as invitation_status",
      "i.audience",
      "i.client_id",
      "i.expires_at",
      "c.language",
      "c.opted_out_at",
      "k.email",
      "k.mobile",
      "m.name as municipality_name",
      "m.code as municipality_code",
      "m.phone as municipality_phone",
    );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    sequence: Number(r.sequence),
    channel: r.channel,
    attempts: Number(r.attempts),
    invitationId: r.invitation_id,
    municipalityId: r.municipality_id,
    invitationStatus: r.invitation_status,
    audience: r.audience,
    clientId: r.client_id,
    expiresAt: fromDbTime(r.expires_at)!,
    language: r.language,
    optedOut: fromDbTime(r.opted_out_at) !== null,
    email: r.email ?? null,
    mobile: r.mobile ?? null,
    municipalityName: r.municipality_name,
    municipalityCode: r.municipality_code,
    municipalityPhone: r.municipality_phone ?? null,
  }));
}

export type SentRecord = { deliveryId: number; invitationId: number; providerId: string; at: Date; expiresAt: Date; nextReminderAt: Date | null };

/**
 * Records many accepted messages in one transaction (a dispatcher's last few dozen). As markDeliverySent,
 * the first message of an invitation starts its clock.
 */
export async function markDeliveriesSent(db: Db, records: SentRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db.transaction(async (trx) => {
    for (const r of records) {
      await trx("deliveries")
        .where({ id: r.deliveryId })
        .whereIn("status", ["sending", "batched"])
        .update({ status: "sent", provider_id: r.providerId, sent_at: toDbTime(r.at), lease_until: null, error: null, error_code: null, updated_at: toDbTime(r.at) });
      await trx("invitations")
        .where({ id: r.invitationId, status: "planned" })
        .update({ status: "sent", sent_at: toDbTime(r.at), expires_at: toDbTime(r.expiresAt), next_reminder_at: r.nextReminderAt ? toDbTime(r.nextReminderAt) : null });
    }
  });
}

/** A transient failure: back to pending, due again after the backoff, with the reason kept for the staff list. */
export async function scheduleRetry(db: Executor, id: number, dueAt: Date, error: string, code: string, now: Date): Promise<void> {
  await db("deliveries")
    .where({ id, status: "sending" })
    .update({ status: "pending", due_at: toDbTime(dueAt), lease_until: null, error, error_code: code, updated_at: toDbTime(now) });
}

/** Rows a dispatcher that died left 'sending': back to 'pending', to be sent again (see releaseStaleDeliveries). */
export async function releaseChannelClaims(db: Executor, channel: Channel, now: Date): Promise<number> {
  return db("deliveries").where({ status: "sending", channel }).update({ status: "pending", lease_until: null, updated_at: toDbTime(now) });
}

/** The channel is down (SMTP or Twilio unreachable): the claimed rows go back untouched, their attempt not counted. */
export async function releaseClaims(db: Executor, ids: number[], dueAt: Date, now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db("deliveries")
    .whereIn("id", ids)
    .where("status", "sending")
    .update({ status: "pending", due_at: toDbTime(dueAt), attempts: db.raw("case when attempts > 0 then attempts - 1 else 0 end"), lease_until: null, updated_at: toDbTime(now) });
}

export async function markDeliveryFailed(db: Executor, id: number, status: "failed" | "bounced", error: string, code: string, now: Date): Promise<boolean> {
  const updated = await db("deliveries")
    .where({ id })
    .whereIn("status", status === "bounced" ? ["sent", "delivered", "sending"] : ["sending", "pending", "batched", "sent"])
    .update({ status, error, error_code: code, failed_at: toDbTime(now), lease_until: null, updated_at: toDbTime(now) });
  return updated > 0;
}

export async function markDeliveriesCancelled(db: Executor, ids: number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db("deliveries").whereIn("id", ids).whereIn("status", ["sending", "pending"]).update({ status: "cancelled", lease_until: null, updated_at: toDbTime(now) });
}

/** Provider status callbacks (Twilio): delivered, or failed after the provider accepted it. */
export async function findDeliveryByProviderId(db: Executor, providerId: string): Promise<{ id: number; invitationId: number; municipalityId: number; status: DeliveryStatus; channel: Channel; kind: string; sequence: number } | undefined> {
  const r = await db("deliveries").select("id", "invitation_id", "municipality_id", "status", "channel", "kind", "sequence").where({ provider_id: providerId }).first();
  return r ? { id: r.id, invitationId: r.invitation_id, municipalityId: r.municipality_id, status: r.status, channel: r.channel, kind: r.kind, sequence: Number(r.sequence) } : undefined;
}

export async function findDelivery(db: Executor, municipalityId: number, id: number) {
  const r = await db("deliveries").select("id", "invitation_id", "municipality_id", "status", "channel", "kind", "sequence").where({ id, municipality_id: municipalityId }).first();
  return r ? { id: r.id as number, invitationId: r.invitation_id as number, municipalityId: r.municipality_id as number, status: r.status as DeliveryStatus, channel: r.channel as Channel, kind: r.kind as string, sequence: Number(r.sequence) } : undefined;
}

export async function markDelivered(db: Executor, id: number, now: Date): Promise<void> {
  await db("deliveries").where({ id }).whereIn("status", ["sent", "sending"]).update({ status: "delivered", delivered_at: toDbTime(now), updated_at: toDbTime(now) });
}

/** The channels that already failed for this invitation (to pick the next one). */
export async function failedChannelsOf(db: Executor, invitationId: number): Promise<Channel[]> {
  const rows = await db("deliveries").distinct("channel").where({ invitation_id: invitationId }).whereIn("status", ["failed", "bounced"]);
  return rows.map((r) => r.channel as Channel);
}

export async function reachabilityOfClient(db: Executor, clientId: number): Promise<Reachability> {
  const k = await db("client_contacts").select("email", "mobile", "street", "house_number", "postal_code", "city").where({ client_id: clientId }).first();
  return { email: Boolean(k?.email), mobile: Boolean(k?.mobile), address: Boolean(k?.street && k?.house_number && k?.postal_code && k?.city) };
}

export type InvitationState = { id: number; municipalityId: number; clientId: number; status: string; channel: Channel; preferredChannel: Channel | null };

export async function findInvitationState(db: Executor, invitationId: number): Promise<InvitationState | undefined> {
  const r = await db("invitations as i")
    .join("conversations as v", "v.id", "i.conversation_id")
    .select("i.id", "i.municipality_id", "i.client_id", "i.status", "i.channel", "v.preferred_channel")
    .where("i.id", invitationId)
    .first();
  return r ? { id: r.id, municipalityId: r.municipality_id, clientId: r.client_id, status: r.status, channel: r.channel, preferredChannel: r.preferred_channel ?? null } : undefined;
}

/** The same step of the invitation on the next channel; the invitation now uses that channel. */
export async function insertFallbackDelivery(
  db: Db,
  values: { invitationId: number; municipalityId: number; kind: string; sequence: number; channel: Channel; dueAt: Date },
  now: Date,
): Promise<boolean> {
  return db.transaction(async (trx) => {
    const inserted = await trx("deliveries")
      .insert({
        municipality_id: values.municipalityId,
        invitation_id: values.invitationId,
        kind: values.kind,
        sequence: values.sequence,
        channel: values.channel,
        status: "pending",
        due_at: toDbTime(values.dueAt),
        created_at: toDbTime(now),
        updated_at: toDbTime(now),
      })
      .onConflict(["invitation_id", "sequence", "channel"])
      .ignore()
      .returning(["id"]);
    await trx("invitations").where({ id: values.invitationId }).whereIn("status", ["planned", "sent"]).update({ channel: values.channel });
    return inserted.length > 0;
  });
}

/** No channel left for an invitation that never reached the client: it is closed as failed. */
export async function failInvitation(db: Executor, invitationId: number, reason: string, now: Date): Promise<void> {
  await db("invitations").where({ id: invitationId, status: "planned" }).update({ status: "failed", status_reason: reason, closed_at: toDbTime(now), next_reminder_at: null });
}

/** Puts a claimed SMS back until the quiet-hours window opens. */
export async function postpone(db: Executor, id: number, dueAt: Date, now: Date): Promise<void> {
  await db("deliveries").where({ id, status: "sending" }).update({ status: "pending", due_at: toDbTime(dueAt), attempts: db.raw("case when attempts > 0 then attempts - 1 else 0 end"), lease_until: null, updated_at: toDbTime(now) });
}

export async function countDueDeliveries(db: Executor, channel: Channel, now: Date): Promise<number> {
  const [row] = await db("deliveries").where({ status: "pending", channel }).where("due_at", "<=", toDbTime(now)).count({ count: "*" });
  return Number(row?.count ?? 0);
}

/** When the next delivery of this channel falls due (to wake the dispatcher then), if any is waiting. */
export async function nextDueAt(db: Executor, channel: Channel): Promise<Date | undefined> {
  const row = await db("deliveries").min({ at: "due_at" }).where({ status: "pending", channel }).first();
  return fromDbTime(row?.at) ?? undefined;
}
