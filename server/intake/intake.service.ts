// Registering intake conversations, one (API) or a batch (CSV) at a time. Idempotent on the conversation's
// external id: the same conversation again changes nothing; a different one under the same id is a conflict
// that names the fields that differ. A new conversation updates its client's contact data.
import { createHmac, hkdfSync } from "node:crypto";
import type { Db, Knex } from "../db.ts";
import {
  findClientsByExternalIds,
  findConversation,
  findConversationsByExternalIds,
  insertClients,
  insertContacts,
  insertConversations,
  saveContact,
  updateClient,
  type ConversationSummary,
  type StoredClient,
  type StoredConversation,
} from "./intake.queries.ts";
import type { ContactInput, ConversationInput } from "./intake.schema.ts";

export type RegisterOutcome =
  | { kind: "created"; conversationId: number }
  | { kind: "unchanged"; conversationId: number }
  | { kind: "conflict"; conversationId: number; fields: string[] };

export type RegisterMeta = { source: "api" | "csv"; importId?: number | null };

/**
 * Contact fields are compared through keyed hashes (HMAC with a key derived from SESSION_SECRET): the
 * conversation row can tell whether a resend carries the same contact data without holding a copy of it.
 */
export function fingerprintKey(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", sessionSecret, "luisterpost", "contact-fingerprint", 32));
}

const FINGERPRINTED: Array<[string, (input: ConversationInput) => string | number | null]> = [
  ["client.birthYear", (i) => i.client.birthYear],
  ["client.language", (i) => i.client.language],
  ["client.email", (i) => i.client.contact.email],
  ["client.mobile", (i) => i.client.contact.mobile],
  ["client.address.street", (i) => i.client.contact.street],
  ["client.address.houseNumber", (i) => i.client.contact.houseNumber],
  ["client.address.postalCode", (i) => i.client.contact.postalCode],
  ["client.address.city", (i) => i.client.contact.city],
];

export function contactFingerprint(key: Buffer, input: ConversationInput): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [field, read] of FINGERPRINTED) {
    result[field] = createHmac("sha256", key).update(`${input.externalId}\u0000${field}\u0000${read(input) ?? ""}`).digest("hex").slice(0, 24);
  }
  return result;
}

/** The fields in which `input` differs from what was stored under the same external id. */
export function differingFields(stored: StoredConversation, input: ConversationInput, fingerprint: Record<string, string>): string[] {
  const fields: string[] = [];
  const compare: Array<[string, unknown, unknown]> = [
    ["law", stored.law, input.law],
    ["heldOn", stored.heldOn, input.heldOn],
    ["team", stored.team, input.team],
    ["area", stored.area, input.area],
    ["provision", stored.provision, input.provision],
    ["preferredChannel", stored.preferredChannel, input.preferredChannel],
    ["client.externalId", stored.clientExternalId, input.client.externalId],
  ];
  for (const [field, before, after] of compare) if ((before ?? null) !== (after ?? null)) fields.push(field);
  for (const [field] of FINGERPRINTED) {
    if (stored.contactFingerprint[field] !== undefined && stored.contactFingerprint[field] !== fingerprint[field]) fields.push(field);
  }
  return fields;
}

type Creation = { input: ConversationInput; fingerprint: Record<string, string>; stored: StoredConversation };

/** Only the contact fields that were given; fields left empty keep what was known (as saveContact does). */
function mergeContact(before: ContactInput | undefined, after: ContactInput): ContactInput {
  if (!before) return { ...after };
  const merged = { ...before };
  for (const [field, value] of Object.entries(after) as Array<[keyof ContactInput, string | null]>) if (value !== null) merged[field] = value;
  return merged;
}

/**
 * Creates the batch's new conversations with a handful of statements instead of three per conversation: the
 * clients' final state (later conversations in the batch update earlier ones, as one by one would), new
 * clients in bulk, contact data in bulk where the client had none, then the conversations in bulk.
 */
