// Figures about follow-ups: the service-level view for administrators (open work by age, overdue ones,
// attempts, reached rate, per interviewer) and the results of a period for the quarterly delivery and the
// reports (how many, reached, within the service level, outcomes, themes, approved quotes).
import type { Db } from "../db.ts";
import { readSettings } from "../settings/settings.service.ts";
import {
  countAttemptsByUser,
  listApprovedQuotesOfPeriod,
  listFollowupsOfPeriod,
  listOpenFollowups,
  listUnacknowledgedUrgent,
  themesOf,
  type PeriodFollowup,
  type Range,
} from "./followups.report.queries.ts";
import type { Outcome } from "./followups.queries.ts";
import { OUTCOME_LABELS } from "./followups.messages.ts";
import { FOLLOWUP_SETTINGS, themeLabel } from "./followups.settings.ts";
import { workingDaysBetween } from "./working-days.ts";

export const AGE_BUCKETS = [
  { label: "0–1 werkdag", max: 1 },
  { label: "2–3 werkdagen", max: 3 },
  { label: "4–5 werkdagen", max: 5 },
  { label: "6–10 werkdagen", max: 10 },
  { label: "meer dan 10 werkdagen", max: Number.POSITIVE_INFINITY },
] as const;

/** First attempt made by the deadline; "late" also when the deadline passed without one. */
export type SlaState = "on-time" | "late" | "pending";

export function slaState(f: Pick<PeriodFollowup, "firstAttemptAt" | "deadlineAt">, now: Date): SlaState {
  if (f.firstAttemptAt) return f.firstAttemptAt.getTime() <= f.deadlineAt.getTime() ? "on-time" : "late";
  return f.deadlineAt.getTime() < now.getTime() ? "late" : "pending";
}

export const isOverdue = (f: Pick<PeriodFollowup, "firstAttemptAt" | "deadlineAt">, now: Date) => !f.firstAttemptAt && f.deadlineAt.getTime() < now.getTime();

const percentage = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);

export type InterviewerRow = { userId: number | null; name: string; inHand: number; closed: number; reached: number; onTime: number; withAttempt: number; attempts: number; attemptsReached: number };

export type ServiceLevel = {
  open: {
    total: number;
    unclaimed: number;
    overdue: number;
    callbacksPlanned: number;
    byAge: Array<{ label: string; count: number; overdue: number }>;
    overdueList: Array<PeriodFollowup & { age: number }>;
  };
  period: {
    total: number;
    closed: number;
    reached: number;
    reachedRate: number | null;
    onTime: number;
    late: number;
    pending: number;
    onTimeRate: number | null;
    attemptsAverage: number | null;
    attemptsDistribution: Array<{ label: string; count: number }>;
    outcomes: Array<{ outcome: Outcome; label: string; count: number }>;
    urgent: number;
  };
  interviewers: InterviewerRow[];
  unacknowledged: PeriodFollowup[];
};

