// Factories for report tests: rows inserted directly (conversations, clients, invitations, deliveries,
// responses with answers, follow-ups with attempts and themes, quotes), so the reports can be tested on any
// data set without going through the planner. A completed response gets its report facts through the same
// completion step the app runs.
import type { Db, Knex } from "../../server/db.ts";
import { toDbTime, toJson } from "../../server/db.ts";
import { saveQuestionnaireVersion } from "../../server/invitations/invitations.queries.ts";
import { recordReportFacts } from "../../server/reports/facts.ts";
import type { SurveyCatalog } from "../../server/surveys/surveys.loader.ts";

type Executor = Db | Knex.Transaction;

let sequence = 0;
const next = () => `${process.pid}-${++sequence}`;

/** The municipality's questionnaire version (shipped definition, or with a customisation). */
export async function versionFor(db: Executor, catalog: SurveyCatalog, municipalityId: number, questionnaire: string, customisation: unknown = {}): Promise<number> {
  const latest = catalog.latest(questionnaire)!;
  const survey = catalog.forMunicipality(questionnaire, latest.version, customisation);
  return saveQuestionnaireVersion(db as Db, {
    municipalityId,
    questionnaire,
    baseVersion: latest.version,
    customisation: survey.customisation,
    definition: survey.definition,
    hash: survey.hash,
  });
}

export type ConversationInput = {
  law?: "wmo" | "jeugd";
  heldOn?: string;
  team?: string | null;
  area?: string | null;
  provision?: string | null;
  birthYear?: number | null;
  planStatus?: "invited" | "skipped" | null;
  planReason?: string | null;
  optedOutAt?: Date | null;
};

export async function makeConversation(db: Executor, municipalityId: number, input: ConversationInput = {}): Promise<{ conversationId: number; clientId: number }> {
  const key = next();
  const now = toDbTime(new Date());
  const [client] = await db("clients")
    .insert({ municipality_id: municipalityId, external_id: `CL-${key}`, birth_year: input.birthYear ?? null, language: "nl", opted_out_at: input.optedOutAt ? toDbTime(input.optedOutAt) : null, created_at: now, updated_at: now })
    .returning(["id"]);
  const [conversation] = await db("conversations")
    .insert({
      municipality_id: municipalityId,
      client_id: client.id,
      external_id: `KTG-${key}`,
      law: input.law ?? "wmo",
      held_on: input.heldOn ?? "2026-07-01",
      team: input.team ?? null,
      area: input.area ?? null,
      provision: input.provision ?? null,
      source: "api",
      created_at: now,
      plan_status: input.planStatus === undefined ? "invited" : input.planStatus,
      plan_reason: input.planReason ?? null,
      planned_at: input.planStatus === null ? null : now,
    })
    .returning(["id"]);
  return { conversationId: conversation.id, clientId: client.id };
}

export type InvitationInput = {
  municipalityId: number;
  conversationId: number;
  clientId: number;
  questionnaireVersionId: number;
  audience?: string;
  channel?: "email" | "sms" | "letter" | "phone";
  status?: "planned" | "sent" | "completed" | "expired" | "opted_out" | "failed";
  createdAt: Date;
  sentAt?: Date | null;
  openedAt?: Date | null;
  closedAt?: Date | null;
};

export async function makeInvitation(db: Executor, input: InvitationInput): Promise<number> {
  const [row] = await db("invitations")
    .insert({
      municipality_id: input.municipalityId,
      conversation_id: input.conversationId,
      client_id: input.clientId,
      questionnaire_version_id: input.questionnaireVersionId,
      audience: input.audience ?? "client",
      channel: input.channel ?? "email",
      status: input.status ?? "sent",
      created_at: toDbTime(input.createdAt),
      sent_at: input.sentAt ? toDbTime(input.sentAt) : null,
      opened_at: input.openedAt ? toDbTime(input.openedAt) : null,
      closed_at: input.closedAt ? toDbTime(input.closedAt) : null,
      expires_at: toDbTime(new Date(input.createdAt.getTime() + 42 * 86_400_000)),
    })
    .returning(["id"]);
  return row.id;
}

export type DeliveryInput = {
  municipalityId: number;
  invitationId: number;
  kind?: "invite" | "reminder";
  sequence?: number;
  channel?: string;
  status: "pending" | "sending" | "sent" | "delivered" | "failed" | "bounced" | "cancelled" | "batched";
  at: Date;
};

