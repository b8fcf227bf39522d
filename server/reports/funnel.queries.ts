// The report's reads of the invitations and intakes: the funnel per channel and the non-response check from
// report_invitation_facts (kept by triggers), the population of the method note from conversations. Grouped in
// the database; never a contact detail.
import { toCount, type Knex } from "../db.ts";
import { ageBandSql } from "./age-bands.ts";
import type { Period } from "./period.ts";
import { inRange, type Executor, type Range, type ReportFilters } from "./reports.queries.ts";

function invitationFilters<T extends Knex.QueryBuilder>(builder: T, filters: ReportFilters): T {
  if (filters.law) builder.where("c.law", filters.law);
  if (filters.team) builder.where("c.team", filters.team);
  if (filters.area) builder.where("c.area", filters.area);
  if (filters.provision) builder.where("c.provision", filters.provision);
  return builder;
}

export type FunnelRow = { channel: string; invited: number; delivered: number; bounced: number; opened: number; started: number; completed: number };
export type NonResponseRow = { law: string; team: string | null; age_band: string; invited: number; completed: number };
export type InvitationGroup = FunnelRow & { law: string; team: string | null; age_band: string };

/**
 * The invitations made in the period, grouped by channel (the channel in use after any fallback), law, team and
 * age band (age in the period's year), with how far they got: a message delivered (sent or delivered: an e-mail
 * counts until it bounces), bounced (bounced or failed, and nothing delivered), opened, started, completed. One
 * pass: the funnel per channel and the non-response check both add these groups up.
 */
export async function aggregateInvitations(db: Executor, municipalityId: number, range: Range, year: number, filters: ReportFilters): Promise<InvitationGroup[]> {
  const band = ageBandSql("v.law", "v.birth_year", year);
  const query = db("report_invitation_facts as v")
    .where("v.municipality_id", municipalityId)
    .select("v.channel", "v.law", "v.team")
    .select(db.raw(`${band} as age_band`))
    .select(
      db.raw(
        [
          "count(*) as invited",
          "sum(case when v.delivery = 2 then 1 else 0 end) as delivered",
          "sum(case when v.delivery < 2 and (v.delivery = 1 or v.failed = 1) then 1 else 0 end) as bounced",
          "sum(case when v.opened = 1 or v.response > 0 then 1 else 0 end) as opened",
          "sum(case when v.response > 0 then 1 else 0 end) as started",
          "sum(case when v.response = 2 then 1 else 0 end) as completed",
        ].join(", "),
      ),
    )
    .groupByRaw("v.channel, v.law, v.team, age_band");
  inRange(query, "v.created_at", range);
  if (filters.law) query.where("v.law", filters.law);
  if (filters.team) query.where("v.team", filters.team);
  if (filters.area) query.where("v.area", filters.area);
  if (filters.provision) query.where("v.provision", filters.provision);
  const rows = (await query) as Record<string, unknown>[];
  return rows.map((r) => ({
    channel: r.channel as string,
    law: r.law as string,
    team: (r.team as string | null) ?? null,
    age_band: r.age_band as string,
    invited: toCount(r.invited),
    delivered: toCount(r.delivered),
    bounced: toCount(r.bounced),
    opened: toCount(r.opened),
    started: toCount(r.started),
    completed: toCount(r.completed),
  }));
}

/** The intakes held in the period and what the planner did with them (the population of the method note). */
export async function aggregatePopulation(db: Executor, municipalityId: number, period: Period, filters: ReportFilters): Promise<Array<{ status: string | null; reason: string | null; count: number }>> {
  const query = db("conversations as c")
    .where("c.municipality_id", municipalityId)
    .where("c.held_on", ">=", period.firstDay)
    .where("c.held_on", "<=", period.lastDay)
    .select("c.plan_status", "c.plan_reason")
    .count({ count: "*" })
    .groupBy("c.plan_status", "c.plan_reason");
  invitationFilters(query, filters);
  const rows = (await query) as Record<string, unknown>[];
  return rows.map((r) => ({ status: (r.plan_status as string | null) ?? null, reason: (r.plan_reason as string | null) ?? null, count: toCount(r.count) }));
}
