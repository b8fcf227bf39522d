// The only place that runs knex against questionnaire_versions, questionnaire_settings, invitations and
// invitation_secrets.
import { fromDbTime, fromJson, toDbTime, toJson, type Db, type Knex } from "../db.ts";

type Executor = Db | Knex.Transaction;

export type InvitationStatus = "planned" | "sent" | "completed" | "expired" | "opted_out" | "skipped";
export type { Channel } from "../intake/intake.normalize.ts";
import type { Channel } from "../intake/intake.normalize.ts";

export type InvitationRow = {
  id: number;
  municipalityId: number;
  conversationId: number;
  clientId: number;
  questionnaireVersionId: number;
  audience: string;
  channel: Channel;
  status: InvitationStatus;
  expiresAt: Date;
  openedAt: Date | null;
  clientOptedOut: boolean;
  /** The response's status when there is one (read with the invitation: one query for the respondent's request). */
  responseStatus: "in_progress" | "completed" | null;
  /** Whether a phone number to call back is known (the consent block then asks for none). */
  phoneKnown: boolean;
};

const INVITATION_COLUMNS = [
  "i.id",
  "i.municipality_id",
  "i.conversation_id",
  "i.client_id",
  "i.questionnaire_version_id",
  "i.audience",
  "i.channel",
  "i.status",
  "i.expires_at",
  "i.opened_at",
  "c.opted_out_at",
  "r.status as response_status",
  "k.mobile as known_mobile",
  "k.callback_phone as known_callback_phone",
];

function toInvitation(r: Record<string, unknown>): InvitationRow {
  return {
    id: r.id as number,
    municipalityId: r.municipality_id as number,
    conversationId: r.conversation_id as number,
    clientId: r.client_id as number,
    questionnaireVersionId: r.questionnaire_version_id as number,
    audience: r.audience as string,
    channel: r.channel as Channel,
    status: r.status as InvitationStatus,
    expiresAt: fromDbTime(r.expires_at)!,
    openedAt: fromDbTime(r.opened_at),
    clientOptedOut: r.opted_out_at !== null && r.opted_out_at !== undefined,
    responseStatus: (r.response_status as InvitationRow["responseStatus"]) ?? null,
    phoneKnown: Boolean(r.known_mobile || r.known_callback_phone),
  };
}

function invitations(db: Executor) {
  return db("invitations as i")
    .join("clients as c", "c.id", "i.client_id")
    .leftJoin("responses as r", "r.invitation_id", "i.id")
    .leftJoin("client_contacts as k", "k.client_id", "i.client_id")
    .select(INVITATION_COLUMNS);
}

/** The invitation a link or code opens, with the channel of the message that carried it (when known). */
export async function findInvitationBySecret(db: Executor, secretHash: string, kind: "token" | "code"): Promise<(InvitationRow & { secretChannel: Channel | null }) | undefined> {
  const row = await invitations(db)
    .join("invitation_secrets as s", "s.invitation_id", "i.id")
    .leftJoin("deliveries as dl", "dl.id", "s.delivery_id")
    .select("dl.channel as secret_channel")
    .where({ "s.secret_hash": secretHash, "s.kind": kind })
    .first();
  return row ? { ...toInvitation(row), secretChannel: (row.secret_channel as Channel | null) ?? null } : undefined;
}

export async function findInvitation(db: Executor, id: number): Promise<InvitationRow | undefined> {
  const row = await invitations(db).where("i.id", id).first();
  return row ? toInvitation(row) : undefined;
}

export async function findInvitationOfMunicipality(db: Executor, municipalityId: number, id: number): Promise<InvitationRow | undefined> {
  const row = await invitations(db).where({ "i.id": id, "i.municipality_id": municipalityId }).first();
  return row ? toInvitation(row) : undefined;
}

export async function insertInvitation(db: Executor, values: Omit<InvitationRow, "id" | "openedAt" | "clientOptedOut" | "responseStatus" | "phoneKnown">): Promise<number> {
  const [row] = await db("invitations")
    .insert({
      municipality_id: values.municipalityId,
      conversation_id: values.conversationId,
      client_id: values.clientId,
      questionnaire_version_id: values.questionnaireVersionId,
      audience: values.audience,
      channel: values.channel,
      status: values.status,
      created_at: toDbTime(new Date()),
      // Made by hand (staff, the demo, tests) as already sent: its clock starts now.
      sent_at: values.status === "sent" ? toDbTime(new Date()) : null,
      expires_at: toDbTime(values.expiresAt),
    })
    .returning(["id"]);
  return row.id;
}

