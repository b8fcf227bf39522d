// The retention job's knex: which clients' contact data is no longer needed, deleting it in batches, and the
// dev outbox's old messages. It reads the measurement tables (conversations, invitations, deliveries,
// follow-ups) only to decide; it deletes nothing but client_contacts and dev_outbox rows.
import { countOf, toDbTime, type Db, type Knex } from "../db.ts";

/** An invitation in one of these states is finished; any other state (planned, sent) still needs the contact data. */
export const CLOSED_INVITATION_STATUSES = ["completed", "expired", "opted_out", "failed"] as const;
/** Messages that can still go out (or are being sent, or lie in a print batch that was not posted). */
export const WAITING_DELIVERY_STATUSES = ["pending", "sending", "batched"] as const;

/**
 * The clients of a municipality whose contact data may go: nothing open or waiting, and everything closed
 * before `cutoff` — every conversation planned (a skipped one counts as closed when it was skipped), every
 * invitation closed, every follow-up closed, no message waiting. One correlated NOT EXISTS per kind of row,
 * each on an index by client (conversations, invitations, follow-ups) or invitation (deliveries).
 */
function eligibleClients(db: Db | Knex.Transaction, municipalityId: number, cutoff: Date): Knex.QueryBuilder {
  const before = toDbTime(cutoff);
  return db("clients as c")
    .select("c.id")
    .where("c.municipality_id", municipalityId)
    .whereNotExists(
      db("conversations as v")
        .select(db.raw("1"))
        .whereRaw("v.client_id = c.id")
        .where((q) => q.whereNull("v.planned_at").orWhere((skipped) => skipped.where("v.plan_status", "skipped").where("v.planned_at", ">", before))),
    )
    .whereNotExists(
      db("invitations as i")
        .select(db.raw("1"))
        .whereRaw("i.client_id = c.id")
        // A closed invitation without closed_at (older rows) counts as closed when it expired.
        .where((q) => q.whereNotIn("i.status", CLOSED_INVITATION_STATUSES).orWhereRaw("coalesce(i.closed_at, i.expires_at) > ?", [before])),
    )
    .whereNotExists(
      db("followups as f")
        .select(db.raw("1"))
        .whereRaw("f.client_id = c.id")
        .where((q) => q.whereNot("f.status", "closed").orWhereNull("f.closed_at").orWhere("f.closed_at", ">", before)),
    )
    .whereNotExists(
      db("deliveries as d")
        .join("invitations as di", "di.id", "d.invitation_id")
        .select(db.raw("1"))
        .whereRaw("di.client_id = c.id")
        .whereIn("d.status", WAITING_DELIVERY_STATUSES),
    );
}

/** The next `limit` clients with contact data after `afterClientId`, with their municipality, in id order. */
export async function nextContactBatch(db: Db, afterClientId: number, limit: number): Promise<Array<{ clientId: number; municipalityId: number }>> {
  const rows = await db("client_contacts as k")
    .join("clients as c", "c.id", "k.client_id")
    .select("k.client_id", "c.municipality_id")
    .where("k.client_id", ">", afterClientId)
    .orderBy("k.client_id")
    .limit(limit);
  return rows.map((r) => ({ clientId: r.client_id as number, municipalityId: r.municipality_id as number }));
}

/**
 * Deletes the contact data of the municipality's clients with ids in (afterId, upToId] that the policy lets go.
 * One statement: the conditions are checked in the same statement that deletes, so a conversation registered a
 * moment earlier keeps its client's contact data.
 */
export async function deleteEligibleContacts(db: Db, municipalityId: number, cutoff: Date, afterId: number, upToId: number): Promise<number> {
  const ids = eligibleClients(db, municipalityId, cutoff).where("c.id", ">", afterId).where("c.id", "<=", upToId);
  return db("client_contacts").whereIn("client_id", ids).delete();
}

/** How many clients of the municipality still have contact data. */
export async function countClientsWithContact(db: Db, municipalityId: number): Promise<number> {
  return countOf(await db("client_contacts as k").join("clients as c", "c.id", "k.client_id").where("c.municipality_id", municipalityId).count({ count: "*" }));
}

/** Deletes up to `limit` dev-outbox messages made before `before`; the count per municipality (null: none). */
export async function deleteOutboxBatch(db: Db, before: Date, limit: number): Promise<Map<number | null, number>> {
  return db.transaction(async (trx) => {
    const rows = await trx("dev_outbox").select("id", "municipality_id").where("created_at", "<", toDbTime(before)).orderBy("id").limit(limit);
    const counts = new Map<number | null, number>();
    if (rows.length === 0) return counts;
    await trx("dev_outbox").whereIn("id", rows.map((r) => r.id as number)).delete();
    for (const r of rows) {
      const key = (r.municipality_id as number | null) ?? null;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  });
}
