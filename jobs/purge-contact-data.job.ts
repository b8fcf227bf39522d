// Every night: contact data that the retention policy lets go is deleted, and old dev-outbox messages with it
// (server/retention/). One run at a time in the whole installation: a second worker, or `luisterpost jobs`
// beside a server, finds the lease taken and does nothing.
import type { Db } from "../server/db.ts";
import { withLease } from "../server/locks/locks.service.ts";
import { purgeContactData, type PurgeCounts } from "../server/retention/retention.service.ts";

const LEASE_MS = 60_000;
const RENEW_MS = 20_000;

export async function purgeContactDataJob(db: Db, now = new Date()): Promise<PurgeCounts | undefined> {
  return withLease(db, "purge-contact-data", LEASE_MS, async (lease) => {
    // A short lease that is renewed: after a crash the next run can start within a minute, and a run that
    // lost its lease (a long pause) stops between batches instead of racing its successor.
    lease.keepAlive(RENEW_MS);
    return purgeContactData(db, { now, lease });
  });
}
