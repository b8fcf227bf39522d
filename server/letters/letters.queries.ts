// The only place that runs knex against letter_batches, and the letter side of deliveries: which letters are
// due for the next print batch (with the postal address: letters need it), and marking a batch posted.
import { fromDbTime, toDbTime, type Db, type Knex } from "../db.ts";

type Executor = Db | Knex.Transaction;

export type DueLetter = {
  deliveryId: number;
  kind: "invite" | "reminder";
  sequence: number;
  invitationId: number;
  invitationStatus: string;
  questionnaireVersionId: number;
  audience: string;
  clientId: number;
  language: string;
  optedOut: boolean;
  address: { street: string | null; houseNumber: string | null; postalCode: string | null; city: string | null };
};

export async function municipalitiesWithDueLetters(db: Executor, now: Date): Promise<number[]> {
  const rows = await db("deliveries").distinct("municipality_id").where({ status: "pending", channel: "letter" }).where("due_at", "<=", toDbTime(now));
  return rows.map((r) => r.municipality_id as number);
}

export async function findDueLetters(db: Executor, municipalityId: number, now: Date, limit: number): Promise<DueLetter[]> {
  const rows = await db("deliveries as d")
    .join("invitations as i", "i.id", "d.invitation_id")
    .join("clients as c", "c.id", "i.client_id")
    .leftJoin("client_contacts as k", "k.client_id", "i.client_id")
    .where({ "d.municipality_id": municipalityId, "d.status": "pending", "d.channel": "letter" })
    .where("d.due_at", "<=", toDbTime(now))
    .orderBy("d.due_at")
    .orderBy("d.id")
    .limit(limit)
    .select(
      "d.id",
      "d.kind",
      "d.sequence",
      "d.invitation_id",
      "i.status as invitation_status",
      "i.questionnaire_version_id",
      "i.audience",
      "i.client_id",
      "c.language",
      "c.opted_out_at",
      "k.street",
      "k.house_number",
      "k.postal_code",
      "k.city",
    );
  return rows.map((r) => ({
    deliveryId: r.id,
    kind: r.kind,
    sequence: Number(r.sequence),
    invitationId: r.invitation_id,
    invitationStatus: r.invitation_status,
    questionnaireVersionId: r.questionnaire_version_id,
    audience: r.audience,
    clientId: r.client_id,
    language: r.language,
    optedOut: fromDbTime(r.opted_out_at) !== null,
    address: { street: r.street ?? null, houseNumber: r.house_number ?? null, postalCode: r.postal_code ?? null, city: r.city ?? null },
  }));
}

/** Stores the print file and moves its letters to 'batched', in one transaction with their codes. */
export async function insertLetterBatch(
  trx: Knex.Transaction,
  municipalityId: number,
  deliveryIds: number[],
  pdf: Buffer,
  now: Date,
): Promise<number> {
  const [row] = await trx("letter_batches")
    .insert({ municipality_id: municipalityId, status: "ready", letters: deliveryIds.length, pdf, pdf_bytes: pdf.length, created_at: toDbTime(now) })
    .returning(["id"]);
  const batchId = row.id as number;
  for (let i = 0; i < deliveryIds.length; i += 500) {
    await trx("deliveries")
      .whereIn("id", deliveryIds.slice(i, i + 500))
      .where("status", "pending")
      .update({ status: "batched", letter_batch_id: batchId, attempts: trx.raw("attempts + 1"), updated_at: toDbTime(now) });
  }
  return batchId;
}

export type LetterBatchRow = {
  id: number;
  status: "ready" | "posted";
  letters: number;
  pdfBytes: number;
  hasPdf: boolean;
  createdAt: Date;
  postedAt: Date | null;
  postedBy: string | null;
};

