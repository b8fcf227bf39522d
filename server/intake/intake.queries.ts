// The only place that runs knex against clients, client_contacts and conversations.
import { countOf, fromDbTime, fromJson, orWhereContains, toDbTime, toJson, whereContains, type Db, type Knex } from "../db.ts";
import type { Channel, Law } from "./intake.normalize.ts";
import type { ContactInput, ConversationInput } from "./intake.schema.ts";

type Executor = Db | Knex.Transaction;

// SQLite allows at most 32766 bound variables per statement (999 in old builds); stay far below.
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** The fields of a conversation itself, as registered (no client or contact data). */
export type ConversationFields = Pick<ConversationInput, "externalId" | "law" | "heldOn" | "team" | "area" | "provision" | "preferredChannel">;

export type StoredConversation = ConversationFields & {
  id: number;
  clientExternalId: string;
  contactFingerprint: Record<string, string>;
};

export async function findConversationsByExternalIds(db: Executor, municipalityId: number, externalIds: string[]): Promise<Map<string, StoredConversation>> {
  const found = new Map<string, StoredConversation>();
  for (const ids of chunks([...new Set(externalIds)])) {
    const rows = await db("conversations as v")
      .join("clients as c", "c.id", "v.client_id")
      .select("v.id", "v.external_id", "v.law", "v.held_on", "v.team", "v.area", "v.provision", "v.preferred_channel", "v.contact_fingerprint", "c.external_id as client_external_id")
      .where("v.municipality_id", municipalityId)
      .whereIn("v.external_id", ids);
    for (const r of rows) {
      found.set(r.external_id, {
        id: r.id,
        externalId: r.external_id,
        law: r.law,
        heldOn: r.held_on,
        team: r.team,
        area: r.area,
        provision: r.provision,
        preferredChannel: r.preferred_channel,
        clientExternalId: r.client_external_id,
        contactFingerprint: fromJson<Record<string, string>>(r.contact_fingerprint) ?? {},
      });
    }
  }
  return found;
}

export type StoredClient = { id: number; externalId: string; birthYear: number | null; language: string; hasContact: boolean };

export async function findClientsByExternalIds(db: Executor, municipalityId: number, externalIds: string[]): Promise<Map<string, StoredClient>> {
  const found = new Map<string, StoredClient>();
  for (const ids of chunks([...new Set(externalIds)])) {
    const rows = await db("clients as c")
      .leftJoin("client_contacts as k", "k.client_id", "c.id")
      .select("c.id", "c.external_id", "c.birth_year", "c.language", "k.client_id as contact_client_id")
      .where("c.municipality_id", municipalityId)
      .whereIn("c.external_id", ids);
    for (const r of rows) {
      found.set(r.external_id, { id: r.id, externalId: r.external_id, birthYear: r.birth_year, language: r.language, hasContact: r.contact_client_id !== null });
    }
  }
  return found;
}

export async function updateClient(db: Executor, id: number, values: { birthYear?: number; language?: string }): Promise<void> {
  const patch: Record<string, unknown> = { updated_at: toDbTime(new Date()) };
  if (values.birthYear !== undefined) patch.birth_year = values.birthYear;
  if (values.language !== undefined) patch.language = values.language;
  await db("clients").where({ id }).update(patch);
}

const CONTACT_COLUMNS: Record<keyof ContactInput, string> = {
  email: "email",
  mobile: "mobile",
  street: "street",
  houseNumber: "house_number",
  postalCode: "postal_code",
  city: "city",
};

/** Writes the contact fields that were given; fields left empty keep what was known. */
export async function saveContact(db: Executor, clientId: number, contact: ContactInput, exists: boolean): Promise<void> {
  const values: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(CONTACT_COLUMNS)) {
    const value = contact[field as keyof ContactInput];
    if (value !== null) values[column] = value;
  }
  const now = toDbTime(new Date());
  if (exists && Object.keys(values).length === 0) return;
  // An upsert, not "update if it existed": the retention job may have deleted the row a moment ago (after the
  // client's last measurement closed), and the new conversation's contact data must not be lost.
  await db("client_contacts")
    .insert({ client_id: clientId, ...values, updated_at: now })
    .onConflict("client_id")
    .merge([...Object.keys(values), "updated_at"]);
}

