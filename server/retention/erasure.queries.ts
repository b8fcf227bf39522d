// The knex of erasing one client on request (AVG art. 17). Erasure cuts across the features' tables — contact
// data, the case system's ids, free-text answers, follow-up notes, quotes, waiting messages — and must happen in
// one transaction, so its statements live together here instead of one in every feature's queries file.
// Every statement is scoped to one client of one municipality.
import { countOf, fromDbTime, fromJson, toDbTime, toJson, type Db, type Knex } from "../db.ts";

type Executor = Db | Knex.Transaction;

export type ErasableClient = { id: number; optedOutAt: Date | null; erasedAt: Date | null };

export async function findErasableClient(db: Executor, municipalityId: number, clientId: number): Promise<ErasableClient | undefined> {
  const r = await db("clients").select("id", "opted_out_at", "erased_at").where({ id: clientId, municipality_id: municipalityId }).first();
  return r ? { id: r.id as number, optedOutAt: fromDbTime(r.opted_out_at), erasedAt: fromDbTime(r.erased_at) } : undefined;
}

/**
 * Marks the client erased, once: of two administrators erasing at the same moment one gets true, and the other
 * (on PostgreSQL waiting for the first one's row lock) false.
 */
export async function claimErasure(trx: Knex.Transaction, municipalityId: number, clientId: number, now: Date): Promise<boolean> {
  return (await trx("clients").where({ id: clientId, municipality_id: municipalityId }).whereNull("erased_at").update({ erased_at: toDbTime(now), updated_at: toDbTime(now) })) === 1;
}

/** When the client's data was erased, if it was (for the client page). */
export async function findErasedAt(db: Executor, municipalityId: number, clientId: number): Promise<Date | null> {
  const r = await db("clients").select("erased_at").where({ id: clientId, municipality_id: municipalityId }).first();
  return fromDbTime(r?.erased_at);
}

/** What erasure will touch, as counts, for the confirmation page. */
export type ErasureScope = {
  conversations: number;
  openInvitations: number;
  waitingMessages: number;
  lettersInBatch: number;
  responses: number;
  openFollowups: number;
  notes: number;
  quotes: number;
  hasContact: boolean;
};

const count = async (q: Knex.QueryBuilder) => countOf(await q.count({ count: "*" }));

export async function measureErasure(db: Executor, municipalityId: number, clientId: number): Promise<ErasureScope> {
  const invitations = () => db("invitations").where({ client_id: clientId, municipality_id: municipalityId });
  const deliveries = () => db("deliveries as d").join("invitations as i", "i.id", "d.invitation_id").where({ "i.client_id": clientId, "i.municipality_id": municipalityId });
  const followups = () => db("followups").where({ client_id: clientId, municipality_id: municipalityId });
  return {
    conversations: await count(db("conversations").where({ client_id: clientId, municipality_id: municipalityId })),
    openInvitations: await count(invitations().whereIn("status", ["planned", "sent"])),
    waitingMessages: await count(deliveries().whereIn("d.status", ["pending", "batched"])),
    lettersInBatch: await count(deliveries().where("d.status", "batched")),
    responses: await count(db("responses as r").join("invitations as i", "i.id", "r.invitation_id").where({ "i.client_id": clientId, "i.municipality_id": municipalityId })),
    openFollowups: await count(followups().whereNot("status", "closed")),
    notes: await count(db("followup_notes as n").join("followups as f", "f.id", "n.followup_id").where({ "f.client_id": clientId, "f.municipality_id": municipalityId })),
    quotes: await count(quotesOf(db, municipalityId, clientId)),
    hasContact: (await count(db("client_contacts").where({ client_id: clientId }))) > 0,
  };
}

function quotesOf(db: Executor, municipalityId: number, clientId: number): Knex.QueryBuilder {
  return db("quotes")
    .where("municipality_id", municipalityId)
    .where((q) =>
      q
        .whereIn("followup_id", db("followups").select("id").where({ client_id: clientId, municipality_id: municipalityId }))
        .orWhereIn("response_id", db("responses as r").join("invitations as i", "i.id", "r.invitation_id").select("r.id").where({ "i.client_id": clientId, "i.municipality_id": municipalityId })),
    );
}

