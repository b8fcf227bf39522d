// Administrative CLI commands: municipality add, user add, apikey create.
import { parseArgs } from "node:util";
import { roleSchema } from "./accounts/accounts.schema.ts";
import { addUser, type Actor } from "./accounts/users.service.ts";
import { createApiKey } from "./apikeys/apikeys.service.ts";
import { loadConfig, type Config } from "./config.ts";
import { migrateToLatest, type Db } from "./db.ts";
import { HttpError } from "./errors.ts";
import { findMunicipalityByCode } from "./municipalities/municipalities.queries.ts";
import { createMunicipality } from "./municipalities/municipalities.service.ts";
import { openDatabase } from "./runtime.ts";
import { createDemo, DemoRefusedError, describeDemo, isEmpty } from "./demo/demo.service.ts";
import { loadSurveyCatalog } from "./surveys/surveys.loader.ts";

const CLI_ACTOR: Actor = { actor: "cli", actorUserId: null, ip: null, requestId: null, name: "De beheerder" };

/** A problem with what the user typed; printed without a stack trace. */
export class CommandError extends Error {}

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

function out(value: string): void {
  process.stdout.write(`${value}\n`);
}

/** Service validation errors become one readable message per field. */
function explain(err: unknown): never {
  if (err instanceof HttpError && err.status < 500) {
    const lines = err.fields.length > 0 ? err.fields.map((f) => `  --${f.field}: ${f.message}`) : [`  ${err.message}`];
    throw new CommandError(`${err.message}\n${lines.join("\n")}`);
  }
  throw err;
}

async function withDatabase<T>(run: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    await migrateToLatest(db);
    return await run(db, config);
  } finally {
    await db.destroy();
  }
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new CommandError("--password-stdin leest het wachtwoord van de invoer, bijvoorbeeld: printf '%s' \"$WACHTWOORD\" | luisterpost user add …");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

export async function municipalityCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== "add") throw new CommandError("Gebruik: luisterpost municipality add --code GM0327 --name Leusden [--json]");
  const { values } = parseArgs({ args: rest, options: { code: { type: "string" }, name: { type: "string" }, json: { type: "boolean", default: false } }, strict: true });
  if (!values.code || !values.name) throw new CommandError("Geef --code (bijvoorbeeld GM0327) en --name (bijvoorbeeld Leusden).");
  await withDatabase(async (db) => {
    const municipality = await createMunicipality(db, { code: values.code, name: values.name }, CLI_ACTOR).catch(explain);
    say(`Gemeente ${municipality.name} (${municipality.code}) is toegevoegd.`);
    if (values.json) out(JSON.stringify({ id: municipality.id, code: municipality.code, name: municipality.name }));
  });
}

export async function userCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const usage = "Gebruik: luisterpost user add --email E --role admin|interviewer|reader|data-entry [--municipality CODE] [--name NAAM] [--password-stdin] [--json]";
  if (sub !== "add") throw new CommandError(usage);
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: "string" },
      role: { type: "string" },
      municipality: { type: "string" },
      name: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (!values.email || !values.role) throw new CommandError(usage);
  const role = roleSchema.safeParse(values.role);
  if (!role.success) throw new CommandError(`--role: ${role.error.issues[0]!.message}`);
  if (!values.municipality && role.data !== "admin") {
    throw new CommandError(`--municipality: de rol ${role.data} hoort bij een gemeente. Zonder --municipality kan alleen --role admin (platformbeheerder).`);
  }
  const password = values["password-stdin"] ? await readStdin() : undefined;
  await withDatabase(async (db, config) => {
    let membership;
    if (values.municipality) {
      const municipality = await findMunicipalityByCode(db, values.municipality.trim().toUpperCase());
      if (!municipality) throw new CommandError(`--municipality: gemeente ${values.municipality} bestaat niet. Voeg haar eerst toe met "luisterpost municipality add".`);
      membership = { municipalityId: municipality.id, municipalityName: municipality.name, role: role.data };
    }
    const name = values.name ?? values.email!.split("@")[0]!;
    const result = await addUser(db, config, undefined, { email: values.email!, name, isPlatformAdmin: !membership, membership, password }, CLI_ACTOR).catch(explain);
    const what = membership ? `${role.data} bij ${membership.municipalityName}` : "platformbeheerder";
    say(`${result.created ? "Gebruiker aangemaakt" : "Bestaande gebruiker bijgewerkt"}: ${what}.`);
    if (result.invitationLink) say("Met deze link kiest de gebruiker een wachtwoord (zeven dagen geldig, één keer te gebruiken):");
    if (values.json) out(JSON.stringify({ userId: result.user.id, created: result.created, invitationLink: result.invitationLink ?? null }));
    else if (result.invitationLink) out(result.invitationLink);
  });
}

export async function apiKeyCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== "create") throw new CommandError("Gebruik: luisterpost apikey create --municipality CODE [--name NAAM]");
  const { values } = parseArgs({ args: rest, options: { municipality: { type: "string" }, name: { type: "string" } }, strict: true });
  if (!values.municipality) throw new CommandError("Geef --municipality, bijvoorbeeld --municipality GM0327.");
  await withDatabase(async (db) => {
    const municipality = await findMunicipalityByCode(db, values.municipality!.trim().toUpperCase());
    if (!municipality) throw new CommandError(`--municipality: gemeente ${values.municipality} bestaat niet.`);
    const { key } = await createApiKey(db, municipality.id, values.name ?? "Aangemaakt via de opdrachtregel", CLI_ACTOR).catch(explain);
    say(`API-sleutel voor ${municipality.name} gemaakt. Bewaar hem nu: hij wordt niet nog eens getoond.`);
    out(key);
  });
}

export async function demoCommand(args: string[]): Promise<void> {
  if (args.length > 0) throw new CommandError("Gebruik: luisterpost demo");
  await withDatabase(async (db, config) => {
    try {
      if (!config.isProduction && (await isEmpty(db))) say("De demo-gemeente Voorbeeldstad wordt gevuld met een verzonnen jaar; dat duurt minder dan een minuut…");
      const summary = await createDemo(db, config, loadSurveyCatalog());
      out(describeDemo(summary, config.baseUrl));
    } catch (err) {
      if (err instanceof DemoRefusedError) throw new CommandError(err.message);
      throw err;
    }
  });
}
