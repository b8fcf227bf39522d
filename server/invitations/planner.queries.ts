// The planner's reads and writes: due conversations (with only the presence of contact data, never its
// content), survey fatigue, new invitations with their first delivery, reminders, expiry, and deliveries a
// crashed dispatcher left behind. Batched: a peak day has 100,000 invitations.
import { fromDbTime, toDbTime, type Db, type Knex } from "../db.ts";
import type { Channel, Law } from "../intake/intake.normalize.ts";
import type { Reachability } from "./channels.ts";

type Executor = Db | Knex.Transaction;

export async function listMunicipalityIds(db: Executor): Promise<number[]> {
  return (await db("municipalities").select("id").orderBy("id")).map((r) => r.id as number);
}

export type DueConversation = {
  id: number;
  clientId: number;
  law: Law;
  heldOn: string;
  preferredChannel: Channel | null;
  birthYear: number | null;
  optedOut: boolean;
  reach: Reachability;
};

/** Conversations not handled yet, held on or before `cutoff` (YYYY-MM-DD), oldest first. */
export async function findDueConversations(db: Executor, municipalityId: number, cutoff: string, limit: number): Promise<DueConversation[]> {
  const rows = await db("conversations as v")
    .join("clients as c", "c.id", "v.client_id")
    .leftJoin("client_contacts as k", "k.client_id", "v.client_id")
    .where("v.municipality_id", municipalityId)
    .whereNull("v.planned_at")
    .where("v.held_on", "<=", cutoff)
    .orderBy("v.held_on")
    .orderBy("v.id")
    .limit(limit)
    .select(
      "v.id",
      "v.client_id",
      "v.law",
      "v.held_on",
      "v.preferred_channel",
      "c.birth_year",
      "c.opted_out_at",
      // Presence only: the planner decides on a channel without reading an address.
      db.raw("case when k.email is not null then 1 else 0 end as has_email"),
      db.raw("case when k.mobile is not null then 1 else 0 end as has_mobile"),
      db.raw(
        "case when k.street is not null and k.house_number is not null and k.postal_code is not null and k.city is not null then 1 else 0 end as has_address",
      ),
    );
  return rows.map((r) => ({
    id: r.id,
    clientId: r.client_id,
    law: r.law,
    heldOn: r.held_on,
    preferredChannel: r.preferred_channel ?? null,
    birthYear: r.birth_year ?? null,
    optedOut: r.opted_out_at !== null && r.opted_out_at !== undefined,
    reach: { email: Number(r.has_email) === 1, mobile: Number(r.has_mobile) === 1, address: Number(r.has_address) === 1 },
  }));
}

/** Of these clients, those invited (any law, any questionnaire) since the moment given. */
export async function clientsInvitedSince(db: Executor, clientIds: number[], since: Date): Promise<Set<number>> {
  const found = new Set<number>();
  for (let i = 0; i < clientIds.length; i += 500) {
    const rows = await db("invitations")
      .distinct("client_id")
      .whereIn("client_id", clientIds.slice(i, i + 500))
      .where("created_at", ">=", toDbTime(since))
      .whereNot("status", "failed");
    for (const r of rows) found.add(r.client_id as number);
  }
  return found;
}

export type PlannedInvitation = {
  conversationId: number;
  clientId: number;
  questionnaireVersionId: number;
  audience: string;
  channel: Channel;
  expiresAt: Date;
  firstDueAt: Date;
};

/** Inserts invitations with their first delivery (sequence 0) and marks the conversations handled. */
export async function insertPlannedInvitations(
  trx: Knex.Transaction,
  municipalityId: number,
  planned: PlannedInvitation[],
  skipped: Array<{ conversationId: number; reason: string }>,
  now: Date,
): Promise<void> {
  const at = toDbTime(now);
  for (let i = 0; i < planned.length; i += 200) {
    const chunk = planned.slice(i, i + 200);
    const inserted = await trx("invitations")
      .insert(
        chunk.map((p) => ({
          municipality_id: municipalityId,
          conversation_id: p.conversationId,
          client_id: p.clientId,
          questionnaire_version_id: p.questionnaireVersionId,
          audience: p.audience,
          channel: p.channel,
          status: "planned",
          created_at: at,
          expires_at: toDbTime(p.expiresAt),
        })),
      )
      // An invitation made outside the planner (staff, the demo) already exists: keep it, send nothing new.
      .onConflict(["conversation_id", "audience"])
      .ignore()
      .returning(["id", "conversation_id", "audience"]);
    // Matched by conversation and audience, not by position: RETURNING promises no order.
    const idOf = new Map(inserted.map((r) => [`${r.conversation_id}:${r.audience}`, r.id as number]));
    const fresh = chunk.filter((p) => idOf.has(`${p.conversationId}:${p.audience}`));
    if (fresh.length === 0) continue;
    await trx("deliveries").insert(
      fresh.map((p) => ({
        municipality_id: municipalityId,
        invitation_id: idOf.get(`${p.conversationId}:${p.audience}`),
        kind: "invite",
        sequence: 0,
        channel: p.channel,
        status: "pending",
        due_at: toDbTime(p.firstDueAt),
        created_at: at,
        updated_at: at,
      })),
    );
  }
  const invited = [...new Set(planned.map((p) => p.conversationId))];
  for (let i = 0; i < invited.length; i += 500) {
    await trx("conversations").whereIn("id", invited.slice(i, i + 500)).update({ planned_at: at, plan_status: "invited", plan_reason: null });
  }
  const byReason = new Map<string, number[]>();
  for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.conversationId]);
  for (const [reason, ids] of byReason) {
    for (let i = 0; i < ids.length; i += 500) {
      await trx("conversations").whereIn("id", ids.slice(i, i + 500)).update({ planned_at: at, plan_status: "skipped", plan_reason: reason });
    }
  }
}

