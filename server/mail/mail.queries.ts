// The only place that runs knex against the dev_outbox table.
import { fromDbTime, fromJson, toDbTime, toJson, type Db } from "../db.ts";

export type OutboxChannel = "email" | "sms";

export type OutboxMessage = {
  id: number;
  channel: OutboxChannel;
  municipalityId: number | null;
  category: string;
  recipient: string;
  subject: string | null;
  bodyText: string;
  bodyHtml: string | null;
  headers: Record<string, string>;
  createdAt: Date;
};

export type NewOutboxMessage = {
  channel: OutboxChannel;
  municipalityId?: number | null;
  category: string;
  recipient: string;
  subject?: string | null;
  bodyText: string;
  bodyHtml?: string | null;
  headers?: Record<string, string>;
};

export type OutboxFilter = {
  /** A municipality's messages, `null` for those of no municipality, `"all"` (or omitted) for every message. */
  municipalityId?: number | null | "all";
  channel?: OutboxChannel;
  limit: number;
  offset?: number;
};

const COLUMNS = [
  "id",
  "channel",
  "municipality_id",
  "category",
  "recipient",
  "subject",
  "body_text",
  "body_html",
  "headers",
  "created_at",
] as const;

type DbRow = {
  id: number;
  channel: OutboxChannel;
  municipality_id: number | null;
  category: string;
  recipient: string;
  subject: string | null;
  body_text: string;
  body_html: string | null;
  headers: unknown;
  created_at: unknown;
};

function toMessage(row: DbRow): OutboxMessage {
  return {
    id: row.id,
    channel: row.channel,
    municipalityId: row.municipality_id ?? null,
    category: row.category,
    recipient: row.recipient,
    subject: row.subject ?? null,
    bodyText: row.body_text,
    bodyHtml: row.body_html ?? null,
    headers: fromJson<Record<string, string>>(row.headers) ?? {},
    createdAt: fromDbTime(row.created_at)!,
  };
}

export async function insertOutboxMessage(db: Db, values: NewOutboxMessage): Promise<OutboxMessage> {
  const [row] = await db("dev_outbox")
    .insert({
      channel: values.channel,
      municipality_id: values.municipalityId ?? null,
      category: values.category,
      recipient: values.recipient,
      subject: values.subject ?? null,
      body_text: values.bodyText,
      body_html: values.bodyHtml ?? null,
      headers: toJson(values.headers ?? {}),
      created_at: toDbTime(new Date()),
    })
    .returning([...COLUMNS]);
  return toMessage(row as DbRow);
}

/** Newest first; messages stored in the same millisecond keep their insertion order through the id. */
export async function listOutboxMessages(db: Db, filter: OutboxFilter): Promise<OutboxMessage[]> {
  const query = db("dev_outbox")
    .select(...COLUMNS)
    .orderBy([
      { column: "created_at", order: "desc" },
      { column: "id", order: "desc" },
    ])
    .limit(filter.limit)
    .offset(filter.offset ?? 0);
  // Not `??`: null asks for the messages of no municipality, not for all of them.
  const municipalityId = filter.municipalityId === undefined ? "all" : filter.municipalityId;
  if (municipalityId === null) query.whereNull("municipality_id");
  else if (municipalityId !== "all") query.where("municipality_id", municipalityId);
  if (filter.channel) query.where("channel", filter.channel);
  const rows = (await query) as DbRow[];
  return rows.map(toMessage);
}

export async function findOutboxMessage(db: Db, id: number): Promise<OutboxMessage | undefined> {
  const row = (await db("dev_outbox").select(...COLUMNS).where({ id }).first()) as DbRow | undefined;
  return row ? toMessage(row) : undefined;
}