export async function makeDelivery(db: Executor, input: DeliveryInput): Promise<number> {
  const at = toDbTime(input.at);
  const sequence = input.sequence ?? 0;
  const [row] = await db("deliveries")
    .insert({
      municipality_id: input.municipalityId,
      invitation_id: input.invitationId,
      kind: input.kind ?? (sequence === 0 ? "invite" : "reminder"),
      sequence,
      channel: input.channel ?? "email",
      status: input.status,
      due_at: at,
      created_at: at,
      updated_at: at,
      sent_at: ["sent", "delivered", "bounced"].includes(input.status) ? at : null,
      delivered_at: input.status === "delivered" ? at : null,
      failed_at: ["failed", "bounced"].includes(input.status) ? at : null,
    })
    .returning(["id"]);
  return row.id;
}

export type ResponseInput = {
  municipalityId: number;
  invitationId: number;
  clientId: number;
  questionnaireVersionId: number;
  mode?: "online" | "sms" | "code" | "paper" | "phone";
  answers: Record<string, unknown>;
  status?: "in_progress" | "completed";
  startedAt: Date;
  completedAt?: Date | null;
  /** The moment the response reaches the database (default: now): later than completedAt for a late arrival. */
  arrivedAt?: Date;
};

/** A response; a completed one gets its report facts exactly as the completion step writes them. */
export async function makeResponse(db: Executor, catalog: SurveyCatalog, input: ResponseInput): Promise<number> {
  const completed = (input.status ?? "completed") === "completed";
  const completedAt = completed ? (input.completedAt ?? input.startedAt) : null;
  const [row] = await db("responses")
    .insert({
      municipality_id: input.municipalityId,
      invitation_id: input.invitationId,
      questionnaire_version_id: input.questionnaireVersionId,
      mode: input.mode ?? "online",
      status: completed ? "completed" : "in_progress",
      answers: toJson(input.answers),
      started_at: toDbTime(input.startedAt),
      updated_at: toDbTime(completedAt ?? input.startedAt),
      completed_at: completedAt ? toDbTime(completedAt) : null,
    })
    .returning(["id"]);
  if (completedAt) {
    await recordReportFacts(
      db as Knex.Transaction,
      {
        responseId: row.id,
        municipalityId: input.municipalityId,
        invitationId: input.invitationId,
        clientId: input.clientId,
        questionnaireVersionId: input.questionnaireVersionId,
        mode: input.mode ?? "online",
        answers: input.answers,
        completedAt,
      },
      { catalog, now: input.arrivedAt ?? new Date() },
    );
  }
  return row.id;
}

export type FollowupInput = {
  municipalityId: number;
  responseId: number;
  invitationId: number;
  clientId: number;
  status?: "open" | "claimed" | "closed";
  outcome?: string | null;
  createdAt: Date;
  deadlineAt: Date;
  firstAttemptAt?: Date | null;
  attempts?: Array<{ at: Date; result: "no_answer" | "voicemail" | "wrong_number" | "callback" | "reached" }>;
  themes?: string[];
  urgent?: boolean;
  escalatedAt?: Date | null;
  closedAt?: Date | null;
};

export async function makeFollowup(db: Executor, input: FollowupInput): Promise<number> {
  const at = toDbTime(input.createdAt);
  const attempts = input.attempts ?? [];
  const first = input.firstAttemptAt !== undefined ? input.firstAttemptAt : attempts[0]?.at ?? null;
  const [row] = await db("followups")
    .insert({
      municipality_id: input.municipalityId,
      response_id: input.responseId,
      invitation_id: input.invitationId,
      client_id: input.clientId,
      status: input.status ?? (input.outcome ? "closed" : "open"),
      outcome: input.outcome ?? null,
      triggers: toJson([{ key: "wmo_snel_geholpen", value: 1 }]),
      rule: toJson({ questions: "all", answerCodes: [1, 2], gradeThreshold: 5 }),
      deadline_at: toDbTime(input.deadlineAt),
      first_attempt_at: first ? toDbTime(first) : null,
      attempts: attempts.length,
      urgent: input.urgent ?? false,
      escalated_at: input.escalatedAt ? toDbTime(input.escalatedAt) : null,
      closed_at: input.closedAt ? toDbTime(input.closedAt) : input.outcome ? at : null,
      created_at: at,
      updated_at: at,
    })
    .returning(["id"]);
  for (const attempt of attempts) {
    await db("followup_attempts").insert({ followup_id: row.id, attempted_at: toDbTime(attempt.at), result: attempt.result, created_at: toDbTime(attempt.at) });
  }
  for (const theme of input.themes ?? []) await db("followup_themes").insert({ followup_id: row.id, theme });
  return row.id;
}

