// Registering intake conversations, one (API) or a batch (CSV) at a time. Idempotent on the conversation's
// external id: the same conversation again changes nothing; a different one under the same id is a conflict
// that names the fields that differ. A new conversation updates its client's contact data.
import { createHmac, hkdfSync } from "node:crypto";
import type { Db, Knex } from "../db.ts";
import {
  findClientsByExternalIds,
  findConversation,
  findConversationsByExternalIds,
  insertClient,
  insertConversation,
  saveContact,
  updateClient,
  type ConversationSummary,
  type StoredClient,
  type StoredConversation,
} from "./intake.queries.ts";
import type { ConversationInput } from "./intake.schema.ts";

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

async function createConversation(
  trx: Knex.Transaction,
  municipalityId: number,
  input: ConversationInput,
  fingerprint: Record<string, string>,
  clients: Map<string, StoredClient>,
  meta: RegisterMeta,
): Promise<number> {
  let client = clients.get(input.client.externalId);
  if (!client) {
    const id = await insertClient(trx, { municipalityId, externalId: input.client.externalId, birthYear: input.client.birthYear, language: input.client.language });
    client = { id, externalId: input.client.externalId, birthYear: input.client.birthYear, language: input.client.language, hasContact: false };
    clients.set(client.externalId, client);
  } else {
    const patch: { birthYear?: number; language?: string } = {};
    if (input.client.birthYear !== null && input.client.birthYear !== client.birthYear) patch.birthYear = input.client.birthYear;
    if (input.client.language !== client.language) patch.language = input.client.language;
    if (Object.keys(patch).length > 0) {
      await updateClient(trx, client.id, patch);
      Object.assign(client, patch);
    }
  }
  await saveContact(trx, client.id, input.client.contact, client.hasContact);
  client.hasContact = true;
  return insertConversation(trx, {
    municipalityId,
    clientId: client.id,
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
  });
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
      const outcomes: RegisterOutcome[] = [];
      for (const input of inputs) {
        const fingerprint = contactFingerprint(key, input);
        const stored = existing.get(input.externalId);
        if (stored) {
          const fields = differingFields(stored, input, fingerprint);
          outcomes.push(fields.length === 0 ? { kind: "unchanged", conversationId: stored.id } : { kind: "conflict", conversationId: stored.id, fields });
          continue;
        }
        const id = await createConversation(trx, municipalityId, input, fingerprint, clients, meta);
        existing.set(input.externalId, {
          id,
          externalId: input.externalId,
          law: input.law,
          heldOn: input.heldOn,
          team: input.team,
          area: input.area,
          provision: input.provision,
          preferredChannel: input.preferredChannel,
          clientExternalId: input.client.externalId,
          contactFingerprint: fingerprint,
        });
        outcomes.push({ kind: "created", conversationId: id });
      }
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
