// The planner tick (every minute): plan invitations, reminders and expiry from the database, then wake the
// dispatcher of every channel with due messages. One planner at a time in the whole installation.
import type { Db } from "../server/db.ts";
import { channelsWithDueDeliveries } from "../server/invitations/planner.queries.ts";
import { planInvitations, type PlanCounts } from "../server/invitations/planner.service.ts";
import { withLease } from "../server/locks/locks.service.ts";
import type { SurveyCatalog } from "../server/surveys/surveys.loader.ts";
import type { JobQueue } from "./queue.ts";

const PLANNER_LEASE_MS = 10 * 60_000;

/** Adds one dispatch job per channel with due work; a dispatcher already waiting or running is not doubled. */
export async function wakeDispatchers(db: Db, queue: JobQueue, now = new Date()): Promise<string[]> {
  const channels = await channelsWithDueDeliveries(db, now);
  for (const channel of channels) await queue.add("dispatch", { channel }, { jobId: `dispatch:${channel}`, attempts: 1 });
  return channels;
}

export async function planInvitationsJob(db: Db, catalog: SurveyCatalog, queue: JobQueue, now = new Date()): Promise<PlanCounts | undefined> {
  const counts = await withLease(db, "planner", PLANNER_LEASE_MS, () => planInvitations(db, catalog, now));
  // Also when another process planned: it may have died before waking anyone, and adding is idempotent.
  await wakeDispatchers(db, queue, now);
  return counts;
}