/** Messages still waiting (also letters in a print batch not yet posted) are cancelled: nothing more goes out. */
export async function cancelWaitingDeliveries(trx: Knex.Transaction, municipalityId: number, clientId: number, now: Date): Promise<number> {
  return trx("deliveries")
    .whereIn("invitation_id", trx("invitations").select("id").where({ client_id: clientId, municipality_id: municipalityId }))
    .whereIn("status", ["pending", "batched"])
    .update({ status: "cancelled", updated_at: toDbTime(now) });
}

/** Deletes the contact data; returns the addresses and numbers it held, to remove their dev-outbox messages too. */
export async function deleteContact(trx: Knex.Transaction, clientId: number): Promise<string[]> {
  const row = await trx("client_contacts").select("email", "mobile", "callback_phone").where({ client_id: clientId }).first();
  if (!row) return [];
  await trx("client_contacts").where({ client_id: clientId }).delete();
  return [row.email, row.mobile, row.callback_phone].filter((v): v is string => typeof v === "string" && v !== "");
}

export async function deleteOutboxMessagesTo(trx: Knex.Transaction, municipalityId: number, recipients: string[]): Promise<number> {
  if (recipients.length === 0) return 0;
  return trx("dev_outbox").where({ municipality_id: municipalityId }).whereIn("recipient", recipients).delete();
}

export type StoredAnswers = {
  responseId: number;
  answers: Record<string, unknown>;
  version: { questionnaire: string; baseVersion: number; customisation: unknown; definition: unknown; hash: string };
};

export async function listResponsesOfClient(trx: Knex.Transaction, municipalityId: number, clientId: number): Promise<StoredAnswers[]> {
  const rows = await trx("responses as r")
    .join("invitations as i", "i.id", "r.invitation_id")
    .join("questionnaire_versions as q", "q.id", "r.questionnaire_version_id")
    .select("r.id", "r.answers", "q.questionnaire", "q.base_version", "q.customisation", "q.definition", "q.definition_hash")
    .where({ "i.client_id": clientId, "i.municipality_id": municipalityId })
    .orderBy("r.id");
  return rows.map((r) => ({
    responseId: r.id as number,
    answers: fromJson<Record<string, unknown>>(r.answers) ?? {},
    version: { questionnaire: r.questionnaire, baseVersion: r.base_version, customisation: fromJson(r.customisation), definition: fromJson(r.definition), hash: r.definition_hash },
  }));
}

export async function replaceAnswers(trx: Knex.Transaction, responseId: number, answers: Record<string, unknown>, now: Date): Promise<void> {
  await trx("responses").where({ id: responseId }).update({ answers: toJson(answers), updated_at: toDbTime(now) });
}

export async function deleteQuotesOfClient(trx: Knex.Transaction, municipalityId: number, clientId: number): Promise<number> {
  return quotesOf(trx, municipalityId, clientId).delete();
}

export async function deleteNotesOfClient(trx: Knex.Transaction, municipalityId: number, clientId: number): Promise<number> {
  return trx("followup_notes").whereIn("followup_id", trx("followups").select("id").where({ client_id: clientId, municipality_id: municipalityId })).delete();
}

/** Follow-ups still open or claimed close: the client asked not to be contacted any more. */
export async function closeOpenFollowups(trx: Knex.Transaction, municipalityId: number, clientId: number, outcome: string, userId: number | null, now: Date): Promise<number> {
  return trx("followups")
    .where({ client_id: clientId, municipality_id: municipalityId })
    .whereNot("status", "closed")
    .update({ status: "closed", outcome, closed_at: toDbTime(now), closed_by_user_id: userId, callback_at: null, updated_at: toDbTime(now) });
}

/**
 * The case system's numbers are replaced by values that point nowhere, so its client and conversation numbers no
 * longer lead to the answers. The contact fingerprints (keyed hashes of the contact data) go too.
 */
export async function replaceExternalIds(trx: Knex.Transaction, municipalityId: number, clientId: number, newId: () => string, now: Date): Promise<number> {
  await trx("clients").where({ id: clientId, municipality_id: municipalityId }).update({ external_id: newId(), updated_at: toDbTime(now) });
  const conversations = await trx("conversations").select("id").where({ client_id: clientId, municipality_id: municipalityId });
  for (const { id } of conversations) {
    await trx("conversations").where({ id }).update({ external_id: newId(), contact_fingerprint: "{}" });
  }
  return conversations.length;
}
