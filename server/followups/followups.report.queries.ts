// Reads across many follow-ups, for the service-level view, the rule preview, the quarterly export and the
// choice of open answers as quotes. No contact data is read here. A follow-up belongs to the period in which
// the response that triggered it was completed (DOMAIN.md).
import { fromDbTime, fromJson, toBool, toCount, toDbTime, type Db, type Knex } from "../db.ts";
import type { Trigger } from "./followups.rule.ts";
import type { FollowupStatus, Outcome } from "./followups.queries.ts";
import type { NoteRow } from "./followups.records.queries.ts";
import type { QuoteRow } from "./quotes.queries.ts";

type Executor = Db | Knex.Transaction;
export type Range = { from: Date; to: Date };

export type PeriodFollowup = {
  id: number;
  status: FollowupStatus;
  outcome: Outcome | null;
  triggers: Trigger[];
  createdAt: Date;
  completedAt: Date;
  deadlineAt: Date;
  firstAttemptAt: Date | null;
  attempts: number;
  claimedByUserId: number | null;
  claimedByName: string | null;
  closedAt: Date | null;
  closedByUserId: number | null;
  urgent: boolean;
  escalatedAt: Date | null;
  acknowledgedAt: Date | null;
  callbackAt: Date | null;
  reached: boolean;
  questionnaire: string;
  law: string;
  team: string | null;
};

const REACHED = "case when exists (select 1 from followup_attempts a where a.followup_id = f.id and a.result = 'reached') then 1 else 0 end as reached";

function periodFollowups(db: Executor, municipalityId: number) {
  return db("followups as f")
    .join("responses as r", "r.id", "f.response_id")
    .join("questionnaire_versions as q", "q.id", "r.questionnaire_version_id")
    .join("invitations as i", "i.id", "f.invitation_id")
    .join("conversations as v", "v.id", "i.conversation_id")
    .leftJoin("users as cu", "cu.id", "f.claimed_by_user_id")
    .where("f.municipality_id", municipalityId)
    .select(
      "f.id",
      "f.status",
      "f.outcome",
      "f.triggers",
      "f.created_at",
      "r.completed_at",
      "f.deadline_at",
      "f.first_attempt_at",
      "f.attempts",
      "f.claimed_by_user_id",
      "cu.name as claimed_by_name",
      "f.closed_at",
      "f.closed_by_user_id",
      "f.urgent",
      "f.escalated_at",
      "f.acknowledged_at",
      "f.callback_at",
      "q.questionnaire",
      "v.law",
      "v.team",
      db.raw(REACHED),
    )
    .orderBy("f.id");
}

function toPeriodFollowup(r: Record<string, unknown>): PeriodFollowup {
  return {
    id: r.id as number,
    status: r.status as FollowupStatus,
    outcome: (r.outcome as Outcome | null) ?? null,
    triggers: fromJson<Trigger[]>(r.triggers) ?? [],
    createdAt: fromDbTime(r.created_at)!,
    completedAt: fromDbTime(r.completed_at)!,
    deadlineAt: fromDbTime(r.deadline_at)!,
    firstAttemptAt: fromDbTime(r.first_attempt_at),
    attempts: Number(r.attempts),
    claimedByUserId: (r.claimed_by_user_id as number | null) ?? null,
    claimedByName: (r.claimed_by_name as string | null) ?? null,
    closedAt: fromDbTime(r.closed_at),
    closedByUserId: (r.closed_by_user_id as number | null) ?? null,
    urgent: toBool(r.urgent),
    escalatedAt: fromDbTime(r.escalated_at),
    acknowledgedAt: fromDbTime(r.acknowledged_at),
    callbackAt: fromDbTime(r.callback_at),
    reached: toBool(r.reached),
    questionnaire: r.questionnaire as string,
    law: r.law as string,
    team: (r.team as string | null) ?? null,
  };
}

/** The follow-ups of responses completed in the period. */
export async function listFollowupsOfPeriod(db: Executor, municipalityId: number, range: Range): Promise<PeriodFollowup[]> {
  const rows = await periodFollowups(db, municipalityId).where("r.completed_at", ">=", toDbTime(range.from)).where("r.completed_at", "<", toDbTime(range.to));
  return rows.map(toPeriodFollowup);
}

/** Every follow-up that is not closed, whenever its response came in. */
export async function listOpenFollowups(db: Executor, municipalityId: number): Promise<PeriodFollowup[]> {
  const rows = await periodFollowups(db, municipalityId).whereNot("f.status", "closed");
  return rows.map(toPeriodFollowup);
}

/** Urgent follow-ups, open or closed, that the municipality has not confirmed yet. */
export async function listUnacknowledgedUrgent(db: Executor, municipalityId: number): Promise<PeriodFollowup[]> {
  const rows = await periodFollowups(db, municipalityId).where("f.urgent", true).whereNull("f.acknowledged_at");
  return rows.map(toPeriodFollowup);
}

