// A demo municipality for a first look: "Voorbeeldstad" (GM9999, a code the CBS does not use) with staff
// accounts for every role (printed passwords and TOTP secrets) and a year of synthetic work made through the real
// code paths — intakes, invitations in every state on every channel, answers, follow-ups, closed quarters — so
// every screen is filled. Never in production; only into an empty database.
import type { Config } from "../config.ts";
import { countOf, type Db } from "../db.ts";
import { formatPaperCode } from "../invitations/codes.ts";
import { createInvitation } from "../invitations/invitations.service.ts";
import { createLogger } from "../logger.ts";
import type { CustomisedSurvey } from "../surveys/surveys.customise.ts";
import type { SurveyCatalog } from "../surveys/surveys.loader.ts";
import { createDemoStaff, type DemoAccount } from "./demo.accounts.ts";
import { addDays, amsterdamDate, momentOn } from "./demo.calendar.ts";
import { SimulatedTime } from "./demo.clock.ts";
import { generateIntakes, personaFor, type EmailFate, type Intake, type SmsFate } from "./demo.population.ts";
import { demoMailer, demoSms } from "./demo.providers.ts";
import { clientOfConversation, demoTotals, invitationStates, stampAccounts, stampAfterwards } from "./demo.queries.ts";
import { registerIntakes, runYear, scheduleYear } from "./demo.simulation.ts";
import type { World } from "./demo.world.ts";

export type { DemoAccount } from "./demo.accounts.ts";
export { DemoAbortedError } from "./demo.clock.ts";

export type DemoInvitation = { channel: string; link: string; code: string | null };
export type DemoSummary = {
  municipality: string;
  code: string;
  accounts: DemoAccount[];
  invitations: DemoInvitation[];
  conversations: number;
  totals: { invitations: number; responses: number; followups: number };
};

export type DemoOptions = {
  /** Intakes relative to the default year (about 950): tests use fewer. */
  scale?: number;
  /** Stops the demo between two simulated moments (the server shutting down). */
  signal?: AbortSignal;
};

export class DemoRefusedError extends Error {}

export async function isEmpty(db: Db): Promise<boolean> {
  return countOf(await db("municipalities").count({ count: "*" })) === 0 && countOf(await db("users").count({ count: "*" })) === 0;
}

/**
 * The planner works out the municipality's questionnaire version every morning (a SurveyJS model each time);
 * the answer depends only on the questionnaire, its version and the customisation, so the demo's 365 mornings
 * work it out once.
 */
function rememberingCatalog(catalog: SurveyCatalog): SurveyCatalog {
  const known = new Map<string, CustomisedSurvey>();
  return {
    entries: catalog.entries,
    get: (id, version) => catalog.get(id, version),
    latest: (id) => catalog.latest(id),
    forMunicipality(id, version, customisation) {
      const key = `${id}\u0000${version}\u0000${JSON.stringify(customisation ?? null)}`;
      let survey = known.get(key);
      if (!survey) {
        survey = catalog.forMunicipality(id, version, customisation);
        known.set(key, survey);
      }
      return survey;
    },
  };
}

function fatesOf(intakes: Intake[]): { email: Map<string, EmailFate>; sms: Map<string, SmsFate> } {
  const email = new Map<string, EmailFate>();
  const sms = new Map<string, SmsFate>();
  for (const { client } of intakes) {
    if (client.email) email.set(client.email, client.emailFate);
    if (client.mobileE164) sms.set(client.mobileE164, client.smsFate);
  }
  return { email, sms };
}

/** A few invitations still open at the end, whose links came in the last messages; one by hand with a paper code. */
async function printableInvitations(world: World, now: Date): Promise<DemoInvitation[]> {
  const links = [...world.links].reverse();
  const states = new Map((await invitationStates(world.db, links.map((l) => l.invitationId))).map((s) => [s.id, s]));
  const printed: DemoInvitation[] = [];
  const used = new Set<number>();
  for (const channel of ["email", "sms"] as const) {
    let count = 0;
    for (const link of links) {
      const state = states.get(link.invitationId);
      if (link.channel !== channel || used.has(link.invitationId) || !state || state.status !== "sent" || state.opened || state.started) continue;
      used.add(link.invitationId);
      printed.push({ channel: channel === "email" ? "e-mail" : "sms", link: `${world.config.baseUrl}/s/${link.token}`, code: null });
      if (++count === 2) break;
    }
  }
  // A letter the administrator sent by hand this morning: its paper code exists only here, so it can be printed.
  const yesterday = addDays(amsterdamDate(now), -1);
  const intake: Intake = {
    externalId: "DEMO-KTG-HAND-1",
    law: "wmo",
    heldOn: yesterday,
    registeredOn: yesterday,
    team: "Sociaal Team Noord",
    area: "Centrum",
    provision: "begeleiding",
    preferredChannel: "letter",
    client: { externalId: "DEMO-C-HAND-1", number: 99_001, birthYear: 1950, language: "nl", email: null, mobile: null, mobileE164: null, address: true, emailFate: "ok", smsFate: "ok" },
    personas: {},
  };
  intake.personas.client = personaFor("DEMO-KTG-HAND-1:client", { provision: intake.provision, team: intake.team, heldOn: yesterday, startDay: amsterdamDate(world.start) });
  const [conversationId] = await registerIntakes(world, [intake], now);
  const clientId = await clientOfConversation(world.db, conversationId!);
  const { token, code } = await createInvitation(world.db, world.catalog, { municipalityId: world.staff.municipality.id, conversationId: conversationId!, clientId, questionnaire: "wmo", audience: "client", channel: "letter" }, now);
  printed.push({ channel: "brief", link: `${world.config.baseUrl}/s/${token}`, code: formatPaperCode(code) });
  return printed;
}