export async function serviceLevel(db: Db, municipalityId: number, range: Range, now = new Date()): Promise<ServiceLevel> {
  const open = await listOpenFollowups(db, municipalityId);
  const byAge = AGE_BUCKETS.map((b) => ({ label: b.label, count: 0, overdue: 0 }));
  const overdueList: Array<PeriodFollowup & { age: number }> = [];
  for (const f of open) {
    const age = workingDaysBetween(f.createdAt, now);
    const bucket = byAge[AGE_BUCKETS.findIndex((b) => age <= b.max)]!;
    bucket.count += 1;
    if (isOverdue(f, now)) {
      bucket.overdue += 1;
      overdueList.push({ ...f, age });
    }
  }
  overdueList.sort((a, b) => a.deadlineAt.getTime() - b.deadlineAt.getTime());

  const inPeriod = await listFollowupsOfPeriod(db, municipalityId, range);
  const closed = inPeriod.filter((f) => f.status === "closed");
  const states = inPeriod.map((f) => slaState(f, now));
  const withAttempts = inPeriod.filter((f) => f.attempts > 0);
  const distribution = ["0", "1", "2", "3", "4 of meer"].map((label, i) => ({ label, count: inPeriod.filter((f) => (i === 4 ? f.attempts >= 4 : f.attempts === i)).length }));
  const outcomeCounts = new Map<Outcome, number>();
  for (const f of closed) if (f.outcome) outcomeCounts.set(f.outcome, (outcomeCounts.get(f.outcome) ?? 0) + 1);
  const reachedClosed = closed.filter((f) => f.reached).length;

  const people = new Map<string, InterviewerRow>();
  const person = (userId: number | null, name: string | null) => {
    const key = String(userId);
    let row = people.get(key);
    if (!row) {
      row = { userId, name: name ?? "Onbekende of verwijderde gebruiker", inHand: 0, closed: 0, reached: 0, onTime: 0, withAttempt: 0, attempts: 0, attemptsReached: 0 };
      people.set(key, row);
    }
    return row;
  };
  for (const f of open) if (f.status === "claimed") person(f.claimedByUserId, f.claimedByName).inHand += 1;
  for (const f of inPeriod) {
    if (f.claimedByUserId === null) continue;
    const row = person(f.claimedByUserId, f.claimedByName);
    if (f.status === "closed") row.closed += 1;
    if (f.reached) row.reached += 1;
    if (f.attempts > 0) row.withAttempt += 1;
    if (slaState(f, now) === "on-time") row.onTime += 1;
  }
  for (const a of await countAttemptsByUser(db, municipalityId, range)) {
    const row = person(a.userId, a.name);
    row.attempts += a.count;
    if (a.result === "reached") row.attemptsReached += a.count;
  }

  const unacknowledged = await listUnacknowledgedUrgent(db, municipalityId);

  return {
    open: {
      total: open.length,
      unclaimed: open.filter((f) => f.status === "open").length,
      overdue: overdueList.length,
      callbacksPlanned: open.filter((f) => f.callbackAt && f.callbackAt.getTime() > now.getTime()).length,
      byAge,
      overdueList,
    },
    period: {
      total: inPeriod.length,
      closed: closed.length,
      reached: reachedClosed,
      reachedRate: percentage(reachedClosed, closed.length),
      onTime: states.filter((s) => s === "on-time").length,
      late: states.filter((s) => s === "late").length,
      pending: states.filter((s) => s === "pending").length,
      onTimeRate: percentage(states.filter((s) => s === "on-time").length, states.filter((s) => s !== "pending").length),
      attemptsAverage: withAttempts.length === 0 ? null : Math.round((withAttempts.reduce((sum, f) => sum + f.attempts, 0) / withAttempts.length) * 10) / 10,
      attemptsDistribution: distribution,
      outcomes: (Object.keys(OUTCOME_LABELS) as Outcome[]).map((outcome) => ({ outcome, label: OUTCOME_LABELS[outcome], count: outcomeCounts.get(outcome) ?? 0 })),
      urgent: inPeriod.filter((f) => f.urgent).length,
    },
    interviewers: [...people.values()].sort((a, b) => a.name.localeCompare(b.name, "nl")),
    unacknowledged,
  };
}

export type PeriodResults = {
  total: number;
  closed: number;
  reached: number;
  onTime: number;
  late: number;
  urgent: number;
  outcomes: Record<Outcome, number>;
  themes: Array<{ key: string; label: string; count: number }>;
  quotes: Array<{ id: number; source: "followup" | "answer"; text: string }>;
};

/**
 * The follow-up results of a period (a quarter, half year or year) for the reports and the quarterly delivery.
 * Raw counts: suppression of small numbers is the report's job.
 */
export async function followupResults(db: Db, municipalityId: number, range: Range, now = new Date()): Promise<PeriodResults> {
  const followups = await listFollowupsOfPeriod(db, municipalityId, range);
  const settings = await readSettings(db, municipalityId, FOLLOWUP_SETTINGS);
  const themes = await themesOf(db, followups.map((f) => f.id));
  const themeCounts = new Map<string, number>();
  for (const list of themes.values()) for (const key of list) themeCounts.set(key, (themeCounts.get(key) ?? 0) + 1);
  const outcomes = Object.fromEntries((Object.keys(OUTCOME_LABELS) as Outcome[]).map((o) => [o, 0])) as Record<Outcome, number>;
  for (const f of followups) if (f.status === "closed" && f.outcome) outcomes[f.outcome] += 1;
  return {
    total: followups.length,
    closed: followups.filter((f) => f.status === "closed").length,
    reached: followups.filter((f) => f.reached).length,
    onTime: followups.filter((f) => slaState(f, now) === "on-time").length,
    late: followups.filter((f) => slaState(f, now) === "late").length,
    urgent: followups.filter((f) => f.urgent).length,
    outcomes,
    themes: [...themeCounts.entries()].map(([key, count]) => ({ key, label: themeLabel(settings.themes, key), count })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, "nl")),
    quotes: (await listApprovedQuotesOfPeriod(db, municipalityId, range)).map((q) => ({ id: q.id, source: q.source, text: q.text })),
  };
}

/** How many urgent follow-ups wait for the municipality's confirmation (for the queue's banner). */
export async function countUnacknowledgedUrgent(db: Db, municipalityId: number): Promise<number> {
  return (await listUnacknowledgedUrgent(db, municipalityId)).length;
}