/** Call attempts logged in the period, per staff member and result. */
export async function countAttemptsByUser(db: Executor, municipalityId: number, range: Range): Promise<Array<{ userId: number | null; name: string | null; result: string; count: number }>> {
  const rows = await db("followup_attempts as a")
    .join("followups as f", "f.id", "a.followup_id")
    .leftJoin("users as u", "u.id", "a.user_id")
    .where("f.municipality_id", municipalityId)
    .where("a.attempted_at", ">=", toDbTime(range.from))
    .where("a.attempted_at", "<", toDbTime(range.to))
    .groupBy("a.user_id", "u.name", "a.result")
    .select("a.user_id", "u.name", "a.result")
    .count({ count: "*" });
  return (rows as Array<Record<string, unknown>>).map((r) => ({ userId: (r.user_id as number | null) ?? null, name: (r.name as string | null) ?? null, result: r.result as string, count: toCount(r.count) }));
}

export async function themesOf(db: Executor, followupIds: number[]): Promise<Map<number, string[]>> {
  const result = new Map<number, string[]>();
  for (let i = 0; i < followupIds.length; i += 500) {
    const rows = await db("followup_themes").select("followup_id", "theme").whereIn("followup_id", followupIds.slice(i, i + 500)).orderBy("theme");
    for (const r of rows) result.set(r.followup_id, [...(result.get(r.followup_id) ?? []), r.theme]);
  }
  return result;
}

export async function notesOf(db: Executor, followupIds: number[]): Promise<Map<number, NoteRow[]>> {
  const result = new Map<number, NoteRow[]>();
  for (let i = 0; i < followupIds.length; i += 500) {
    const rows = await db("followup_notes").select("followup_id", "topic", "text", "updated_at").whereIn("followup_id", followupIds.slice(i, i + 500)).orderBy("id");
    for (const r of rows) result.set(r.followup_id, [...(result.get(r.followup_id) ?? []), { topic: r.topic, text: r.text, updatedAt: fromDbTime(r.updated_at)! }]);
  }
  return result;
}

/** Approved quotes belonging to the period: from its follow-ups, and open answers of its responses. */
export async function listApprovedQuotesOfPeriod(db: Executor, municipalityId: number, range: Range): Promise<Array<Pick<QuoteRow, "id" | "source" | "followupId" | "questionKey" | "text">>> {
  const from = toDbTime(range.from);
  const to = toDbTime(range.to);
  const rows = await db("quotes as qt")
    .leftJoin("followups as f", "f.id", "qt.followup_id")
    .join("responses as r", function joinResponse() {
      this.on("r.id", "=", "f.response_id").orOn("r.id", "=", "qt.response_id");
    })
    .where({ "qt.municipality_id": municipalityId, "qt.status": "approved" })
    .where("r.completed_at", ">=", from)
    .where("r.completed_at", "<", to)
    .select("qt.id", "qt.source", "qt.followup_id", "qt.question_key", "qt.text")
    .orderBy("qt.id");
  return rows.map((r) => ({ id: r.id, source: r.source, followupId: r.followup_id ?? null, questionKey: r.question_key ?? null, text: r.text }));
}

// --- responses (read only) ----------------------------------------------------------------------------------

export type ResponseForRule = { id: number; versionId: number; answers: Record<string, unknown>; completedAt: Date };

/** Completed responses since a moment, a batch at a time (for the preview of a changed rule). */
export async function* completedResponsesSince(db: Executor, municipalityId: number, since: Date, batch = 2000): AsyncGenerator<ResponseForRule[]> {
  let afterId = 0;
  for (;;) {
    const rows = await db("responses")
      .select("id", "questionnaire_version_id", "answers", "completed_at")
      .where({ municipality_id: municipalityId, status: "completed" })
      .where("completed_at", ">=", toDbTime(since))
      .where("id", ">", afterId)
      .orderBy("id")
      .limit(batch);
    if (rows.length === 0) return;
    afterId = rows[rows.length - 1].id;
    yield rows.map((r) => ({ id: r.id, versionId: r.questionnaire_version_id, answers: fromJson<Record<string, unknown>>(r.answers) ?? {}, completedAt: fromDbTime(r.completed_at)! }));
    if (rows.length < batch) return;
  }
}

export async function findResponseForQuote(db: Executor, municipalityId: number, id: number): Promise<ResponseForRule | undefined> {
  const r = await db("responses").select("id", "questionnaire_version_id", "answers", "completed_at").where({ id, municipality_id: municipalityId, status: "completed" }).first();
  return r ? { id: r.id, versionId: r.questionnaire_version_id, answers: fromJson<Record<string, unknown>>(r.answers) ?? {}, completedAt: fromDbTime(r.completed_at)! } : undefined;
}

/** Completed responses of a period, newest first, for choosing open answers. */
export async function listCompletedResponses(db: Executor, municipalityId: number, range: Range, page: { limit: number; offset: number }): Promise<{ rows: ResponseForRule[]; total: number }> {
  const base = () =>
    db("responses").where({ municipality_id: municipalityId, status: "completed" }).where("completed_at", ">=", toDbTime(range.from)).where("completed_at", "<", toDbTime(range.to));
  const total = toCount((await base().count({ count: "*" }))[0]?.count);
  const rows = await base().select("id", "questionnaire_version_id", "answers", "completed_at").orderBy("completed_at", "desc").orderBy("id", "desc").limit(page.limit).offset(page.offset);
  return { rows: rows.map((r) => ({ id: r.id, versionId: r.questionnaire_version_id, answers: fromJson<Record<string, unknown>>(r.answers) ?? {}, completedAt: fromDbTime(r.completed_at)! })), total };
}
