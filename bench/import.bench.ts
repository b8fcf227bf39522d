// How fast the CSV importer takes a large weekly export: 100,000 synthetic rows, streamed to a temporary file,
// imported into a fresh SQLite database. The import runs in a child process of its own so that its peak
// resident memory is the importer's, not that of the benchmarks that ran before it.
//
//   npx tsx bench/import.bench.ts            runs it and prints the result as JSON
import { spawn } from "node:child_process";
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { once } from "node:events";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseDatabaseUrl } from "../server/config.ts";
import { createDb, migrateToLatest } from "../server/db.ts";
import { importConversationsCsv } from "../server/intake/csv-import.ts";
import { fingerprintKey } from "../server/intake/intake.service.ts";
import { insertMunicipality } from "../server/municipalities/municipalities.queries.ts";
import { packageRoot } from "../server/paths.ts";

export type ImportBenchResult = {
  rows: number;
  fileMegabytes: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMegabytes: number;
  accepted: number;
  rejected: number;
};

const ROWS = 100_000;
const HEADER = "gesprek_id;client_id;wet;gespreksdatum;team;wijk;voorziening;geboortejaar;taal;email;mobiel;straat;huisnummer;postcode;woonplaats;voorkeur_kanaal";
const TEAMS = ["Sociaal Team Noord", "Sociaal Team Zuid", "Wijkteam Centrum", "Jeugdteam Oost"];
const AREAS = ["Centrum", "Noord", "Zuid", "Oost", "West"];
// No S: PostNL never issues SA, SD or SS.
const LETTERS = "ABCDEFGHJKLMNPRTVWXZ";
const PROVISIONS = ["huishoudelijke hulp", "begeleiding", "vervoer", "woonvoorziening", "jeugdhulp ambulant"];

function day(offset: number): Date {
  return new Date(Date.now() - (1 + offset) * 86_400_000);
}

/** One synthetic row: fake ids, example.test addresses, valid Dutch mobile numbers and postcodes. */
export function syntheticRow(i: number): string {
  const date = day(i % 700);
  const iso = date.toISOString().slice(0, 10);
  const [y, m, d] = iso.split("-");
  const heldOn = i % 2 === 0 ? iso : `${d}-${m}-${y}`;
  const client = i % 90_000; // some clients have two conversations
  const postcode = `${1000 + (i % 9000)} ${LETTERS[i % LETTERS.length]}${LETTERS[(i * 7) % LETTERS.length]}`;
  return [
    `KTG-B-${String(i).padStart(7, "0")}`,
    `C-${String(client).padStart(6, "0")}`,
    i % 3 === 0 ? "jeugd" : "wmo",
    heldOn,
    TEAMS[i % TEAMS.length],
    AREAS[i % AREAS.length],
    PROVISIONS[i % PROVISIONS.length],
    String(1930 + (client % 80)),
    "nl",
    `client${client}@example.test`,
    `06-${String(10_000_000 + (client % 89_999_999)).slice(0, 8)}`,
    '"Dorpsstraat; achterom"',
    String(1 + (client % 200)),
    postcode,
    "Leusden",
    "email",
  ].join(";");
}

/** Writes the CSV to `file` with back-pressure, never holding it in memory. */
export async function writeSyntheticCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  await write(`${HEADER}\r\n`);
  let chunk: string[] = [];
  for (let i = 1; i <= rows; i++) {
    chunk.push(syntheticRow(i));
    if (chunk.length === 1_000 || i === rows) {
      await write(`${chunk.join("\r\n")}\r\n`);
      chunk = [];
    }
  }
  out.end();
  await once(out, "finish");
}

/** The measurement itself, in this process. */
async function measure(rows: number): Promise<ImportBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "luisterpost-import-bench-"));
  try {
    const file = path.join(dir, "gesprekken.csv");
    await writeSyntheticCsv(file, rows);
    const config = parseDatabaseUrl(`sqlite:${path.join(dir, "bench.sqlite")}`, dir);
    if (typeof config === "string") throw new Error(config);
    const db = createDb(config);
    try {
      await migrateToLatest(db);
      const municipality = await insertMunicipality(db, { code: "GM9999", name: "Benchmarkgemeente" });
      const started = performance.now();
      const summary = await importConversationsCsv({
        db,
        key: fingerprintKey("benchmark-secret-benchmark-secret-0123"),
        municipalityId: municipality.id,
        input: createReadStream(file),
        filename: "gesprekken.csv",
        createdByUserId: null,
      });
      const seconds = (performance.now() - started) / 1000;
      return {
        rows,
        fileMegabytes: statSync(file).size / 2 ** 20,
        seconds,
        rowsPerSecond: rows / seconds,
        peakRssMegabytes: process.resourceUsage().maxRSS / 1024,
        accepted: summary.accepted,
        rejected: summary.rejected,
      };
    } finally {
      await db.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the measurement in a fresh child process and returns what it reports. */
export async function benchImport(rows = ROWS): Promise<ImportBenchResult> {
  const child = spawn(path.join(packageRoot, "node_modules", ".bin", "tsx"), [fileURLToPath(import.meta.url), "--child", String(rows)], {
    cwd: packageRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  const [code] = (await once(child, "close")) as [number | null];
  if (code !== 0) throw new Error(`import benchmark exited with ${code}`);
  return JSON.parse(stdout) as ImportBenchResult;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const childIndex = process.argv.indexOf("--child");
  const rows = childIndex === -1 ? ROWS : Number(process.argv[childIndex + 1]);
  const run = childIndex === -1 ? benchImport(rows) : measure(rows);
  run.then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: unknown) => {
      process.stderr.write(`import benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
