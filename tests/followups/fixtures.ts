// Follow-up test data made the way production makes it: a conversation and invitation through the real
// services, then a response completed through completeResponse, so the completion step (the trigger) runs.
import type { Db } from "../../server/db.ts";
import { completeResponse, openWithToken } from "../../server/respondent/respondent.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import type { Role } from "../../server/accounts/accounts.schema.ts";
import type { TestApp } from "../helpers/app.ts";
import { csrfFor, makeUser, signIn, type Agent, type TestUser } from "../helpers/staff.ts";
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

export type Staff = { user: TestUser; agent: Agent; csrf: string };

/** A staff member of the municipality, signed in through the real forms, with the session's CSRF token. */
export async function staffOf(t: TestApp, municipality: MunicipalityRow, role: Role, name?: string): Promise<Staff> {
  const user = await makeUser(t.database.db, { name, memberships: [{ municipalityId: municipality.id, role }] });
  const agent = await signIn(t.app, user);
  return { user, agent, csrf: await csrfFor(agent, "/staff/account") };
}

/** A form POST as the browser sends it. */
export function post(staff: Staff, path: string, fields: Record<string, string | string[]> = {}) {
  return staff.agent.post(path).type("form").send({ _csrf: staff.csrf, ...fields });
}