export type DueReminder = { id: number; municipalityId: number; channel: Channel; remindersSent: number; sentAt: Date };

export async function findDueReminders(db: Executor, now: Date, limit: number): Promise<DueReminder[]> {
  const rows = await db("invitations")
    .select("id", "municipality_id", "channel", "reminders_sent", "sent_at")
    .where("status", "sent")
    .where("next_reminder_at", "<=", toDbTime(now))
    .orderBy("next_reminder_at")
    .limit(limit);
  return rows.map((r) => ({ id: r.id, municipalityId: r.municipality_id, channel: r.channel, remindersSent: Number(r.reminders_sent), sentAt: fromDbTime(r.sent_at)! }));
}

/** Creates reminder `sequence` once (a second planner run finds it and changes nothing) and moves the invitation on. */
export async function insertReminder(
  trx: Knex.Transaction,
  reminder: DueReminder,
  dueAt: Date,
  nextReminderAt: Date | null,
  now: Date,
): Promise<void> {
  const at = toDbTime(now);
  await trx("deliveries")
    .insert({
      municipality_id: reminder.municipalityId,
      invitation_id: reminder.id,
      kind: "reminder",
      sequence: reminder.remindersSent + 1,
      channel: reminder.channel,
      status: "pending",
      due_at: toDbTime(dueAt),
      created_at: at,
      updated_at: at,
    })
    .onConflict(["invitation_id", "sequence", "channel"])
    .ignore();
  await trx("invitations")
    .where({ id: reminder.id, reminders_sent: reminder.remindersSent })
    .update({ reminders_sent: reminder.remindersSent + 1, next_reminder_at: nextReminderAt ? toDbTime(nextReminderAt) : null });
}

/** Closes open invitations whose time is up, and cancels what they still had waiting. Returns how many expired. */
export async function expireInvitations(db: Db, now: Date): Promise<number> {
  return db.transaction(async (trx) => {
    const due = (await trx("invitations").select("id").whereIn("status", ["planned", "sent"]).where("expires_at", "<=", toDbTime(now)).limit(5000)).map(
      (r) => r.id as number,
    );
    for (let i = 0; i < due.length; i += 500) {
      const ids = due.slice(i, i + 500);
      await trx("invitations").whereIn("id", ids).whereIn("status", ["planned", "sent"]).update({ status: "expired", closed_at: toDbTime(now), next_reminder_at: null });
      await cancelOpenDeliveries(trx, ids, now);
    }
    return due.length;
  });
}

/** Deliveries of closed invitations that are still waiting are cancelled: nothing goes out after completion or expiry. */
export async function cancelOpenDeliveries(db: Executor, invitationIds: number[], now: Date): Promise<number> {
  if (invitationIds.length === 0) return 0;
  return db("deliveries").whereIn("invitation_id", invitationIds).where("status", "pending").update({ status: "cancelled", updated_at: toDbTime(now) });
}

/**
 * A delivery still 'sending' after its lease was cut off (the process died mid-send). It goes back to
 * 'pending' and is sent again: the provider may or may not have accepted it, and a lost invitation is worse
 * than a rare second copy (an e-mail keeps its Message-ID, so mail programs show one message).
 */
export async function releaseStaleDeliveries(db: Executor, now: Date): Promise<number> {
  return db("deliveries").where("status", "sending").where("lease_until", "<", toDbTime(now)).update({ status: "pending", lease_until: null, updated_at: toDbTime(now) });
}

/**
 * Channels with deliveries due now, so the planner only wakes the dispatchers that have work; rows still
 * 'sending' count too, since their dispatcher may have died (the next one to hold the lease takes them back).
 */
export async function channelsWithDueDeliveries(db: Executor, now: Date): Promise<Channel[]> {
  const rows = await db("deliveries")
    .distinct("channel")
    .whereIn("channel", ["email", "sms"])
    .where((q) => q.where((p) => p.where("status", "pending").where("due_at", "<=", toDbTime(now))).orWhere("status", "sending"));
  return rows.map((r) => r.channel as Channel);
}