function toBatch(r: Record<string, unknown>): LetterBatchRow {
  return {
    id: r.id as number,
    status: r.status as LetterBatchRow["status"],
    letters: Number(r.letters),
    pdfBytes: Number(r.pdf_bytes),
    hasPdf: fromDbTime(r.pdf_deleted_at) === null,
    createdAt: fromDbTime(r.created_at)!,
    postedAt: fromDbTime(r.posted_at),
    postedBy: (r.posted_by as string | null) ?? null,
  };
}

const BATCH_COLUMNS = ["b.id", "b.status", "b.letters", "b.pdf_bytes", "b.pdf_deleted_at", "b.created_at", "b.posted_at", "u.name as posted_by"];

export async function listLetterBatches(db: Executor, municipalityId: number, limit = 100): Promise<LetterBatchRow[]> {
  const rows = await db("letter_batches as b")
    .leftJoin("users as u", "u.id", "b.posted_by_user_id")
    .select(BATCH_COLUMNS)
    .where("b.municipality_id", municipalityId)
    .orderBy("b.created_at", "desc")
    .orderBy("b.id", "desc")
    .limit(limit);
  return rows.map(toBatch);
}

export async function findLetterBatch(db: Executor, municipalityId: number, id: number): Promise<LetterBatchRow | undefined> {
  const row = await db("letter_batches as b").leftJoin("users as u", "u.id", "b.posted_by_user_id").select(BATCH_COLUMNS).where({ "b.id": id, "b.municipality_id": municipalityId }).first();
  return row ? toBatch(row) : undefined;
}

export async function readLetterPdf(db: Executor, municipalityId: number, id: number): Promise<Buffer | undefined> {
  const row = await db("letter_batches").select("pdf").where({ id, municipality_id: municipalityId }).whereNull("pdf_deleted_at").first();
  return row?.pdf ? Buffer.from(row.pdf as Uint8Array) : undefined;
}

/** The letters of a batch, for marking it posted: each delivery becomes 'sent' on the posting date. */
export async function findBatchDeliveries(db: Executor, batchId: number): Promise<Array<{ id: number; invitationId: number; municipalityId: number }>> {
  const rows = await db("deliveries").select("id", "invitation_id", "municipality_id").where({ letter_batch_id: batchId, status: "batched" });
  return rows.map((r) => ({ id: r.id, invitationId: r.invitation_id, municipalityId: r.municipality_id }));
}

export async function markBatchPosted(trx: Knex.Transaction, municipalityId: number, id: number, userId: number | null, now: Date): Promise<boolean> {
  const updated = await trx("letter_batches").where({ id, municipality_id: municipalityId, status: "ready" }).update({ status: "posted", posted_at: toDbTime(now), posted_by_user_id: userId });
  return updated === 1;
}

/** Print files hold names of streets and codes: deleted this long after posting. */
export async function deletePostedPdfs(db: Executor, postedBefore: Date, now: Date): Promise<number> {
  return db("letter_batches").where("status", "posted").where("posted_at", "<", toDbTime(postedBefore)).whereNull("pdf_deleted_at").update({ pdf: null, pdf_deleted_at: toDbTime(now) });
}

/** Posting day: the batch's letters are sent, and invitations whose first message this was start their clock. */
export async function markBatchLettersSent(trx: Knex.Transaction, batchId: number, now: Date, clock: { expiresAt: Date; nextReminderAt: Date | null }): Promise<number> {
  const invitationIds = (await trx("deliveries").select("invitation_id").where({ letter_batch_id: batchId, status: "batched" })).map((r) => r.invitation_id as number);
  await trx("deliveries").where({ letter_batch_id: batchId, status: "batched" }).update({ status: "sent", sent_at: toDbTime(now), updated_at: toDbTime(now) });
  for (let i = 0; i < invitationIds.length; i += 500) {
    await trx("invitations")
      .whereIn("id", invitationIds.slice(i, i + 500))
      .where("status", "planned")
      .update({ status: "sent", sent_at: toDbTime(now), expires_at: toDbTime(clock.expiresAt), next_reminder_at: clock.nextReminderAt ? toDbTime(clock.nextReminderAt) : null });
  }
  return invitationIds.length;
}
