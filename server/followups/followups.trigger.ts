// The follow-up trigger: a completion step (server/respondent/completion.ts) that runs inside the transaction
// completing a response, in every mode. It evaluates the rule in force at that moment and records the answers
// that met it with the rule itself, so a later change of the rule never touches existing follow-ups. The unique
// response_id makes it safe to run any number of times: a response gets at most one follow-up.
import type { Knex } from "../db.ts";
import type { CompletedResponse } from "../respondent/completion.ts";
import { readSettings } from "../settings/settings.service.ts";
import { findFollowupOfResponse, findVersionForRule, insertFollowup } from "./followups.queries.ts";
import { evaluateRule, versionInfoOf } from "./followups.rule.ts";
import { FOLLOWUP_SETTINGS, ruleOf } from "./followups.settings.ts";
import { workingDayDeadline } from "./working-days.ts";

export type TriggerOutcome =
  | { kind: "created"; followupId: number }
  | { kind: "exists"; followupId: number }
  | { kind: "skipped"; reason: "disabled" | "no-consent" | "no-trigger" | "unknown-version" };

export async function triggerFollowup(trx: Knex.Transaction | Knex, response: CompletedResponse): Promise<TriggerOutcome> {
  const existing = await findFollowupOfResponse(trx, response.responseId);
  if (existing) return { kind: "exists", followupId: existing.id };
  const settings = await readSettings(trx, response.municipalityId, FOLLOWUP_SETTINGS);
  if (!settings.enabled) return { kind: "skipped", reason: "disabled" };
  const version = await findVersionForRule(trx, response.questionnaireVersionId);
  const info = version ? versionInfoOf(version) : undefined;
  if (!info) return { kind: "skipped", reason: "unknown-version" };
  const rule = ruleOf(settings);
  const evaluation = evaluateRule(info, response.answers, rule);
  if (!evaluation.consent) return { kind: "skipped", reason: "no-consent" };
  if (!evaluation.selected) return { kind: "skipped", reason: "no-trigger" };
  const followupId = await insertFollowup(trx, {
    municipalityId: response.municipalityId,
    responseId: response.responseId,
    invitationId: response.invitationId,
    clientId: response.clientId,
    triggers: evaluation.triggers,
    rule,
    deadlineAt: workingDayDeadline(response.completedAt, settings.slaWorkingDays),
    createdAt: response.completedAt,
  });
  if (followupId === undefined) {
    // Another run got there between the check and the insert.
    const winner = await findFollowupOfResponse(trx, response.responseId);
    return { kind: "exists", followupId: winner!.id };
  }
  return { kind: "created", followupId };
}

/** The completion step (its result is only for tests and tools). */
export async function followupCompletionStep(trx: Knex.Transaction, response: CompletedResponse): Promise<void> {
  await triggerFollowup(trx, response);
}
