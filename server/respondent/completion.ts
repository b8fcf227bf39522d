// What happens when a response is completed, by any mode, inside the transaction that completes it: either
// everything is recorded or nothing is, and a retried completion (which finds the response completed)
// never runs these steps again. Features add their step to the list below.
import type { Knex } from "../db.ts";
import { cancelOpenDeliveries } from "../invitations/planner.queries.ts";
import { followupCompletionStep } from "../followups/followups.trigger.ts";
import { recordReportFacts } from "../reports/facts.ts";
import type { ResponseMode } from "./responses.queries.ts";

export type CompletedResponse = {
  responseId: number;
  municipalityId: number;
  invitationId: number;
  clientId: number;
  questionnaireVersionId: number;
  mode: ResponseMode;
  /** The validated answers as stored (without the callback phone number, which went to the contact data). */
  answers: Record<string, unknown>;
  completedAt: Date;
};

export type CompletionStep = (trx: Knex.Transaction, response: CompletedResponse) => Promise<void>;

const STEPS: CompletionStep[] = [
  // Invitations: cancel the reminders still waiting (none are sent after completion anyway).
  (trx, response) => cancelOpenDeliveries(trx, [response.invitationId], response.completedAt).then(() => undefined),
  // Follow-ups: a follow-up conversation when the client consented and the municipality's rule selects the answers.
  followupCompletionStep,
  // Reports: the response's narrow facts (dimensions, statement codes, grade) that reports group in SQL.
  (trx, response) => recordReportFacts(trx, response),
];

export async function runCompletionSteps(trx: Knex.Transaction, response: CompletedResponse): Promise<void> {
  for (const step of STEPS) await step(trx, response);
}
