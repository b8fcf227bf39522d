// The retention policy (DOMAIN.md, invariant 2): contact data is deleted once it is no longer needed — a number
// of days (per municipality, default 90) after the client's last invitation closed and any follow-up closed,
// with nothing still open or waiting. Pseudonymous answers, follow-up outcomes and themes, and report facts stay.
// The dev outbox (recipient addresses of messages that were never sent) goes after 30 days.
//
// Batched over client ids, so a municipality with hundreds of thousands of clients is a series of short
// statements that other processes can interleave with; idempotent, since a second run finds nothing to delete.
import { recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db.ts";
import type { Lease } from "../locks/locks.service.ts";
import { readSettingsOfAll } from "../settings/settings.service.ts";
import { countClientsWithContact, deleteEligibleContacts, deleteOutboxBatch, nextContactBatch } from "./retention.queries.ts";
import { OUTBOX_RETENTION_DAYS, RETENTION_SETTINGS } from "./retention.schema.ts";

const DAY_MS = 86_400_000;
export const DEFAULT_BATCH_SIZE = 1000;

export type PurgeCounts = {
  /** Clients whose contact data was deleted. */
  contacts: number;
  /** Dev-outbox messages deleted. */
  outboxMessages: number;
  /** Municipalities with anything deleted (each has one audit event for this run). */
  municipalities: number;
  /** True when the run stopped early because its lease was lost (another process carries on). */
  interrupted: boolean;
};

export type PurgeOptions = { now?: Date; batchSize?: number; lease?: Pick<Lease, "lost"> };

/** The moment before which a municipality's closed clients lose their contact data. */
export function contactCutoff(now: Date, contactDays: number): Date {
  return new Date(now.getTime() - contactDays * DAY_MS);
}

export async function purgeContactData(db: Db, options: PurgeOptions = {}): Promise<PurgeCounts> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const policyOf = await readSettingsOfAll(db, RETENTION_SETTINGS);
  const perMunicipality = new Map<number, { contacts: number; outboxMessages: number; contactDays: number }>();
  const tally = (municipalityId: number) => {
    let entry = perMunicipality.get(municipalityId);
    if (!entry) {
      entry = { contacts: 0, outboxMessages: 0, contactDays: policyOf(municipalityId).contactDays };
      perMunicipality.set(municipalityId, entry);
    }
    return entry;
  };
  let interrupted = false;

  // One pass over every client with contact data, in id order. Ids are handed out as clients arrive, so a batch
  // mostly belongs to one municipality; each municipality in it gets one delete with its own cut-off.
  let after = 0;
  for (;;) {
    if (options.lease?.lost()) {
      interrupted = true;
      break;
    }
    const batch = await nextContactBatch(db, after, batchSize);
    if (batch.length === 0) break;
    const upTo = batch.at(-1)!.clientId;
    for (const municipalityId of new Set(batch.map((b) => b.municipalityId))) {
      const entry = tally(municipalityId);
      entry.contacts += await deleteEligibleContacts(db, municipalityId, contactCutoff(now, entry.contactDays), after, upTo);
    }
    after = upTo;
  }

  let orphanOutbox = 0;
  if (!interrupted) {
    const outboxBefore = new Date(now.getTime() - OUTBOX_RETENTION_DAYS * DAY_MS);
    for (;;) {
      if (options.lease?.lost()) {
        interrupted = true;
        break;
      }
      const counts = await deleteOutboxBatch(db, outboxBefore, batchSize);
      if (counts.size === 0) break;
      for (const [municipalityId, count] of counts) {
        if (municipalityId === null) orphanOutbox += count;
        else tally(municipalityId).outboxMessages += count;
      }
    }
  }

  let municipalities = 0;
  let contacts = 0;
  let outboxMessages = orphanOutbox;
  for (const [municipalityId, entry] of perMunicipality) {
    contacts += entry.contacts;
    outboxMessages += entry.outboxMessages;
    if (entry.contacts === 0 && entry.outboxMessages === 0) continue;
    municipalities += 1;
    // Counts only: which clients lost their contact data is not worth keeping (and would point at them).
    await recordAudit(db, {
      action: "contact.purged",
      municipalityId,
      actor: "bewaartermijn",
      subjectType: "retention",
      subjectId: "contact",
      details: { contacts: entry.contacts, outboxMessages: entry.outboxMessages, contactDays: entry.contactDays },
    });
  }
  return { contacts, outboxMessages, municipalities, interrupted };
}

export type RetentionOverview = { contactDays: number; clientsWithContact: number };

export async function retentionOverview(db: Db, municipalityId: number, contactDays: number): Promise<RetentionOverview> {
  return { contactDays, clientsWithContact: await countClientsWithContact(db, municipalityId) };
}
