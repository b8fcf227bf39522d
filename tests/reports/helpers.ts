// Helpers shared by the report tests: respondents spread over a period, and staff signed in by role.
import type { Response } from "superagent";
import type { Role } from "../../server/accounts/accounts.schema.ts";
import type { Db } from "../../server/db.ts";
import type { MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import type { Period } from "../../server/reports/period.ts";
import type { SurveyCatalog } from "../../server/surveys/surveys.loader.ts";
import type { TestApp } from "../helpers/app.ts";
import { makeUser, signIn, type Agent } from "../helpers/staff.ts";
import { makeRespondent, type RespondentInput } from "./factories.ts";

/** A moment `fraction` of the way through the period (0 = its start, 1 = its end). */
export function within(period: Period, fraction: number): Date {
  return new Date(period.start.getTime() + Math.floor((period.end.getTime() - period.start.getTime()) * fraction));
}

/** `count` completed Wmo questionnaires in the period; `shape(i)` adds or overrides fields per respondent. */
export async function respondents(
  db: Db,
  catalog: SurveyCatalog,
  municipality: MunicipalityRow,
  period: Period,
  count: number,
  shape: (i: number) => Partial<RespondentInput> = () => ({}),
): Promise<Array<{ invitationId: number; responseId: number | undefined; clientId: number }>> {
  const made: Array<{ invitationId: number; responseId: number | undefined; clientId: number }> = [];
  await db.transaction(async (trx) => {
    for (let i = 0; i < count; i++) {
      const at = within(period, 0.1 + (0.8 * i) / Math.max(1, count));
      const input: RespondentInput = {
        invitedAt: new Date(at.getTime() - 86_400_000),
        completedAt: at,
        team: "Team Noord",
        area: "Centrum",
        provision: "begeleiding",
        birthYear: 1950,
        answers: { wmo_wist_waar: i % 3 === 0 ? 2 : 4, wmo_snel_geholpen: 5, rapportcijfer: 7 },
        ...shape(i),
      };
      made.push(await makeRespondent(trx, catalog, municipality.id, input));
    }
  });
  return made;
}

export async function staffOf(t: TestApp, municipality: MunicipalityRow, role: Role): Promise<Agent> {
  return signIn(t.app, await makeUser(t.database.db, { memberships: [{ municipalityId: municipality.id, role }] }));
}

/** A supertest parser that keeps a download's bytes as they are. */
export function binary(res: Response, done: (err: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  stream.on("end", () => done(null, Buffer.concat(chunks)));
}
