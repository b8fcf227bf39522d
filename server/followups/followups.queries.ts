// The only place that runs knex against followups (the attempts, notes and themes are in
// followups.records.queries.ts). Reads join the rows they describe (the response, the client's language, the staff member's name); contact
// data is read only by findPhone, for the interviewer who claimed the follow-up.
import { countOf, fromDbTime, fromJson, immutableRowCache, toBool, toDbTime, toJson, type Db, type Knex } from "../db.ts";
import type { Trigger, StoredVersion } from "./followups.rule.ts";
import type { FollowupRule } from "./followups.settings.ts";

type Executor = Db | Knex.Transaction;

export const FOLLOWUP_STATUSES = ["open", "claimed", "closed"] as const;
export type FollowupStatus = (typeof FOLLOWUP_STATUSES)[number];
/** What interviewers choose when they close a conversation; niet_bereikt is set after too many failed attempts. */
export const OUTCOMES = ["opgelost", "doorverwezen", "signaal", "geen_actie", "wil_niet"] as const;
export type Outcome = (typeof OUTCOMES)[number] | "niet_bereikt";
export const ATTEMPT_RESULTS = ["no_answer", "voicemail", "wrong_number", "callback", "reached"] as const;
export type AttemptResult = (typeof ATTEMPT_RESULTS)[number];
/** Results that count towards "not reached" (a call-back request and a conversation do not). */
export const UNSUCCESSFUL_RESULTS: readonly AttemptResult[] = ["no_answer", "voicemail", "wrong_number"];
export const URGENT_REASONS = ["veiligheid", "geen_zorg", "anders"] as const;
export type UrgentReason = (typeof URGENT_REASONS)[number];

// --- questionnaire versions (read only) -------------------------------------------------------------------

// Versions never change once stored (invariant 7): the rule reads each one once per process and database.
const versions = immutableRowCache<StoredVersion>();

export async function findVersionForRule(db: Executor, versionId: number): Promise<StoredVersion | undefined> {
  return versions.get(db, versionId, async () => {
    const r = await db("questionnaire_versions").select("questionnaire", "base_version", "customisation", "definition", "definition_hash").where({ id: versionId }).first();
    return r
      ? { questionnaire: r.questionnaire, baseVersion: r.base_version, customisation: fromJson(r.customisation), definition: fromJson(r.definition), hash: r.definition_hash }
      : undefined;
  });
}

// --- follow-ups ---------------------------------------------------------------------------------------------

export type NewFollowup = {
  municipalityId: number;
  responseId: number;
  invitationId: number;
  clientId: number;
  triggers: Trigger[];
  rule: FollowupRule;
  deadlineAt: Date;
  createdAt: Date;
};

/** Inserts the follow-up of a response once: the id, or undefined when the response already has one. */
export async function insertFollowup(db: Executor, values: NewFollowup): Promise<number | undefined> {
  const at = toDbTime(values.createdAt);
  const rows = await db("followups")
    .insert({
      municipality_id: values.municipalityId,
      response_id: values.responseId,
      invitation_id: values.invitationId,
      client_id: values.clientId,
      status: "open",
      triggers: toJson(values.triggers),
      rule: toJson(values.rule),
      deadline_at: toDbTime(values.deadlineAt),
      attempts: 0,
      urgent: false,
      created_at: at,
      updated_at: at,
    })
    .onConflict("response_id")
    .ignore()
    .returning(["id"]);
  return rows[0]?.id as number | undefined;
}

export type FollowupRow = {
  id: number;
  municipalityId: number;
  responseId: number;
  clientId: number;
  status: FollowupStatus;
  outcome: Outcome | null;
  triggers: Trigger[];
  rule: FollowupRule | null;
  claimedByUserId: number | null;
  claimedByName: string | null;
  claimedAt: Date | null;
  deadlineAt: Date;
  firstAttemptAt: Date | null;
  attempts: number;
  callbackAt: Date | null;
  urgent: boolean;
  urgentReason: UrgentReason | null;
  escalatedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedByName: string | null;
  closedAt: Date | null;
  closedByUserId: number | null;
  createdAt: Date;
  updatedAt: Date;
  /** The client's language (clients.language) and the language the questionnaire was answered in. */
  language: string;
  locale: string;
  questionnaire: string;
  completedAt: Date | null;
  answers: Record<string, unknown>;
  versionId: number;
};

const FOLLOWUP_COLUMNS = [
  "f.id",
  "f.municipality_id",
  "f.response_id",
  "f.client_id",
  "f.status",
  "f.outcome",
  "f.triggers",
  "f.rule",
  "f.claimed_by_user_id",
  "cu.name as claimed_by_name",
  "f.claimed_at",
  "f.deadline_at",
  "f.first_attempt_at",
  "f.attempts",
  "f.callback_at",
  "f.urgent",
  "f.urgent_reason",
  "f.escalated_at",
  "f.acknowledged_at",
  "au.name as acknowledged_by_name",
  "f.closed_at",
  "f.closed_by_user_id",
  "f.created_at",
  "f.updated_at",
  "c.language",
  "r.locale",
  "r.completed_at",
  "r.answers",
  "r.questionnaire_version_id",
  "q.questionnaire",
];