/** The conversation has its invitation: the planner leaves it alone. */
export async function markConversationInvited(db: Executor, conversationId: number, at: Date): Promise<void> {
  await db("conversations").where({ id: conversationId }).whereNull("planned_at").update({ planned_at: toDbTime(at), plan_status: "invited", plan_reason: null });
}

export async function insertSecret(db: Executor, invitationId: number, kind: "token" | "code", secretHash: string, deliveryId: number | null = null): Promise<void> {
  await db("invitation_secrets").insert({ invitation_id: invitationId, kind, secret_hash: secretHash, delivery_id: deliveryId, created_at: toDbTime(new Date()) });
}

/** Many secrets at once (a dispatcher's batch, a letter batch). */
export async function insertSecrets(db: Executor, rows: Array<{ invitationId: number; kind: "token" | "code"; secretHash: string; deliveryId: number | null }>): Promise<void> {
  const at = toDbTime(new Date());
  for (let i = 0; i < rows.length; i += 300) {
    await db("invitation_secrets").insert(rows.slice(i, i + 300).map((r) => ({ invitation_id: r.invitationId, kind: r.kind, secret_hash: r.secretHash, delivery_id: r.deliveryId, created_at: at })));
  }
}

export async function markOpened(db: Executor, id: number, at: Date): Promise<void> {
  await db("invitations").where({ id }).whereNull("opened_at").update({ opened_at: toDbTime(at) });
}

export async function closeInvitation(db: Executor, id: number, status: InvitationStatus, at: Date): Promise<void> {
  await db("invitations").where({ id }).update({ status, closed_at: toDbTime(at) });
}

// --- questionnaire versions and settings ------------------------------------------------------------------

export type QuestionnaireVersionRow = { id: number; municipalityId: number; questionnaire: string; baseVersion: number; definition: unknown; hash: string };

export async function findQuestionnaireVersion(db: Executor, id: number): Promise<QuestionnaireVersionRow | undefined> {
  const r = await db("questionnaire_versions").select("id", "municipality_id", "questionnaire", "base_version", "definition", "definition_hash").where({ id }).first();
  return r
    ? { id: r.id, municipalityId: r.municipality_id, questionnaire: r.questionnaire, baseVersion: r.base_version, definition: fromJson(r.definition), hash: r.definition_hash }
    : undefined;
}

/** Stores a definition once per municipality and hash; returns its id either way. Rows are never updated. */
export async function saveQuestionnaireVersion(
  db: Executor,
  values: { municipalityId: number; questionnaire: string; baseVersion: number; customisation: unknown; definition: unknown; hash: string },
): Promise<number> {
  const where = { municipality_id: values.municipalityId, questionnaire: values.questionnaire, definition_hash: values.hash };
  const existing = await db("questionnaire_versions").select("id").where(where).first();
  if (existing) return existing.id;
  const [row] = await db("questionnaire_versions")
    .insert({ ...where, base_version: values.baseVersion, customisation: toJson(values.customisation), definition: toJson(values.definition), created_at: toDbTime(new Date()) })
    .onConflict(["municipality_id", "questionnaire", "definition_hash"])
    .ignore()
    .returning(["id"]);
  return row?.id ?? (await db("questionnaire_versions").select("id").where(where).first()).id;
}

export async function findCustomisation(db: Executor, municipalityId: number, questionnaire: string): Promise<unknown> {
  const r = await db("questionnaire_settings").select("customisation").where({ municipality_id: municipalityId, questionnaire }).first();
  return r ? fromJson(r.customisation) : {};
}

export async function saveCustomisation(db: Executor, municipalityId: number, questionnaire: string, customisation: unknown): Promise<void> {
  await db("questionnaire_settings")
    .insert({ municipality_id: municipalityId, questionnaire, customisation: toJson(customisation), updated_at: toDbTime(new Date()) })
    .onConflict(["municipality_id", "questionnaire"])
    .merge(["customisation", "updated_at"]);
}
