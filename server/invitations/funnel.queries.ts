// Counts for the staff funnel and lists (never contact data): conversations by planning outcome,
// invitations per channel through delivered → opened → started → completed, failed messages with reasons,
// and the phone list. Grouped in the database.
import { fromDbTime, toDbTime, type Db } from "../db.ts";
import type { Channel } from "../intake/intake.normalize.ts";

export type Range = { from: Date; to: Date };

export type ConversationCounts = { total: number; waiting: number; invited: number; skipped: Record<string, number> };

export async function countConversations(db: Db, municipalityId: number, range: Range): Promise<ConversationCounts> {
  const rows: Array<Record<string, unknown>> = await db("conversations")
    .where({ municipality_id: municipalityId })
    .where("created_at", ">=", toDbTime(range.from))
    .where("created_at", "<", toDbTime(range.to))
    .groupBy("plan_status", "plan_reason")
    .select("plan_status", "plan_reason")
    .count({ n: "*" });
  const counts: ConversationCounts = { total: 0, waiting: 0, invited: 0, skipped: {} };
  for (const r of rows) {
    const n = Number(r.n);
    counts.total += n;
    if (r.plan_status === "invited") counts.invited += n;
    else if (r.plan_status === "skipped") counts.skipped[String(r.plan_reason)] = (counts.skipped[String(r.plan_reason)] ?? 0) + n;
    else counts.waiting += n;
  }
  return counts;
}

export type ChannelFunnel = {
  channel: Channel;
  invitations: number;
  waiting: number;
  invited: number;
  delivered: number;
  undeliverable: number;
  opened: number;
  started: number;
  completed: number;
  expired: number;
  optedOut: number;
  failed: number;
};

/** Per channel in use, the invitations made in the range and how far each got. */
export async function funnelByChannel(db: Db, municipalityId: number, range: Range): Promise<ChannelFunnel[]> {
  const rows: Array<Record<string, unknown>> = await db("invitations as i")
    .leftJoin("responses as r", "r.invitation_id", "i.id")
    .where("i.municipality_id", municipalityId)
    .where("i.created_at", ">=", toDbTime(range.from))
    .where("i.created_at", "<", toDbTime(range.to))
    .groupBy("i.channel")
    .select("i.channel")
    .count({ invitations: "*" })
    .select(
      db.raw("sum(case when i.status = 'planned' then 1 else 0 end) as waiting"),
      db.raw("sum(case when i.sent_at is not null then 1 else 0 end) as invited"),
      db.raw("sum(case when i.opened_at is not null then 1 else 0 end) as opened"),
      db.raw("sum(case when r.id is not null then 1 else 0 end) as started"),
      db.raw("sum(case when r.status = 'completed' then 1 else 0 end) as completed"),
      db.raw("sum(case when i.status = 'expired' then 1 else 0 end) as expired"),
      db.raw("sum(case when i.status = 'opted_out' then 1 else 0 end) as opted_out"),
      db.raw("sum(case when i.status = 'failed' then 1 else 0 end) as failed"),
    );
  // Delivered and undeliverable count messages of the invitation step (not reminders), per channel they went by.
  const messages = await db("deliveries as d")
    .join("invitations as i", "i.id", "d.invitation_id")
    .where("i.municipality_id", municipalityId)
    .where("i.created_at", ">=", toDbTime(range.from))
    .where("i.created_at", "<", toDbTime(range.to))
    .where("d.sequence", 0)
    .groupBy("d.channel")
    .select("d.channel")
    .select(
      db.raw("sum(case when d.status in ('sent', 'delivered') then 1 else 0 end) as delivered"),
      db.raw("sum(case when d.status in ('failed', 'bounced') then 1 else 0 end) as undeliverable"),
    );
  const byChannel = new Map(messages.map((m) => [m.channel as string, m]));
  return rows.map((r) => ({
    channel: r.channel as Channel,
    invitations: Number(r.invitations),
    waiting: Number(r.waiting),
    invited: Number(r.invited),
    delivered: Number(byChannel.get(r.channel as string)?.delivered ?? 0),
    undeliverable: Number(byChannel.get(r.channel as string)?.undeliverable ?? 0),
    opened: Number(r.opened),
    started: Number(r.started),
    completed: Number(r.completed),
    expired: Number(r.expired),
    optedOut: Number(r.opted_out),
    failed: Number(r.failed),
  }));
}

export type FailedDelivery = {
  id: number;
  invitationId: number;
  clientId: number;
  clientExternalId: string;
  conversationExternalId: string;
  kind: string;
  channel: Channel;
  status: string;
  error: string | null;
  attempts: number;
  failedAt: Date | null;
};

export async function listFailedDeliveries(db: Db, municipalityId: number, limit = 200): Promise<FailedDelivery[]> {
  const rows = await db("deliveries as d")
    .join("invitations as i", "i.id", "d.invitation_id")
    .join("clients as c", "c.id", "i.client_id")
    .join("conversations as v", "v.id", "i.conversation_id")
    .where("d.municipality_id", municipalityId)
    .whereIn("d.status", ["failed", "bounced"])
    .orderBy("d.failed_at", "desc")
    .orderBy("d.id", "desc")
    .limit(limit)
    .select("d.id", "d.invitation_id", "i.client_id", "c.external_id as client_external_id", "v.external_id as conversation_external_id", "d.kind", "d.channel", "d.status", "d.error", "d.attempts", "d.failed_at");
  return rows.map((r) => ({
    id: r.id,
    invitationId: r.invitation_id,
    clientId: r.client_id,
    clientExternalId: r.client_external_id,
    conversationExternalId: r.conversation_external_id,
    kind: r.kind,
    channel: r.channel,
    status: r.status,
    error: r.error ?? null,
    attempts: Number(r.attempts),
    failedAt: fromDbTime(r.failed_at),
  }));
}

