// A demo municipality for a first look: "Voorbeeldstad" (GM9999, a code the CBS does not use), staff accounts
// with known passwords and TOTP secrets, synthetic intakes, and open invitations whose links and codes are
// printed. Never in production; only into an empty database.
import { randomBytes } from "node:crypto";
import { enableTotp } from "../accounts/accounts.queries.ts";
import { createTotpSecret } from "../accounts/totp.ts";
import { addUser, type Actor } from "../accounts/users.service.ts";
import type { Config } from "../config.ts";
import { countOf, type Db } from "../db.ts";
import { fingerprintKey, registerConversations } from "../intake/intake.service.ts";
import { validateConversation, type ConversationInput } from "../intake/intake.schema.ts";
import { formatPaperCode } from "../invitations/codes.ts";
import { createInvitation } from "../invitations/invitations.service.ts";
import { updateMunicipalityContact } from "../municipalities/municipalities.queries.ts";
import { createMunicipality } from "../municipalities/municipalities.service.ts";
import type { SurveyCatalog } from "../surveys/surveys.loader.ts";

const DEMO_ACTOR: Actor = { actor: "demo", actorUserId: null, ip: null, requestId: null, name: "Luisterpost demo" };

export type DemoAccount = { role: string; email: string; password: string; totpSecret: string | null };
export type DemoInvitation = { channel: string; link: string; code: string };
export type DemoSummary = { municipality: string; accounts: DemoAccount[]; invitations: DemoInvitation[]; conversations: number };

export class DemoRefusedError extends Error {}

export async function isEmpty(db: Db): Promise<boolean> {
  return countOf(await db("municipalities").count({ count: "*" })) === 0 && countOf(await db("users").count({ count: "*" })) === 0;
}

const TEAMS = ["Sociaal Team Noord", "Sociaal Team Zuid", "Jeugdteam"];
const AREAS = ["Centrum", "De Hoven", "Oostdorp", "Westerveld"];
const PROVISIONS = ["huishoudelijke hulp", "begeleiding", "vervoer", "woonvoorziening", "jeugdhulp"];

/** Synthetic intakes of the last few weeks: invented ids, example.test addresses, 06-numbers from the 06-12 range. */
function syntheticConversations(count: number, today: Date): ConversationInput[] {
  const inputs: ConversationInput[] = [];
  for (let i = 1; i <= count; i += 1) {
    const held = new Date(today.getTime() - (5 + ((i * 7) % 50)) * 86_400_000).toISOString().slice(0, 10);
    const jeugd = i % 5 === 0;
    const result = validateConversation({
      externalId: `DEMO-KTG-${String(i).padStart(4, "0")}`,
      law: jeugd ? "jeugd" : "wmo",
      heldOn: held,
      team: jeugd ? TEAMS[2] : TEAMS[i % 2],
      area: AREAS[i % AREAS.length],
      provision: jeugd ? PROVISIONS[4] : PROVISIONS[i % 4],
      preferredChannel: ["email", "sms", "letter"][i % 3],
      client: {
        externalId: `DEMO-C-${String(i).padStart(4, "0")}`,
        birthYear: jeugd ? 1980 + (i % 20) : 1935 + (i % 40),
        email: `client${i}@example.test`,
        mobile: `06-12${String(100000 + i).slice(-6)}`,
        address: { street: "Voorbeeldlaan", houseNumber: String(i), postalCode: "9999 ZZ", city: "Voorbeeldstad" },
      },
    });
    if (result.ok) inputs.push(result.value);
  }
  return inputs;
}