export async function makeQuote(
  db: Executor,
  input: { municipalityId: number; followupId?: number | null; responseId?: number | null; questionKey?: string | null; text: string; status?: "pending" | "approved" | "rejected"; createdAt: Date },
): Promise<number> {
  const [row] = await db("quotes")
    .insert({
      municipality_id: input.municipalityId,
      source: input.followupId ? "followup" : "answer",
      followup_id: input.followupId ?? null,
      response_id: input.responseId ?? null,
      question_key: input.questionKey ?? null,
      text: input.text,
      flags: "[]",
      status: input.status ?? "approved",
      reviewed_at: input.status === "pending" ? null : toDbTime(input.createdAt),
      created_at: toDbTime(input.createdAt),
    })
    .returning(["id"]);
  return row.id;
}

export type RespondentInput = ConversationInput & {
  questionnaire?: "wmo" | "jeugd-ouders" | "jeugd-jongeren";
  /** A version of the questionnaire (e.g. customised); default the municipality's shipped one. */
  questionnaireVersionId?: number;
  channel?: "email" | "sms" | "letter" | "phone";
  invitedAt: Date;
  /** Undefined: invited, no response. */
  completedAt?: Date;
  answers?: Record<string, unknown>;
  mode?: "online" | "sms" | "code" | "paper" | "phone";
  /** Whether the first message was delivered (default true); "bounced" for a bounce. */
  delivery?: "delivered" | "bounced" | "none";
  opened?: boolean;
  startedOnly?: boolean;
  arrivedAt?: Date;
};

/** A whole respondent: conversation, client, invitation, its first delivery, and the response (if any). */
export async function makeRespondent(
  db: Executor,
  catalog: SurveyCatalog,
  municipalityId: number,
  input: RespondentInput,
): Promise<{ conversationId: number; clientId: number; invitationId: number; responseId: number | undefined }> {
  const questionnaire = input.questionnaire ?? "wmo";
  const law = input.law ?? (questionnaire === "wmo" ? "wmo" : "jeugd");
  const { conversationId, clientId } = await makeConversation(db, municipalityId, { ...input, law });
  const versionId = input.questionnaireVersionId ?? (await versionFor(db, catalog, municipalityId, questionnaire));
  const completed = input.completedAt !== undefined && !input.startedOnly;
  const invitationId = await makeInvitation(db, {
    municipalityId,
    conversationId,
    clientId,
    questionnaireVersionId: versionId,
    audience: questionnaire === "jeugd-ouders" ? "ouders" : questionnaire === "jeugd-jongeren" ? "jongeren" : "client",
    channel: input.channel ?? "email",
    status: completed ? "completed" : input.delivery === "bounced" ? "failed" : "sent",
    createdAt: input.invitedAt,
    sentAt: input.delivery === "none" ? null : input.invitedAt,
    openedAt: input.opened || input.completedAt ? new Date(input.invitedAt.getTime() + 3_600_000) : null,
    closedAt: completed ? input.completedAt! : null,
  });
  if (input.delivery !== "none") {
    await makeDelivery(db, { municipalityId, invitationId, channel: input.channel ?? "email", status: input.delivery === "bounced" ? "bounced" : "delivered", at: input.invitedAt });
  }
  let responseId: number | undefined;
  if (input.completedAt) {
    responseId = await makeResponse(db, catalog, {
      municipalityId,
      invitationId,
      clientId,
      questionnaireVersionId: versionId,
      mode: input.mode ?? "online",
      answers: input.answers ?? {},
      status: input.startedOnly ? "in_progress" : "completed",
      startedAt: new Date(input.completedAt.getTime() - 600_000),
      completedAt: input.startedOnly ? null : input.completedAt,
      arrivedAt: input.arrivedAt,
    });
  }
  return { conversationId, clientId, invitationId, responseId };
}
