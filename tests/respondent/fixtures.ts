// Invitations for respondent tests: a conversation, its client and an invitation made by the real services,
// with the link token and paper code that exist only at creation.
import type { Config } from "../../server/config.ts";
import type { Db } from "../../server/db.ts";
import { createInvitation } from "../../server/invitations/invitations.service.ts";
import { validateConversation } from "../../server/intake/intake.schema.ts";
import { fingerprintKey, registerConversations } from "../../server/intake/intake.service.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import type { SurveyCatalog } from "../../server/surveys/surveys.loader.ts";
import type { Agent } from "../helpers/staff.ts";

export type Invited = { id: number; token: string; code: string; clientId: number };
export type InviteOptions = { channel?: "email" | "sms" | "letter"; questionnaire?: string; mobile?: boolean; expiresAt?: Date };

let n = 0;

/** A new conversation and client (with a mobile number unless `mobile: false`) and its invitation. */
export async function invite(
  app: { database: { db: Db }; config: Config; catalog: SurveyCatalog },
  municipality: MunicipalityRow,
  options: InviteOptions = {},
): Promise<Invited> {
  const db = app.database.db;
  n += 1;
  const key = `${process.pid}-${n}`;
  const input = validateConversation({
    externalId: `KTG-${key}`,
    law: options.questionnaire?.startsWith("jeugd") ? "jeugd" : "wmo",
    heldOn: "2026-10-01",
    client: { externalId: `CL-${key}`, email: `client${n}@example.test`, ...(options.mobile === false ? {} : { mobile: "0612345678" }) },
  });
  if (!input.ok) throw new Error(JSON.stringify(input.problems));
  const [outcome] = await registerConversations(db, fingerprintKey(app.config.sessionSecret), municipality.id, [input.value], { source: "api" });
  const clientId = (await db("clients").where({ municipality_id: municipality.id, external_id: `CL-${key}` }).first("id")).id as number;
  const made = await createInvitation(db, app.catalog, {
    municipalityId: municipality.id,
    conversationId: outcome!.conversationId,
    clientId,
    questionnaire: options.questionnaire ?? "wmo",
    audience: "client",
    channel: options.channel ?? "email",
    expiresAt: options.expiresAt,
  });
  return { ...made, clientId };
}

/** The stored response of an invitation, with its answers parsed (text on SQLite). */
export async function storedResponse(db: Db, invitationId: number): Promise<(Record<string, unknown> & { answers: Record<string, unknown> }) | undefined> {
  const row = await db("responses").where({ invitation_id: invitationId }).first();
  return row ? { ...row, answers: typeof row.answers === "string" ? JSON.parse(row.answers) : row.answers } : undefined;
}

export type Visitor = { agent: Agent; csrf: string };

/** The CSRF token respondent.js reads from the questionnaire page. */
export const pageCsrf = (html: string) => /data-csrf-token="([^"]+)"/.exec(html)?.[1] ?? "";

/** A POST as respondent.js sends it: JSON, with the page's CSRF token in the x-csrf-token header. */
export const postJson = (v: Visitor, path: string, body: unknown) =>
  v.agent.post(path).set("x-csrf-token", v.csrf).set("accept", "application/json").send(body as object);

