// luisterpost report --municipality CODE --period 2026-Q3|2026-H1|2026 --format html|pdf|csv|xlsx|json --out FILE
//   [--law wmo|jeugd] [--team T] [--area A] [--provision P] [--mode online|sms|code|paper|phone]
// Writes the report to FILE (or to stdout with --out -); a closed period's report is its stored snapshot.
// Messages go to stderr; bad input is exit code 1 with a Dutch message naming the option.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { recordAudit } from "./audit/audit.service.ts";
import { CommandError } from "./cli.admin.ts";
import { loadConfig } from "./config.ts";
import { migrateToLatest } from "./db.ts";
import { HttpError } from "./errors.ts";
import { findMunicipalityByCode } from "./municipalities/municipalities.queries.ts";
import { periodLabel } from "./reports/period.ts";
import { filterQuery, FORMATS, parseFilters, parsePeriodOrThrow, type ReportFormat } from "./reports/reports.schema.ts";
import { assertReportable, reportFile } from "./reports/reports.service.ts";
import { openDatabase } from "./runtime.ts";
import { loadSurveyCatalog } from "./surveys/surveys.loader.ts";

export const REPORT_USAGE =
  "Gebruik: luisterpost report --municipality CODE --period 2026-Q3|2026-H1|2026 --format html|pdf|csv|xlsx|json --out BESTAND [--law wmo|jeugd] [--team TEAM] [--area WIJK] [--provision VOORZIENING] [--mode online|sms|code|paper|phone]";

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** An HttpError from the report service (bad period, filter…) as a message naming the command-line option. */
function asCommandError(err: unknown, option: string): never {
  if (err instanceof HttpError && err.status < 500) throw new CommandError(`${option}: ${err.message}`);
  throw err;
}

export async function reportCommand(args: string[]): Promise<void> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        municipality: { type: "string" },
        period: { type: "string" },
        format: { type: "string" },
        out: { type: "string" },
        law: { type: "string" },
        team: { type: "string" },
        area: { type: "string" },
        provision: { type: "string" },
        mode: { type: "string" },
      },
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (err) {
    throw new CommandError(`${(err as Error).message.split("\n")[0]}\n${REPORT_USAGE}`);
  }
  const missing = ["municipality", "period", "format", "out"].filter((name) => !values[name]);
  if (missing.length > 0) throw new CommandError(`Vul ${missing.map((m) => `--${m}`).join(", ")} in.\n${REPORT_USAGE}`);

  let period;
  try {
    period = parsePeriodOrThrow(values.period);
    assertReportable(period, new Date());
  } catch (err) {
    asCommandError(err, "--period");
  }
  const format = values.format!.trim().toLowerCase();
  if (!(FORMATS as readonly string[]).includes(format)) throw new CommandError(`--format: kies ${FORMATS.slice(0, -1).join(", ")} of ${FORMATS.at(-1)}, niet "${values.format}".`);
  let filters;
  try {
    filters = parseFilters({ wet: values.law, team: values.team, wijk: values.area, voorziening: values.provision, manier: values.mode });
  } catch (err) {
    const field = err instanceof HttpError ? err.fields[0]?.field : undefined;
    asCommandError(err, { wet: "--law", wijk: "--area", voorziening: "--provision", manier: "--mode" }[field ?? ""] ?? `--${field ?? "filter"}`);
  }
  const out = values.out!;
  const toStdout = out === "-";
  const target = toStdout ? "" : path.resolve(out);

  const config = loadConfig();
  const catalog = loadSurveyCatalog();
  const db = await openDatabase(config);
  try {
    await migrateToLatest(db);
    const code = values.municipality!.trim().toUpperCase();
    const municipality = await findMunicipalityByCode(db, code);
    if (!municipality) throw new CommandError(`--municipality: gemeente ${code} bestaat niet.`);
    let file;
    try {
      file = await reportFile(db, catalog, { id: municipality.id, code: municipality.code, name: municipality.name }, period, format as ReportFormat, filters);
    } catch (err) {
      asCommandError(err, "--period");
    }
    // Exports are audited like downloads in the staff UI; the actor is the command line.
    await recordAudit(db, {
      action: "report.downloaded",
      municipalityId: municipality.id,
      actor: "cli",
      subjectType: "report",
      subjectId: period.key,
      details: { period: period.key, format, filters: filterQuery(filters), snapshot: file.fromSnapshot, via: "cli" },
    });
    if (toStdout) {
      process.stdout.write(file.content);
    } else {
      try {
        writeFileSync(target, file.content);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const reason = code === "ENOENT" ? "de map bestaat niet" : code === "EACCES" || code === "EPERM" ? "geen toestemming om daar te schrijven" : code === "EISDIR" ? "dat is een map" : "schrijven mislukt";
        throw new CommandError(`--out: ${out} kan niet worden geschreven: ${reason}.`);
      }
    }
    say(
      `Rapport ${periodLabel(period)} van gemeente ${municipality.name} (${format}) ${toStdout ? "naar stdout" : `geschreven naar ${target}`}: ${file.content.length.toLocaleString("nl-NL")} bytes${file.fromSnapshot ? ", het vastgestelde rapport van de afgesloten periode" : ""}.`,
    );
  } finally {
    await db.destroy();
  }
}