/** Messages waiting to go out, per channel, for the overview (a mail server down shows up here). */
export async function countWaitingDeliveries(db: Db, municipalityId: number): Promise<Record<string, { waiting: number; retrying: number }>> {
  const rows: Array<Record<string, unknown>> = await db("deliveries")
    .where({ municipality_id: municipalityId })
    .whereIn("status", ["pending", "sending"])
    .groupBy("channel")
    .select("channel")
    .count({ waiting: "*" })
    .select(db.raw("sum(case when error is not null then 1 else 0 end) as retrying"));
  return Object.fromEntries(rows.map((r) => [r.channel as string, { waiting: Number(r.waiting), retrying: Number(r.retrying) }]));
}

export type InvitationOfClient = {
  id: number;
  audience: string;
  channel: Channel;
  status: string;
  questionnaire: string;
  createdAt: Date;
  sentAt: Date | null;
  expiresAt: Date;
  deliveries: Array<{ id: number; kind: string; sequence: number; channel: Channel; status: string; error: string | null; sentAt: Date | null }>;
};

export async function listInvitationsOfClient(db: Db, municipalityId: number, clientId: number): Promise<InvitationOfClient[]> {
  const invitations = await db("invitations as i")
    .join("questionnaire_versions as q", "q.id", "i.questionnaire_version_id")
    .where({ "i.municipality_id": municipalityId, "i.client_id": clientId })
    .orderBy("i.created_at", "desc")
    .select("i.id", "i.audience", "i.channel", "i.status", "q.questionnaire", "i.created_at", "i.sent_at", "i.expires_at");
  if (invitations.length === 0) return [];
  const deliveries = await db("deliveries")
    .whereIn("invitation_id", invitations.map((i) => i.id as number))
    .orderBy("id")
    .select("id", "invitation_id", "kind", "sequence", "channel", "status", "error", "sent_at");
  return invitations.map((i) => ({
    id: i.id,
    audience: i.audience,
    channel: i.channel,
    status: i.status,
    questionnaire: i.questionnaire,
    createdAt: fromDbTime(i.created_at)!,
    sentAt: fromDbTime(i.sent_at),
    expiresAt: fromDbTime(i.expires_at)!,
    deliveries: deliveries
      .filter((d) => d.invitation_id === i.id)
      .map((d) => ({ id: d.id, kind: d.kind, sequence: Number(d.sequence), channel: d.channel, status: d.status, error: d.error ?? null, sentAt: fromDbTime(d.sent_at) })),
  }));
}

export type PhoneListRow = { invitationId: number; clientId: number; clientExternalId: string; conversationExternalId: string; language: string; audience: string; createdAt: Date; expiresAt: Date; started: boolean };

/** Invitations by phone still open: interviewers call these clients and fill in the questionnaire with them. */
export async function listPhoneInvitations(db: Db, municipalityId: number, limit = 200): Promise<PhoneListRow[]> {
  const rows = await db("invitations as i")
    .join("clients as c", "c.id", "i.client_id")
    .join("conversations as v", "v.id", "i.conversation_id")
    .leftJoin("responses as r", "r.invitation_id", "i.id")
    .where({ "i.municipality_id": municipalityId, "i.channel": "phone" })
    .whereIn("i.status", ["planned", "sent"])
    .whereNull("c.opted_out_at")
    .orderBy("i.created_at")
    .limit(limit)
    .select("i.id", "i.client_id", "c.external_id as client_external_id", "v.external_id as conversation_external_id", "c.language", "i.audience", "i.created_at", "i.expires_at", "r.id as response_id");
  return rows.map((r) => ({
    invitationId: r.id,
    clientId: r.client_id,
    clientExternalId: r.client_external_id,
    conversationExternalId: r.conversation_external_id,
    language: r.language,
    audience: r.audience,
    createdAt: fromDbTime(r.created_at)!,
    expiresAt: fromDbTime(r.expires_at)!,
    started: r.response_id !== null && r.response_id !== undefined,
  }));
}

/** The interviewer starts the call: the phone "message" counts as sent, and the invitation's clock starts. */
export async function markPhoneInvitationStarted(db: Db, invitationId: number, now: Date, clock: { expiresAt: Date }): Promise<void> {
  await db.transaction(async (trx) => {
    await trx("deliveries").where({ invitation_id: invitationId, channel: "phone", status: "pending" }).update({ status: "sent", sent_at: toDbTime(now), attempts: 1, updated_at: toDbTime(now) });
    await trx("invitations").where({ id: invitationId, status: "planned" }).update({ status: "sent", sent_at: toDbTime(now), expires_at: toDbTime(clock.expiresAt) });
  });
}
