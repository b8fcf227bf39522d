// luisterpost import conversations FILE --municipality CODE [--json]
// Progress goes to stderr (an updating counter on a terminal, a line now and then otherwise), the counts to
// stdout. Rejected rows are written next to FILE as FILE.afgekeurd.csv; the exit code is 1 when any row was
// rejected, so a script that imports every week notices.
import { createReadStream, createWriteStream, existsSync, statSync } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import { CommandError } from "./cli.admin.ts";
import { loadConfig } from "./config.ts";
import { migrateToLatest } from "./db.ts";
import { CsvImportError, importConversationsCsv, rejectedRowsCsv, type ImportProgress } from "./intake/csv-import.ts";
import { fingerprintKey } from "./intake/intake.service.ts";
import { findMunicipalityByCode } from "./municipalities/municipalities.queries.ts";
import { openDatabase } from "./runtime.ts";

const USAGE = "Gebruik: luisterpost import conversations BESTAND --municipality CODE [--json]";
const TTY_INTERVAL_MS = 250;
const LOG_INTERVAL_MS = 5_000;

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

const number = (value: number) => value.toLocaleString("nl-NL");

/** week42.csv → week42.afgekeurd.csv, next to the file. */
export function rejectedFileFor(file: string): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `${path.basename(file, ext)}.afgekeurd${ext.toLowerCase() === ".csv" ? ext : `${ext}.csv`}`);
}

/** Reports progress at most a few times a second on a terminal, and every few seconds in a log. */
function progressReporter(): { report(progress: ImportProgress): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let shown = false;
  const line = (p: ImportProgress) =>
    `${number(p.rowsDone)} regels verwerkt: ${number(p.accepted)} geïmporteerd, ${number(p.unchanged)} ongewijzigd, ${number(p.rejected)} afgekeurd`;
  return {
    report(progress) {
      const now = Date.now();
      if (now - last < (tty ? TTY_INTERVAL_MS : LOG_INTERVAL_MS)) return;
      last = now;
      if (tty) {
        process.stderr.write(`\r\x1b[K${line(progress)}…`);
        shown = true;
      } else {
        say(`${line(progress)}…`);
      }
    },
    done() {
      if (shown) process.stderr.write("\r\x1b[K");
    },
  };
}

export async function importCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== "conversations") throw new CommandError(USAGE);
  const { values, positionals } = parseArgs({
    args: rest,
    options: { municipality: { type: "string" }, json: { type: "boolean", default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1 || !values.municipality) throw new CommandError(USAGE);
  const file = path.resolve(positionals[0]!);
  if (!existsSync(file) || !statSync(file).isFile()) throw new CommandError(`Het bestand ${positionals[0]} bestaat niet.`);

  const config = loadConfig();
  const db = await openDatabase(config);
  try {
    await migrateToLatest(db);
    const municipality = await findMunicipalityByCode(db, values.municipality.trim().toUpperCase());
    if (!municipality) throw new CommandError(`--municipality: gemeente ${values.municipality} bestaat niet.`);

    say(`Gesprekken importeren uit ${path.basename(file)} voor gemeente ${municipality.name}…`);
    const progress = progressReporter();
    let summary;
    try {
      summary = await importConversationsCsv({
        db,
        key: fingerprintKey(config.sessionSecret),
        municipalityId: municipality.id,
        input: createReadStream(file),
        filename: path.basename(file),
        createdByUserId: null,
        sizeBytes: statSync(file).size,
        onProgress: (p) => progress.report(p),
      });
    } catch (err) {
      if (err instanceof CsvImportError) throw new CommandError(`${path.basename(file)} is niet geïmporteerd. ${err.message}`);
      throw err;
    } finally {
      progress.done();
    }

    let rejectedFile: string | null = null;
    if (summary.rejected > 0) {
      rejectedFile = rejectedFileFor(file);
      await pipeline(rejectedRowsCsv(db, summary.importId), createWriteStream(rejectedFile));
    }
    say(
      `Klaar: ${number(summary.totalRows)} regels verwerkt (tekenset ${summary.encoding}, scheidingsteken ${summary.separator === "\t" ? "tab" : summary.separator}).`,
    );
    if (rejectedFile) say(`${number(summary.rejected)} afgekeurde regels staan met de reden in ${rejectedFile}. Verbeter ze en importeer dat bestand opnieuw.`);
    const counts = { accepted: summary.accepted, unchanged: summary.unchanged, rejected: summary.rejected };
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ importId: summary.importId, totalRows: summary.totalRows, ...counts, rejectedFile })}\n`);
    } else {
      process.stdout.write(`geïmporteerd ${counts.accepted}\nongewijzigd ${counts.unchanged}\nafgekeurd ${counts.rejected}\n`);
    }
    if (summary.rejected > 0) process.exitCode = 1;
  } finally {
    await db.destroy();
  }
}