async function createConversations(trx: Knex.Transaction, municipalityId: number, creations: Creation[], clients: Map<string, StoredClient>, meta: RegisterMeta): Promise<void> {
  const newClients = new Map<string, { externalId: string; birthYear: number | null; language: string }>();
  const patches = new Map<StoredClient, { birthYear?: number; language?: string }>();
  const contacts = new Map<string, ContactInput>();
  for (const { input } of creations) {
    const externalId = input.client.externalId;
    const known = clients.get(externalId);
    const fresh = newClients.get(externalId);
    if (!known && !fresh) {
      newClients.set(externalId, { externalId, birthYear: input.client.birthYear, language: input.client.language });
    } else {
      const current = fresh ?? { ...known!, ...patches.get(known!) };
      const patch: { birthYear?: number; language?: string } = {};
      if (input.client.birthYear !== null && input.client.birthYear !== current.birthYear) patch.birthYear = input.client.birthYear;
      if (input.client.language !== current.language) patch.language = input.client.language;
      if (fresh) Object.assign(fresh, patch);
      else if (Object.keys(patch).length > 0) patches.set(known!, { ...patches.get(known!), ...patch });
    }
    contacts.set(externalId, mergeContact(contacts.get(externalId), input.client.contact));
  }

  const newIds = await insertClients(trx, municipalityId, [...newClients.values()]);
  for (const [client, patch] of patches) {
    await updateClient(trx, client.id, patch);
    Object.assign(client, patch);
  }
  const clientId = (externalId: string) => clients.get(externalId)?.id ?? newIds.get(externalId)!;
  const contactInserts: Array<{ clientId: number; contact: ContactInput }> = [];
  for (const [externalId, contact] of contacts) {
    const known = clients.get(externalId);
    if (known?.hasContact) await saveContact(trx, known.id, contact, true);
    else contactInserts.push({ clientId: clientId(externalId), contact });
  }
  await insertContacts(trx, contactInserts);
  for (const [externalId, values] of newClients) clients.set(externalId, { id: newIds.get(externalId)!, ...values, hasContact: true });
  for (const known of clients.values()) if (contacts.has(known.externalId)) known.hasContact = true;

  const ids = await insertConversations(
    trx,
    creations.map(({ input, fingerprint }) => ({
      municipalityId,
      clientId: clientId(input.client.externalId),
      externalId: input.externalId,
      law: input.law,
      heldOn: input.heldOn,
      team: input.team,
      area: input.area,
      provision: input.provision,
      preferredChannel: input.preferredChannel,
      contactFingerprint: fingerprint,
      source: meta.source,
      importId: meta.importId ?? null,
    })),
  );
  for (const creation of creations) creation.stored.id = ids.get(creation.input.externalId)!;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === "23505" || e?.code === "SQLITE_CONSTRAINT" || /UNIQUE constraint failed/.test(e?.message ?? "");
}

/**
 * Registers a batch in one transaction; the outcomes are in the order of `inputs`. Inputs that repeat an
 * external id within the batch are compared with the first one, like a resend.
 */
export async function registerConversations(
  db: Db,
  key: Buffer,
  municipalityId: number,
  inputs: ConversationInput[],
  meta: RegisterMeta,
): Promise<RegisterOutcome[]> {
  const attempt = () =>
    db.transaction(async (trx) => {
      const existing = await findConversationsByExternalIds(trx, municipalityId, inputs.map((i) => i.externalId));
      const clients = await findClientsByExternalIds(trx, municipalityId, inputs.map((i) => i.client.externalId));
      // First what each input is (a resend, a conflict or new), then all new ones at once; a repeat within
      // the batch is compared with its first occurrence, whose id is known once it has been inserted.
      const creations: Creation[] = [];
      const seen: Array<{ stored: StoredConversation; fields: string[]; created: boolean }> = [];
      for (const input of inputs) {
        const fingerprint = contactFingerprint(key, input);
        const stored = existing.get(input.externalId);
        if (stored) {
          seen.push({ stored, fields: differingFields(stored, input, fingerprint), created: false });
          continue;
        }
        const created: StoredConversation = {
          id: 0,
          externalId: input.externalId,
          law: input.law,
          heldOn: input.heldOn,
          team: input.team,
          area: input.area,
          provision: input.provision,
          preferredChannel: input.preferredChannel,
          clientExternalId: input.client.externalId,
          contactFingerprint: fingerprint,
        };
        existing.set(input.externalId, created);
        creations.push({ input, fingerprint, stored: created });
        seen.push({ stored: created, fields: [], created: true });
      }
      if (creations.length > 0) await createConversations(trx, municipalityId, creations, clients, meta);
      const outcomes: RegisterOutcome[] = seen.map(({ stored, fields, created }) =>
        created ? { kind: "created", conversationId: stored.id } : fields.length === 0 ? { kind: "unchanged", conversationId: stored.id } : { kind: "conflict", conversationId: stored.id, fields },
      );
      return outcomes;
    });
  try {
    return await attempt();
  } catch (err) {
    // Another request registered the same conversation or client between our read and our insert; with
    // theirs committed, a second pass sees it and answers as for a resend.
    if (isUniqueViolation(err)) return attempt();
    throw err;
  }
}

/** A conversation as the API and staff pages show it: never with contact data. */
export async function getConversation(db: Db, municipalityId: number, externalId: string): Promise<ConversationSummary | undefined> {
  return findConversation(db, municipalityId, externalId);
}
