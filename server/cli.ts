#!/usr/bin/env node
// The luisterpost command. Messages go to stderr; what a command is asked to produce goes to stdout.
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config.ts";
import { DatabaseUnavailableError, migrateToLatest } from "./db.ts";
import { RedisUnavailableError } from "../jobs/queue.ts";
import { apiKeyCommand, CommandError, demoCommand, municipalityCommand, userCommand } from "./cli.admin.ts";
import { importCommand } from "./cli.import.ts";
import { reportCommand } from "./cli.report.ts";
import { jobsCommand } from "./cli.jobs.ts";
import { exitOnSignals, openDatabase, startRuntime, StartupError, type Role } from "./runtime.ts";
import { SurveyDefinitionError } from "./surveys/surveys.loader.ts";

const USAGE = `Gebruik: luisterpost <opdracht> [opties]

Opdrachten:
  serve      web en taken in één proces (standaard voor npm start)
  web        alleen de website en de API (vraagt REDIS_URL)
  worker     alleen de taken (vraagt REDIS_URL)
  migrate    voer openstaande databasemigraties uit   [--json]
  municipality add --code GM0327 --name Leusden [--json]
             voeg een gemeente toe
  user add --email E --role admin|interviewer|reader|data-entry [--municipality CODE] [--name NAAM] [--password-stdin] [--json]
             maak een account; zonder --municipality en met --role admin een platformbeheerder;
             zonder --password-stdin komt er een link om een wachtwoord te kiezen op stdout
  demo       vul een lege database met demo-gemeente Voorbeeldstad (niet in productie)
  apikey create --municipality CODE [--name NAAM]
             maak een API-sleutel voor het zaaksysteem; de sleutel staat alleen op stdout
  import conversations BESTAND --municipality CODE [--json]
             importeer keukentafelgesprekken uit een CSV-bestand; afgekeurde regels komen met de
             reden in BESTAND.afgekeurd.csv en dan is de exitcode 1
  jobs run-due [--json]
             plan de uitnodigingen en verstuur alles wat klaarstaat (e-mail, sms, brieven), en stop dan
  report --municipality CODE --period 2026-Q3|2026-H1|2026 --format html|pdf|csv|xlsx|json --out BESTAND
         [--law wmo|jeugd] [--team TEAM] [--area WIJK] [--provision VOORZIENING] [--mode online|sms|code|paper|phone]
             maak het rapport van een periode (met --out - naar stdout); van een afgesloten periode
             het vastgestelde rapport
  help       deze uitleg

De instellingen komen uit de omgeving (zie .env.example).`;

/** An error the user can act on: printed as is, without a stack trace. */
function isExpected(err: unknown): err is Error {
  return (
    err instanceof ConfigError ||
    err instanceof DatabaseUnavailableError ||
    err instanceof RedisUnavailableError ||
    err instanceof StartupError ||
    err instanceof CommandError ||
    err instanceof SurveyDefinitionError ||
    err instanceof UsageError
  );
}

class UsageError extends Error {}

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function runServer(role: Role): Promise<void> {
  const runtime = await startRuntime(role);
  exitOnSignals(runtime);
  await runtime.afterStart();
}

async function runMigrate(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false } }, strict: true });
  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    const applied = await migrateToLatest(db);
    if (values.json) process.stdout.write(`${JSON.stringify({ applied })}\n`);
    say(applied.length === 0 ? "De database is bijgewerkt; er waren geen openstaande migraties." : `${applied.length} migratie(s) uitgevoerd: ${applied.join(", ")}`);
  } finally {
    await db.destroy();
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
    case "web":
    case "worker":
      if (rest.length > 0) throw new UsageError(`"${command}" heeft geen opties; instellingen komen uit de omgeving.`);
      return runServer(command);
    case "migrate":
      return runMigrate(rest);
    case "municipality":
      return municipalityCommand(rest);
    case "user":
      return userCommand(rest);
    case "apikey":
      return apiKeyCommand(rest);
    case "demo":
      return demoCommand(rest);
    case "import":
      return importCommand(rest);
    case "report":
      return reportCommand(rest);
    case "jobs":
      return jobsCommand(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      say(USAGE);
      return;
    default:
      throw new UsageError(`Onbekende opdracht "${command}".\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (isExpected(err)) {
    say(`Luisterpost kan niet verder.\n${err.message}`);
  } else if (err instanceof Error && (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    say(`${err.message}\n\n${USAGE}`);
  } else {
    // Unexpected: still no stack trace for the operator, but the message says what failed.
    say(`Luisterpost kan niet verder: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exitCode = 1;
});