function toFollowup(r: Record<string, unknown>): FollowupRow {
  return {
    id: r.id as number,
    municipalityId: r.municipality_id as number,
    responseId: r.response_id as number,
    clientId: r.client_id as number,
    status: r.status as FollowupStatus,
    outcome: (r.outcome as Outcome | null) ?? null,
    triggers: fromJson<Trigger[]>(r.triggers) ?? [],
    rule: fromJson<FollowupRule>(r.rule),
    claimedByUserId: (r.claimed_by_user_id as number | null) ?? null,
    claimedByName: (r.claimed_by_name as string | null) ?? null,
    claimedAt: fromDbTime(r.claimed_at),
    deadlineAt: fromDbTime(r.deadline_at)!,
    firstAttemptAt: fromDbTime(r.first_attempt_at),
    attempts: Number(r.attempts),
    callbackAt: fromDbTime(r.callback_at),
    urgent: toBool(r.urgent),
    urgentReason: (r.urgent_reason as UrgentReason | null) ?? null,
    escalatedAt: fromDbTime(r.escalated_at),
    acknowledgedAt: fromDbTime(r.acknowledged_at),
    acknowledgedByName: (r.acknowledged_by_name as string | null) ?? null,
    closedAt: fromDbTime(r.closed_at),
    closedByUserId: (r.closed_by_user_id as number | null) ?? null,
    createdAt: fromDbTime(r.created_at)!,
    updatedAt: fromDbTime(r.updated_at)!,
    language: (r.language as string | null) ?? "nl",
    locale: (r.locale as string | null) ?? "nl",
    questionnaire: r.questionnaire as string,
    completedAt: fromDbTime(r.completed_at),
    answers: fromJson<Record<string, unknown>>(r.answers) ?? {},
    versionId: r.questionnaire_version_id as number,
  };
}

function followups(db: Executor) {
  return db("followups as f")
    .join("responses as r", "r.id", "f.response_id")
    .join("questionnaire_versions as q", "q.id", "r.questionnaire_version_id")
    .join("clients as c", "c.id", "f.client_id")
    .leftJoin("users as cu", "cu.id", "f.claimed_by_user_id")
    .leftJoin("users as au", "au.id", "f.acknowledged_by_user_id");
}

export async function findFollowup(db: Executor, municipalityId: number, id: number): Promise<FollowupRow | undefined> {
  const r = await followups(db).select(FOLLOWUP_COLUMNS).where({ "f.id": id, "f.municipality_id": municipalityId }).first();
  return r ? toFollowup(r) : undefined;
}

export async function findFollowupOfResponse(db: Executor, responseId: number): Promise<{ id: number; municipalityId: number } | undefined> {
  const r = await db("followups").select("id", "municipality_id").where({ response_id: responseId }).first();
  return r ? { id: r.id, municipalityId: r.municipality_id } : undefined;
}

export type QueueView = "todo" | "mine" | "closed";
export type QueueFilter = { view: QueueView; userId: number; now: Date; limit: number; offset: number };

/**
 * The queue. Open work first: a call-back whose time has come, then by service-level deadline, then call-backs
 * planned for later (they rise to the top when their time comes). Closed ones newest first.
 */
function queueRows(db: Executor, municipalityId: number, view: QueueView, userId: number) {
  const q = db("followups as f").where("f.municipality_id", municipalityId);
  if (view === "closed") q.where("f.status", "closed");
  else q.whereNot("f.status", "closed");
  if (view === "mine") q.where("f.claimed_by_user_id", userId);
  return q;
}

export async function countQueue(db: Executor, municipalityId: number, view: QueueView, userId: number): Promise<number> {
  return countOf(await queueRows(db, municipalityId, view, userId).count({ count: "*" }));
}

export async function listQueue(db: Executor, municipalityId: number, filter: QueueFilter): Promise<{ rows: FollowupRow[]; total: number }> {
  const base = () => queueRows(db, municipalityId, filter.view, filter.userId);
  const total = countOf(await base().count({ count: "*" }));
  const now = toDbTime(filter.now);
  const query = followups(db).select(FOLLOWUP_COLUMNS).whereIn("f.id", base().select("f.id"));
  if (filter.view === "closed") query.orderBy([{ column: "f.closed_at", order: "desc" }, { column: "f.id", order: "desc" }]);
  else {
    query
      .orderByRaw("case when f.callback_at is null then 1 when f.callback_at <= ? then 0 else 2 end", [now])
      .orderByRaw("case when f.callback_at is null then f.deadline_at else f.callback_at end asc")
      .orderBy("f.id", "asc");
  }
  const rows = await query.limit(filter.limit).offset(filter.offset);
  return { rows: rows.map(toFollowup), total };
}

