// Erasure on request (AVG art. 17, "recht op vergetelheid"): an administrator erases one client's data. What
// could identify the person goes — contact data, free-text answers, follow-up notes, quotes, dev-outbox messages,
// the case system's client and conversation numbers — and nothing is sent to the client again. What remains is
// pseudonymous and no longer linkable to the case system: answers to closed questions, follow-up outcomes and
// themes, and the report figures. Closed report periods keep their stored reports (invariant 6): those hold
// counts and reviewed, anonymised quotes only.
import { randomBytes } from "node:crypto";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db.ts";
import { versionInfoOf } from "../followups/followups.rule.ts";
import { markClientOptedOut } from "../invitations/optout.queries.ts";
import type { QuestionKind } from "../surveys/surveys.meta.ts";
import {
  cancelWaitingDeliveries,
  claimErasure,
  closeOpenFollowups,
  deleteContact,
  deleteNotesOfClient,
  deleteOutboxMessagesTo,
  deleteQuotesOfClient,
  findErasableClient,
  listResponsesOfClient,
  measureErasure,
  replaceAnswers,
  replaceExternalIds,
  type ErasureScope,
  type StoredAnswers,
} from "./erasure.queries.ts";

/** Answers to these kinds of question are codes from a fixed list: they say nothing about who answered. */
const CLOSED_KINDS: ReadonlySet<QuestionKind> = new Set(["agreement", "yes_no", "grade", "choice", "consent", "rating", "number"]);

/** The outcome an erased client's open follow-up gets: the client no longer wants to be contacted. */
export const ERASED_FOLLOWUP_OUTCOME = "wil_niet";

/** What stands in for the case system's numbers: random, recognisable as erased, unique per municipality. */
export function erasedId(): string {
  return `gewist-${randomBytes(9).toString("base64url")}`;
}

export type ErasureActor = { actorUserId: number | null; actor: string | null; ip: string | null; requestId: string | null };

export type ErasureCounts = {
  contact: boolean;
  invitationsClosed: number;
  messagesCancelled: number;
  answersRemoved: number;
  notesRemoved: number;
  quotesRemoved: number;
  followupsClosed: number;
  conversations: number;
  outboxMessages: number;
};

export type ErasureResult = { kind: "erased"; counts: ErasureCounts } | { kind: "already"; erasedAt: Date } | { kind: "unknown" };

/** Only the answers to closed questions of the response's own questionnaire version. */
export function closedAnswersOnly(stored: Pick<StoredAnswers, "answers" | "version">): { kept: Record<string, unknown>; removed: number } {
  const info = versionInfoOf(stored.version);
  const closed = new Set(info ? info.meta.questions.filter((q) => CLOSED_KINDS.has(q.kind)).map((q) => q.key) : []);
  const kept: Record<string, unknown> = {};
  let removed = 0;
  for (const [key, value] of Object.entries(stored.answers)) {
    // Without the version's metadata nothing can be told apart: only numbers (scale codes) are certainly not text.
    const keep = info ? closed.has(key) : typeof value === "number";
    if (keep) kept[key] = value;
    else removed += 1;
  }
  return { kept, removed };
}

/** What erasure would touch, for the confirmation page; undefined for a client of another municipality. */
export async function previewErasure(db: Db, municipalityId: number, clientId: number): Promise<(ErasureScope & { erasedAt: Date | null }) | undefined> {
  const client = await findErasableClient(db, municipalityId, clientId);
  if (!client) return undefined;
  return { ...(await measureErasure(db, municipalityId, clientId)), erasedAt: client.erasedAt };
}

export async function eraseClient(db: Db, municipalityId: number, clientId: number, who: ErasureActor, now = new Date()): Promise<ErasureResult> {
  const outcome = await db.transaction(async (trx): Promise<ErasureResult & { optedOut?: boolean }> => {
    const client = await findErasableClient(trx, municipalityId, clientId);
    if (!client) return { kind: "unknown" };
    if (client.erasedAt) return { kind: "already", erasedAt: client.erasedAt };
    if (!(await claimErasure(trx, municipalityId, clientId, now))) {
      const erasedAt = (await findErasableClient(trx, municipalityId, clientId))?.erasedAt;
      return erasedAt ? { kind: "already", erasedAt } : { kind: "unknown" };
    }

    const before = await measureErasure(trx, municipalityId, clientId);
    const messagesCancelled = await cancelWaitingDeliveries(trx, municipalityId, clientId, now);
    // The opt-out: open invitations close as opted out, and the planner never invites the client again.
    const optOut = await markClientOptedOut(trx, clientId, now);
    const recipients = await deleteContact(trx, clientId);
    const outboxMessages = await deleteOutboxMessagesTo(trx, municipalityId, recipients);

    let answersRemoved = 0;
    for (const response of await listResponsesOfClient(trx, municipalityId, clientId)) {
      const { kept, removed } = closedAnswersOnly(response);
      if (removed === 0) continue;
      answersRemoved += removed;
      await replaceAnswers(trx, response.responseId, kept, now);
    }
    const quotesRemoved = await deleteQuotesOfClient(trx, municipalityId, clientId);
    const notesRemoved = await deleteNotesOfClient(trx, municipalityId, clientId);
    const followupsClosed = await closeOpenFollowups(trx, municipalityId, clientId, ERASED_FOLLOWUP_OUTCOME, who.actorUserId, now);
    const conversations = await replaceExternalIds(trx, municipalityId, clientId, erasedId, now);

    return {
      kind: "erased",
      optedOut: optOut?.changed ?? false,
      counts: {
        contact: before.hasContact,
        invitationsClosed: before.openInvitations,
        messagesCancelled,
        answersRemoved,
        notesRemoved,
        quotesRemoved,
        followupsClosed,
        conversations,
        outboxMessages,
      },
    };
  });
  if (outcome.kind !== "erased") return outcome;

  const context = { municipalityId, subjectType: "client", subjectId: clientId, ...who };
  if (outcome.optedOut) await recordAudit(db, { action: "client.opted_out", details: { via: "erasure" }, ...context });
  // Counts only: nothing of what was erased, and not the old case-system number (it would undo the erasure).
  await recordAudit(db, { action: "client.erased", details: { ...outcome.counts }, ...context });
  return { kind: "erased", counts: outcome.counts };
}
