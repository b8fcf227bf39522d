// Follow-up test data made the way production makes it: a conversation and invitation through the real
// services, then a response completed through completeResponse, so the completion step (the trigger) runs.
import type { Db } from "../../server/db.ts";
import { completeResponse, openWithToken } from "../../server/respondent/respondent.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import type { TestApp } from "../helpers/app.ts";
import { invite, type InviteOptions } from "../respondent/fixtures.ts";

/** Answers of a dissatisfied Wmo client who agreed to be called. */
export const DISSATISFIED = { wmo_wist_waar: 4, wmo_snel_geholpen: 1, wmo_serieus: 2, wmo_kwaliteit: 3, rapportcijfer: 6, contact_toestemming: "ja" } as const;
/** Satisfied, with consent: no statement at 1 or 2, grade above 5. */
export const SATISFIED = { wmo_wist_waar: 5, wmo_snel_geholpen: 4, wmo_serieus: 3, rapportcijfer: 8, contact_toestemming: "ja" } as const;

export type Completed = { invitationId: number; responseId: number; clientId: number; followupId: number | undefined };

export async function complete(
  t: Pick<TestApp, "database" | "config" | "catalog">,
  municipality: MunicipalityRow,
  answers: Record<string, unknown>,
  options: InviteOptions & { at?: Date; phone?: string } = {},
): Promise<Completed> {
  const db = t.database.db;
  const invited = await invite(t, municipality, options);
  const opened = await openWithToken(db, invited.token, options.at);
  if (opened.kind !== "ok") throw new Error(`invitation not open: ${opened.kind}`);
  const submission = { answers: options.phone ? { ...answers, contact_telefoon: options.phone } : answers };
  const result = await completeResponse(db, opened.access, submission, options.at);
  if (result.kind !== "completed") throw new Error(`not completed: ${JSON.stringify(result)}`);
  const response = await db("responses").where({ invitation_id: invited.id }).first("id");
  const followup = await db("followups").where({ response_id: response.id }).first("id");
  return { invitationId: invited.id, responseId: response.id as number, clientId: invited.clientId, followupId: followup?.id as number | undefined };
}

export async function followupsOf(db: Db, municipalityId: number) {
  return db("followups").where({ municipality_id: municipalityId }).orderBy("id");
}
