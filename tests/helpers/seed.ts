// Many invitations at once, for load tests and benchmarks: clients with contact data, planned conversations
// and e-mail invitations that went out, each with its own link token (returned; only hashes are stored).
// Inserted in bulk, not through the services, so 50,000 take seconds.
import type { Db } from "../../server/db.ts";
import { toDbTime } from "../../server/db.ts";
import { generateLinkToken, hashSecret } from "../../server/invitations/codes.ts";
import { currentQuestionnaireVersion } from "../../server/invitations/invitations.service.ts";
import { insertMunicipality } from "../../server/municipalities/municipalities.queries.ts";
import { loadSurveyCatalog } from "../../server/surveys/surveys.loader.ts";

export async function seedSentInvitations(db: Db, count: number, municipality = { code: "GM9997", name: "Belastinggemeente" }): Promise<{ municipalityId: number; tokens: string[] }> {
  const m = await insertMunicipality(db, municipality);
  const versionId = await currentQuestionnaireVersion(db, loadSurveyCatalog(), m.id, "wmo");
  const now = toDbTime(new Date());
  const expires = toDbTime(new Date(Date.now() + 30 * 86_400_000));
  const tokens: string[] = [];
  for (let start = 0; start < count; start += 500) {
    const ids = Array.from({ length: Math.min(500, count - start) }, (_, i) => start + i);
    await db.transaction(async (trx) => {
      const clients = await trx("clients")
        .insert(ids.map((i) => ({ municipality_id: m.id, external_id: `C-${i}`, birth_year: 1930 + (i % 60), language: "nl", created_at: now, updated_at: now })))
        .returning(["id", "external_id"]);
      const clientOf = new Map(clients.map((c) => [c.external_id as string, c.id as number]));
      await trx("client_contacts").insert(ids.map((i) => ({ client_id: clientOf.get(`C-${i}`), email: `c${i}@example.test`, updated_at: now })));
      const conversations = await trx("conversations")
        .insert(
          ids.map((i) => ({
            municipality_id: m.id,
            client_id: clientOf.get(`C-${i}`),
            external_id: `K-${i}`,
            law: "wmo",
            held_on: "2026-10-01",
            team: ["Team Noord", "Team Zuid", "Team Oost"][i % 3],
            area: "Centrum",
            provision: "begeleiding",
            source: "csv",
            created_at: now,
            planned_at: now,
            plan_status: "invited",
          })),
        )
        .returning(["id", "external_id"]);
      const conversationOf = new Map(conversations.map((c) => [c.external_id as string, c.id as number]));
      const invitations = await trx("invitations")
        .insert(
          ids.map((i) => ({
            municipality_id: m.id,
            conversation_id: conversationOf.get(`K-${i}`),
            client_id: clientOf.get(`C-${i}`),
            questionnaire_version_id: versionId,
            audience: "client",
            channel: "email",
            status: "sent",
            created_at: now,
            sent_at: now,
            expires_at: expires,
          })),
        )
        .returning(["id"]);
      await trx("invitation_secrets").insert(
        invitations.map((inv) => {
          const token = generateLinkToken();
          tokens.push(token);
          return { invitation_id: inv.id, kind: "token", secret_hash: hashSecret(token), created_at: now };
        }),
      );
    });
  }
  return { municipalityId: m.id, tokens };
}

/** A full Wmo questionnaire: satisfied, or (every tenth) dissatisfied with consent, which makes a follow-up. */
export function wmoAnswers(n: number): Record<string, unknown> {
  const satisfied = {
    wmo_wist_waar: 4,
    wmo_snel_geholpen: 4,
    wmo_serieus: 5,
    wmo_samen_oplossingen: 4,
    wmo_clientondersteuner: "nee",
    wmo_kwaliteit: 4,
    wmo_past: 5,
    wmo_dingen_doen: 3,
    wmo_beter_redden: 4,
    wmo_kwaliteit_leven: 4,
    rapportcijfer: 8,
    verbetering: "Vaker even bellen hoe het gaat.",
    ingevuld_door: "ikzelf",
    contact_toestemming: "nee",
  };
  return n % 10 === 9 ? { ...satisfied, wmo_snel_geholpen: 2, wmo_past: 1, rapportcijfer: 4, contact_toestemming: "ja" } : satisfied;
}