export async function createDemo(db: Db, config: Config, catalog: SurveyCatalog, now = new Date(), options: DemoOptions = {}): Promise<DemoSummary> {
  if (config.isProduction) throw new DemoRefusedError("De demo is niet voor productie.");
  if (!(await isEmpty(db))) throw new DemoRefusedError("De database is niet leeg; de demo vult alleen een lege database.");

  const staff = await createDemoStaff(db, config);
  const endDay = amsterdamDate(now);
  const startDay = addDays(endDay, -365);
  const start = momentOn(startDay, 7, 0);
  await stampAccounts(db, staff.municipality.id, staff.userIds, start);
  const intakes = generateIntakes({ startDay, endDay, scale: options.scale ?? 1 });
  const fates = fatesOf(intakes);
  const logger = createLogger({ logLevel: "silent", isProduction: config.isProduction });
  const world = {
    db,
    config,
    catalog: rememberingCatalog(catalog),
    logger,
    time: new SimulatedTime(start, now, options.signal),
    start,
    end: now,
    staff,
    intakes: new Map(),
    emailFates: fates.email,
    smsFates: fates.sms,
    outboxFrom: new Date(now.getTime() - 14 * 86_400_000),
    clients: new Map(),
    links: [],
    story: { planned: 0, conversations: 0 },
  } as unknown as World;
  world.mailer = demoMailer(world);
  world.sms = demoSms(world);
  // No provider limits to wait for: nothing leaves the machine.
  world.dispatch = { db, config: { ...config, rateLimits: { email: 1_000_000, sms: 1_000_000 } }, mailer: world.mailer, sms: world.sms, logger };

  scheduleYear(world, intakes);
  await runYear(world);
  const invitations = await printableInvitations(world, now);
  await stampAfterwards(db, staff.municipality.id, start);
  const totals = await demoTotals(db, staff.municipality.id);
  return {
    municipality: `${staff.municipality.name} (${staff.municipality.code})`,
    code: staff.municipality.code,
    accounts: staff.accounts,
    invitations,
    conversations: totals.conversations,
    totals: { invitations: totals.invitations, responses: totals.responses, followups: totals.followups },
  };
}

const number = (n: number) => n.toLocaleString("nl-NL");

/** What the demo prints on the terminal: how to sign in, where to fill in a questionnaire, and where to look. */
export function describeDemo(summary: DemoSummary, baseUrl: string): string {
  const m = `${baseUrl}/staff/m/${summary.code}`;
  const lines = [
    `Demo-gemeente ${summary.municipality} is klaar: een verzonnen jaar met ${number(summary.conversations)} gesprekken, ${number(summary.totals.invitations)} uitnodigingen, ${number(summary.totals.responses)} ingevulde vragenlijsten en ${number(summary.totals.followups)} verdiepingsgesprekken.`,
    "",
    `Vragenlijst invullen als cliënt (open een link, of typ de code op ${baseUrl}/code):`,
    ...summary.invitations.map((i) => `  ${i.channel.padEnd(7)} ${i.link}${i.code ? `   code ${i.code}` : ""}`),
    "",
    `Inloggen als medewerker op ${baseUrl}/staff/login (tweestapsverificatie: voeg de geheime sleutel toe aan een authenticator-app):`,
    ...summary.accounts.map((a) => `  ${a.role.padEnd(18)} ${a.email.padEnd(42)} wachtwoord ${a.password}${a.totpSecret ? `   TOTP-sleutel ${a.totpSecret}` : ""}`),
    "",
    "Waar u wat ziet:",
    `  rapport per kwartaal (lezer, beheerder)         ${m}/reports`,
    `  verdiepingsgesprekken (interviewer, beheerder)  ${m}/followups`,
    `  uitnodigingen en respons (beheerder)            ${m}/invitations`,
    `  brieven en telefoonlijst (beheerder)            ${m}/letters   ${m}/phone-list`,
    `  verstuurde e-mail en sms (beheerder)            ${m}/outbox`,
  ];
  return lines.join("\n");
}
