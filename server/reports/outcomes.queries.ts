// The report's reads of the follow-ups of a period (DOMAIN.md: a follow-up belongs to the period of the
// response that triggered it, found through that response's facts) and the approved quotes. Grouped counts only;
// the notes and the contact data are never read.
import { toCount, toDbTime, type Knex } from "../db.ts";
import { factFilters, inRange, type Executor, type Range, type ReportFilters } from "./reports.queries.ts";

export type FollowupTotals = {
  triggered: number;
  reached: number;
  withinSla: number;
  lateSla: number;
  pendingSla: number;
  open: number;
  escalated: number;
};

function followupsOfPeriod(db: Executor, municipalityId: number, range: Range, filters: ReportFilters) {
  // From the period's facts that have a follow-up (a partial index) to the follow-ups.
  const query = db("report_facts as f").join("followups as fu", "fu.id", "f.followup_id").where("f.municipality_id", municipalityId).whereNotNull("f.followup_id").where("fu.municipality_id", municipalityId);
  inRange(query, "f.counted_at", range);
  factFilters(query, filters);
  return query;
}

const REACHED =
  "(exists (select 1 from followup_attempts a where a.followup_id = fu.id and a.result = 'reached') or fu.outcome in ('opgelost', 'doorverwezen', 'signaal', 'geen_actie', 'wil_niet'))";

/** The follow-ups of the period's responses (DOMAIN.md: a follow-up belongs to its response's period). */
export async function aggregateFollowups(db: Executor, municipalityId: number, range: Range, filters: ReportFilters, now: Date): Promise<FollowupTotals> {
  const at = toDbTime(now);
  const row = (await followupsOfPeriod(db, municipalityId, range, filters)
    .select(
      db.raw(
        [
          "count(*) as triggered",
          `sum(case when ${REACHED} then 1 else 0 end) as reached`,
          "sum(case when fu.first_attempt_at is not null and fu.first_attempt_at <= fu.deadline_at then 1 else 0 end) as within_sla",
          "sum(case when (fu.first_attempt_at is not null and fu.first_attempt_at > fu.deadline_at) or (fu.first_attempt_at is null and fu.deadline_at < ?) then 1 else 0 end) as late_sla",
          "sum(case when fu.first_attempt_at is null and fu.deadline_at >= ? then 1 else 0 end) as pending_sla",
          "sum(case when fu.status <> 'closed' then 1 else 0 end) as still_open",
          "sum(case when fu.urgent = ? or fu.escalated_at is not null then 1 else 0 end) as escalated",
        ].join(", "),
        [at, at, true],
      ),
    )
    .first()) as Record<string, unknown> | undefined;
  return {
    triggered: toCount(row?.triggered),
    reached: toCount(row?.reached),
    withinSla: toCount(row?.within_sla),
    lateSla: toCount(row?.late_sla),
    pendingSla: toCount(row?.pending_sla),
    open: toCount(row?.still_open),
    escalated: toCount(row?.escalated),
  };
}

export async function aggregateOutcomes(db: Executor, municipalityId: number, range: Range, filters: ReportFilters): Promise<Array<{ outcome: string | null; count: number }>> {
  const rows = (await followupsOfPeriod(db, municipalityId, range, filters).select("fu.outcome").count({ count: "*" }).groupBy("fu.outcome")) as Record<string, unknown>[];
  return rows.map((r) => ({ outcome: (r.outcome as string | null) ?? null, count: toCount(r.count) }));
}

export async function aggregateThemes(db: Executor, municipalityId: number, range: Range, filters: ReportFilters): Promise<Array<{ theme: string; count: number }>> {
  const rows = (await followupsOfPeriod(db, municipalityId, range, filters)
    .join("followup_themes as t", "t.followup_id", "fu.id")
    .select("t.theme")
    .count({ count: "*" })
    .groupBy("t.theme")) as Record<string, unknown>[];
  return rows.map((r) => ({ theme: r.theme as string, count: toCount(r.count) }));
}

/** Approved quotes of the period's responses (from follow-ups or selected open answers), oldest first. */
export async function listPeriodQuotes(db: Executor, municipalityId: number, range: Range, filters: ReportFilters, limit: number): Promise<Array<{ id: number; source: string; text: string }>> {
  const query = db("quotes as q")
    .leftJoin("followups as fu", "fu.id", "q.followup_id")
    .join("report_facts as f", function () {
      this.on("f.response_id", "=", db.raw("coalesce(q.response_id, fu.response_id)"));
    })
    .where("q.municipality_id", municipalityId)
    .where("f.municipality_id", municipalityId)
    .where("q.status", "approved")
    .select("q.id", "q.source", "q.text")
    .orderBy([{ column: "q.created_at" }, { column: "q.id" }])
    .limit(limit);
  inRange(query, "f.counted_at", range);
  factFilters(query, filters);
  const rows = (await query) as Record<string, unknown>[];
  return rows.map((r) => ({ id: r.id as number, source: r.source as string, text: r.text as string }));
}

/** Follow-ups of the period's responses closed after a moment (the closing of the period). */
export async function countFollowupsClosedAfter(db: Executor, municipalityId: number, range: Range, after: Date): Promise<number> {
  const rows = (await followupsOfPeriod(db, municipalityId, range, {}).where("fu.closed_at", ">", toDbTime(after)).count({ count: "*" })) as Array<{ count?: unknown }>;
  return toCount(rows[0]?.count);
}