export async function createDemo(db: Db, config: Config, catalog: SurveyCatalog, now = new Date()): Promise<DemoSummary> {
  if (config.isProduction) throw new DemoRefusedError("De demo is niet voor productie.");
  if (!(await isEmpty(db))) throw new DemoRefusedError("De database is niet leeg; de demo vult alleen een lege database.");

  const municipality = await createMunicipality(db, { code: "GM9999", name: "Voorbeeldstad" }, DEMO_ACTOR);
  await updateMunicipalityContact(db, municipality.id, { phone: "14 0999", contactEmail: "onderzoek@voorbeeldstad.example.test" });

  const accounts: DemoAccount[] = [];
  const people: Array<{ role: "admin" | "interviewer" | "reader" | "data-entry" | "platform"; email: string; name: string }> = [
    { role: "platform", email: "platform@voorbeeldstad.example.test", name: "Demo Platformbeheer" },
    { role: "admin", email: "beheer@voorbeeldstad.example.test", name: "Demo Beheerder" },
    { role: "interviewer", email: "interviewer@voorbeeldstad.example.test", name: "Demo Interviewer" },
    { role: "reader", email: "lezer@voorbeeldstad.example.test", name: "Demo Lezer" },
    { role: "data-entry", email: "invoer@voorbeeldstad.example.test", name: "Demo Invoerder" },
  ];
  for (const person of people) {
    // A fresh random passphrase per demo, printed once: even a demo database is not left with a known password.
    const password = randomBytes(12).toString("base64url");
    const { user } = await addUser(
      db,
      config,
      undefined,
      {
        email: person.email,
        name: person.name,
        password,
        isPlatformAdmin: person.role === "platform",
        membership: person.role === "platform" ? undefined : { municipalityId: municipality.id, municipalityName: municipality.name, role: person.role },
      },
      DEMO_ACTOR,
    );
    let totpSecret: string | null = null;
    if (person.role !== "reader") {
      totpSecret = createTotpSecret();
      await enableTotp(db, user.id, totpSecret, 0);
    }
    accounts.push({ role: person.role === "platform" ? "platformbeheerder" : person.role, email: person.email, password, totpSecret });
  }

  const inputs = syntheticConversations(40, now);
  const outcomes = await registerConversations(db, fingerprintKey(config.sessionSecret), municipality.id, inputs, { source: "api" });
  const invitations: DemoInvitation[] = [];
  for (const [index, outcome] of outcomes.slice(0, 6).entries()) {
    const input = inputs[index]!;
    const conversation = await db("conversations").where({ id: outcome.conversationId }).first("client_id");
    const questionnaire = input.law === "wmo" ? "wmo" : "jeugd-ouders";
    const channel = (["email", "sms", "letter"] as const)[index % 3]!;
    const { token, code } = await createInvitation(db, catalog, {
      municipalityId: municipality.id,
      conversationId: outcome.conversationId,
      clientId: conversation.client_id,
      questionnaire,
      audience: input.law === "wmo" ? "client" : "ouders",
      channel,
    });
    invitations.push({ channel, link: `${config.baseUrl}/s/${token}`, code: formatPaperCode(code) });
  }
  return { municipality: `${municipality.name} (${municipality.code})`, accounts, invitations, conversations: inputs.length };
}

/** What the demo prints on the terminal: how to sign in and where to fill in a questionnaire. */
export function describeDemo(summary: DemoSummary, baseUrl: string): string {
  const lines = [
    `Demo-gemeente ${summary.municipality} is klaar, met ${summary.conversations} verzonnen gesprekken.`,
    "",
    `Vragenlijst invullen als cliënt (open een link, of typ een code op ${baseUrl}/code):`,
    ...summary.invitations.map((i) => `  ${i.channel.padEnd(6)} ${i.link}   code ${i.code}`),
    "",
    `Inloggen als medewerker op ${baseUrl}/staff/login (tweestapsverificatie: voeg de geheime sleutel toe aan een authenticator-app):`,
    ...summary.accounts.map((a) => `  ${a.role.padEnd(18)} ${a.email.padEnd(42)} wachtwoord ${a.password}${a.totpSecret ? `   TOTP-sleutel ${a.totpSecret}` : ""}`),
  ];
  return lines.join("\n");
}