/** Many clients in one statement per chunk; the ids come back by external id. */
export async function insertClients(
  db: Executor,
  municipalityId: number,
  rows: Array<{ externalId: string; birthYear: number | null; language: string }>,
): Promise<Map<string, number>> {
  const now = toDbTime(new Date());
  const ids = new Map<string, number>();
  for (const chunk of chunks(rows)) {
    const inserted = await db("clients")
      .insert(chunk.map((r) => ({ municipality_id: municipalityId, external_id: r.externalId, birth_year: r.birthYear, language: r.language, created_at: now, updated_at: now })))
      .returning(["id", "external_id"]);
    for (const r of inserted) ids.set(r.external_id, r.id);
  }
  return ids;
}

/** Contact rows for clients that have none yet. */
export async function insertContacts(db: Executor, rows: Array<{ clientId: number; contact: ContactInput }>): Promise<void> {
  const now = toDbTime(new Date());
  for (const chunk of chunks(rows)) {
    await db("client_contacts").insert(
      chunk.map(({ clientId, contact }) => ({
        client_id: clientId,
        email: contact.email,
        mobile: contact.mobile,
        street: contact.street,
        house_number: contact.houseNumber,
        postal_code: contact.postalCode,
        city: contact.city,
        updated_at: now,
      })),
    );
  }
}

export type NewConversation = {
  municipalityId: number;
  clientId: number;
  externalId: string;
  law: Law;
  heldOn: string;
  team: string | null;
  area: string | null;
  provision: string | null;
  preferredChannel: Channel | null;
  contactFingerprint: Record<string, string>;
  source: "api" | "csv";
  importId: number | null;
};

/** Many conversations in one statement per chunk; the ids come back by external id. */
export async function insertConversations(db: Executor, rows: NewConversation[]): Promise<Map<string, number>> {
  const now = toDbTime(new Date());
  const ids = new Map<string, number>();
  for (const chunk of chunks(rows)) {
    const inserted = await db("conversations")
      .insert(
        chunk.map((v) => ({
          municipality_id: v.municipalityId,
          client_id: v.clientId,
          external_id: v.externalId,
          law: v.law,
          held_on: v.heldOn,
          team: v.team,
          area: v.area,
          provision: v.provision,
          preferred_channel: v.preferredChannel,
          contact_fingerprint: toJson(v.contactFingerprint),
          source: v.source,
          import_id: v.importId,
          created_at: now,
        })),
      )
      .returning(["id", "external_id"]);
    for (const r of inserted) ids.set(r.external_id, r.id);
  }
  return ids;
}

// --- reading, for the API and the staff pages (never contact data unless asked for explicitly) -----------

export type ConversationSummary = ConversationFields & {
  id: number;
  source: string;
  createdAt: Date;
  clientId: number;
  clientExternalId: string;
  clientOptedOut: boolean;
  /** The planner's outcome: null until planned, 'invited' or 'skipped' (with the reason). */
  planStatus: "invited" | "skipped" | null;
  planReason: string | null;
};

function summarise(r: Record<string, unknown>): ConversationSummary {
  return {
    id: r.id as number,
    externalId: r.external_id as string,
    law: r.law as Law,
    heldOn: r.held_on as string,
    team: (r.team as string | null) ?? null,
    area: (r.area as string | null) ?? null,
    provision: (r.provision as string | null) ?? null,
    preferredChannel: (r.preferred_channel as Channel | null) ?? null,
    source: r.source as string,
    createdAt: fromDbTime(r.created_at)!,
    clientId: r.client_id as number,
    clientExternalId: r.client_external_id as string,
    clientOptedOut: r.opted_out_at !== null && r.opted_out_at !== undefined,
    planStatus: (r.plan_status as ConversationSummary["planStatus"]) ?? null,
    planReason: (r.plan_reason as string | null) ?? null,
  };
}