/** Takes an unclaimed follow-up for the user. Only one of two simultaneous claims changes the row. */
export async function claimFollowup(db: Executor, municipalityId: number, id: number, userId: number, at: Date): Promise<boolean> {
  const changed = await db("followups")
    .where({ id, municipality_id: municipalityId, status: "open" })
    .update({ status: "claimed", claimed_by_user_id: userId, claimed_at: toDbTime(at), updated_at: toDbTime(at) });
  return changed === 1;
}

/** Gives a follow-up back to the queue; `holder` (when given) must still hold it. */
export async function releaseFollowup(db: Executor, municipalityId: number, id: number, holder: number | undefined, at: Date): Promise<boolean> {
  const q = db("followups").where({ id, municipality_id: municipalityId, status: "claimed" });
  if (holder !== undefined) q.where({ claimed_by_user_id: holder });
  return (await q.update({ status: "open", claimed_by_user_id: null, claimed_at: null, updated_at: toDbTime(at) })) === 1;
}

/** An administrator hands a follow-up that is not closed to someone. */
export async function assignFollowup(db: Executor, municipalityId: number, id: number, userId: number, at: Date): Promise<boolean> {
  const changed = await db("followups")
    .where({ id, municipality_id: municipalityId })
    .whereNot("status", "closed")
    .update({ status: "claimed", claimed_by_user_id: userId, claimed_at: toDbTime(at), updated_at: toDbTime(at) });
  return changed === 1;
}

export type FollowupPatch = Partial<{
  status: FollowupStatus;
  outcome: Outcome | null;
  firstAttemptAt: Date;
  attempts: number;
  callbackAt: Date | null;
  urgent: boolean;
  urgentReason: UrgentReason | null;
  escalatedAt: Date;
  acknowledgedAt: Date;
  acknowledgedByUserId: number;
  closedAt: Date | null;
  closedByUserId: number | null;
  claimedByUserId: number | null;
  claimedAt: Date | null;
}>;

const PATCH_COLUMNS: Record<keyof FollowupPatch, string> = {
  status: "status",
  outcome: "outcome",
  firstAttemptAt: "first_attempt_at",
  attempts: "attempts",
  callbackAt: "callback_at",
  urgent: "urgent",
  urgentReason: "urgent_reason",
  escalatedAt: "escalated_at",
  acknowledgedAt: "acknowledged_at",
  acknowledgedByUserId: "acknowledged_by_user_id",
  closedAt: "closed_at",
  closedByUserId: "closed_by_user_id",
  claimedByUserId: "claimed_by_user_id",
  claimedAt: "claimed_at",
};

/**
 * Updates a follow-up. `guard` narrows which row may change (e.g. still claimed by this user); the result says
 * whether it did, so a change that lost a race is noticed instead of overwriting the winner.
 */
export async function updateFollowup(
  db: Executor,
  municipalityId: number,
  id: number,
  patch: FollowupPatch,
  at: Date,
  guard: { status?: FollowupStatus; claimedByUserId?: number } = {},
): Promise<boolean> {
  const values: Record<string, unknown> = { updated_at: toDbTime(at) };
  for (const [key, value] of Object.entries(patch) as Array<[keyof FollowupPatch, unknown]>) {
    values[PATCH_COLUMNS[key]] = value instanceof Date ? toDbTime(value) : value;
  }
  const q = db("followups").where({ id, municipality_id: municipalityId });
  if (guard.status) q.where({ status: guard.status });
  if (guard.claimedByUserId !== undefined) q.where({ claimed_by_user_id: guard.claimedByUserId });
  return (await q.update(values)) === 1;
}

// --- contact data -------------------------------------------------------------------------------------------

/** The numbers to call: the one the client typed in the questionnaire, and the mobile number from the intake. */
export async function findPhone(db: Executor, municipalityId: number, clientId: number): Promise<{ callbackPhone: string | null; mobile: string | null }> {
  const r = await db("client_contacts as k")
    .join("clients as c", "c.id", "k.client_id")
    .select("k.callback_phone", "k.mobile")
    .where({ "k.client_id": clientId, "c.municipality_id": municipalityId })
    .first();
  return { callbackPhone: r?.callback_phone ?? null, mobile: r?.mobile ?? null };
}

// --- staff --------------------------------------------------------------------------------------------------

/** Who can take a follow-up: the municipality's interviewers and administrators who are active. */
export async function listFollowupStaff(db: Executor, municipalityId: number): Promise<Array<{ id: number; name: string; role: string }>> {
  const rows = await db("memberships as m")
    .join("users as u", "u.id", "m.user_id")
    .select("u.id", "u.name", "m.role")
    .where({ "m.municipality_id": municipalityId })
    .whereIn("m.role", ["interviewer", "admin"])
    .where("u.active", true)
    .orderBy("u.name");
  return rows.map((r) => ({ id: r.id, name: r.name, role: r.role }));
}
