// Creating invitations and the secrets that open them. The planner (which conversations, when, which channel)
// builds on createInvitation; this file knows nothing of channels' delivery.
import type { Db } from "../db.ts";
import { readSettings } from "../settings/settings.service.ts";
import type { SurveyCatalog } from "../surveys/surveys.loader.ts";
import { markPhoneInvitationStarted } from "./funnel.queries.ts";
import { invitationSettings } from "./invitations.schema.ts";
import { generateLinkToken, generatePaperCode, hashSecret } from "./codes.ts";
import {
  findCustomisation,
  findInvitation,
  insertInvitation,
  insertSecret,
  markConversationInvited,
  saveQuestionnaireVersion,
  type Channel,
} from "./invitations.queries.ts";

/** Days an invitation stays open (DOMAIN.md: expiry after 6 weeks). */
export const DEFAULT_EXPIRY_DAYS = 42;

/**
 * The questionnaire as this municipality uses it now: the latest shipped version with the municipality's
 * customisation, stored once as an immutable version row.
 */
export async function currentQuestionnaireVersion(db: Db, catalog: SurveyCatalog, municipalityId: number, questionnaire: string): Promise<number> {
  const latest = catalog.latest(questionnaire);
  if (!latest) throw new Error(`Unknown questionnaire ${questionnaire}`);
  const customisation = await findCustomisation(db, municipalityId, questionnaire);
  const survey = catalog.forMunicipality(questionnaire, latest.version, customisation);
  return saveQuestionnaireVersion(db, {
    municipalityId,
    questionnaire,
    baseVersion: latest.version,
    customisation: survey.customisation,
    definition: survey.definition,
    hash: survey.hash,
  });
}

export type NewInvitation = {
  municipalityId: number;
  conversationId: number;
  clientId: number;
  questionnaire: string;
  audience: string;
  channel: Channel;
  expiresAt?: Date;
};

/** Creates an invitation with its first link token and its paper code; returns both, which exist only here. */
export async function createInvitation(
  db: Db,
  catalog: SurveyCatalog,
  input: NewInvitation,
  now = new Date(),
): Promise<{ id: number; token: string; code: string }> {
  const questionnaireVersionId = await currentQuestionnaireVersion(db, catalog, input.municipalityId, input.questionnaire);
  const token = generateLinkToken();
  const code = generatePaperCode();
  const id = await db.transaction(async (trx) => {
    const invitationId = await insertInvitation(trx, {
      municipalityId: input.municipalityId,
      conversationId: input.conversationId,
      clientId: input.clientId,
      questionnaireVersionId,
      audience: input.audience,
      channel: input.channel,
      status: "sent",
      expiresAt: input.expiresAt ?? new Date(now.getTime() + DEFAULT_EXPIRY_DAYS * 24 * 60 * 60 * 1000),
    });
    await insertSecret(trx, invitationId, "token", hashSecret(token));
    await insertSecret(trx, invitationId, "code", hashSecret(code));
    await markConversationInvited(trx, input.conversationId, now);
    return invitationId;
  });
  return { id, token, code };
}

/** A fresh link for an existing invitation (a reminder carries its own; earlier links keep working). */
export async function addLinkToken(db: Db, invitationId: number): Promise<string> {
  const token = generateLinkToken();
  await insertSecret(db, invitationId, "token", hashSecret(token));
  return token;
}

/** The interviewer opened the questionnaire of a phone invitation: the call counts as the invitation going out. */
export async function startPhoneInvitation(db: Db, invitationId: number, now = new Date()): Promise<void> {
  const invitation = await findInvitation(db, invitationId);
  if (!invitation) return;
  const policy = await readSettings(db, invitation.municipalityId, invitationSettings);
  await markPhoneInvitationStarted(db, invitationId, now, { expiresAt: new Date(now.getTime() + policy.expiryDays * 24 * 60 * 60 * 1000) });
}
