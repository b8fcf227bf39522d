// Loads the golden data set (fixture.json, written by generate.ts) into a migrated database through the
// report factories, in one transaction.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Db } from "../../../server/db.ts";
import { insertMunicipality, type MunicipalityRow } from "../../../server/municipalities/municipalities.queries.ts";
import type { SurveyCatalog } from "../../../server/surveys/surveys.loader.ts";
import { makeConversation, makeFollowup, makeQuote, makeRespondent, versionFor } from "../factories.ts";
import type { Fixture } from "./generate.ts";

export function readFixture(): Fixture {
  return JSON.parse(readFileSync(path.join(import.meta.dirname, "fixture.json"), "utf8")) as Fixture;
}

export type Loaded = { fixture: Fixture; municipality: MunicipalityRow; made: Array<{ invitationId: number; responseId: number | undefined; clientId: number }> };

export async function loadFixture(db: Db, catalog: SurveyCatalog, fixture = readFixture(), code = fixture.municipality.code): Promise<Loaded> {
  const municipality = await insertMunicipality(db, { code, name: fixture.municipality.name });
  const made = await db.transaction(async (trx) => {
    const wmoVersion = await versionFor(trx, catalog, municipality.id, "wmo", fixture.customisation);
    const rows: Loaded["made"] = [];
    for (const r of fixture.respondents) {
      const result = await makeRespondent(trx, catalog, municipality.id, {
        questionnaire: r.questionnaire,
        questionnaireVersionId: r.questionnaire === "wmo" ? wmoVersion : undefined,
        team: r.team,
        area: r.area,
        provision: r.provision,
        birthYear: r.birthYear,
        heldOn: r.heldOn,
        channel: r.channel,
        mode: r.mode,
        invitedAt: new Date(r.invitedAt),
        completedAt: r.completedAt ? new Date(r.completedAt) : undefined,
        startedOnly: r.startedOnly,
        opened: r.opened,
        delivery: r.delivery,
        answers: (r.answers ?? {}) as Record<string, unknown>,
        arrivedAt: r.completedAt ? new Date(r.completedAt) : undefined,
      });
      rows.push({ invitationId: result.invitationId, responseId: result.responseId, clientId: result.clientId });
    }
    for (const s of fixture.skipped) {
      await makeConversation(trx, municipality.id, { heldOn: s.heldOn, team: s.team, planStatus: "skipped", planReason: s.reason });
    }
    const followupIds = new Map<number, number>();
    for (const f of fixture.followups) {
      const target = rows[f.respondent]!;
      const completedAt = new Date(fixture.respondents[f.respondent]!.completedAt!);
      const id = await makeFollowup(trx, {
        municipalityId: municipality.id,
        responseId: target.responseId!,
        invitationId: target.invitationId,
        clientId: target.clientId,
        outcome: f.outcome,
        status: f.outcome ? "closed" : "open",
        createdAt: completedAt,
        deadlineAt: new Date(f.deadlineAt),
        attempts: f.attempts.map((a) => ({ at: new Date(a.at), result: a.result as "reached" })),
        themes: f.themes,
        urgent: f.urgent,
        escalatedAt: f.urgent ? new Date(completedAt.getTime() + 86_400_000) : null,
        closedAt: f.outcome ? new Date(f.attempts.at(-1)!.at) : null,
      });
      followupIds.set(f.respondent, id);
    }
    for (const q of fixture.quotes) {
      const target = rows[q.respondent]!;
      await makeQuote(trx, {
        municipalityId: municipality.id,
        followupId: q.source === "followup" ? followupIds.get(q.respondent)! : null,
        responseId: q.source === "answer" ? target.responseId! : null,
        questionKey: q.source === "answer" ? "verbetering" : null,
        text: q.text,
        status: q.status,
        createdAt: new Date(fixture.respondents[q.respondent]!.completedAt!),
      });
    }
    return rows;
  });
  return { fixture, municipality, made };
}