const SUMMARY_COLUMNS = [
  "v.id",
  "v.external_id",
  "v.law",
  "v.held_on",
  "v.team",
  "v.area",
  "v.provision",
  "v.preferred_channel",
  "v.source",
  "v.created_at",
  "v.client_id",
  "c.external_id as client_external_id",
  "c.opted_out_at",
  "v.plan_status",
  "v.plan_reason",
];

export async function findConversation(db: Db, municipalityId: number, externalId: string): Promise<ConversationSummary | undefined> {
  const row = await db("conversations as v")
    .join("clients as c", "c.id", "v.client_id")
    .select(SUMMARY_COLUMNS)
    .where({ "v.municipality_id": municipalityId, "v.external_id": externalId })
    .first();
  return row ? summarise(row) : undefined;
}

export type ConversationFilter = { search?: string; law?: Law; team?: string; limit: number; offset: number };

export async function listConversations(db: Db, municipalityId: number, filter: ConversationFilter): Promise<{ rows: ConversationSummary[]; total: number }> {
  const base = () => {
    const q = db("conversations as v").join("clients as c", "c.id", "v.client_id").where("v.municipality_id", municipalityId);
    if (filter.search) q.where((s) => orWhereContains(whereContains(s, "v.external_id", filter.search!), "c.external_id", filter.search!));
    if (filter.law) q.where("v.law", filter.law);
    if (filter.team) q.where("v.team", filter.team);
    return q;
  };
  const total = countOf(await base().count({ count: "*" }));
  const rows = await base().select(SUMMARY_COLUMNS).orderBy("v.held_on", "desc").orderBy("v.id", "desc").limit(filter.limit).offset(filter.offset);
  return { rows: rows.map(summarise), total };
}

export async function listTeams(db: Db, municipalityId: number): Promise<string[]> {
  return (await db("conversations").distinct("team").where({ municipality_id: municipalityId }).whereNotNull("team").orderBy("team")).map((r) => r.team as string);
}

export type ClientDetails = { id: number; externalId: string; birthYear: number | null; language: string; optedOutAt: Date | null };

export async function findClient(db: Db, municipalityId: number, clientId: number): Promise<ClientDetails | undefined> {
  const r = await db("clients").select("id", "external_id", "birth_year", "language", "opted_out_at").where({ id: clientId, municipality_id: municipalityId }).first();
  return r ? { id: r.id, externalId: r.external_id, birthYear: r.birth_year, language: r.language, optedOutAt: fromDbTime(r.opted_out_at) } : undefined;
}

export async function listConversationsOfClient(db: Db, municipalityId: number, clientId: number): Promise<ConversationSummary[]> {
  const rows = await db("conversations as v")
    .join("clients as c", "c.id", "v.client_id")
    .select(SUMMARY_COLUMNS)
    .where({ "v.municipality_id": municipalityId, "v.client_id": clientId })
    .orderBy("v.held_on", "desc");
  return rows.map(summarise);
}

/** Contact data: only through this function, and only for a client of the given municipality. */
export async function findContact(db: Db, municipalityId: number, clientId: number): Promise<ContactInput | undefined> {
  const r = await db("client_contacts as k")
    .join("clients as c", "c.id", "k.client_id")
    .select("k.email", "k.mobile", "k.street", "k.house_number", "k.postal_code", "k.city")
    .where({ "k.client_id": clientId, "c.municipality_id": municipalityId })
    .first();
  return r ? { email: r.email, mobile: r.mobile, street: r.street, houseNumber: r.house_number, postalCode: r.postal_code, city: r.city } : undefined;
}
