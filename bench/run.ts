// npm run bench: runs every benchmark and writes docs/benchmarks.md with the figures, the machine and the
// command. Benchmarks measure; tests never time anything.
import { writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "../server/paths.ts";
import { benchHttp, type HttpResult } from "./http.bench.ts";
import { benchImport, type ImportBenchResult } from "./import.bench.ts";
import { benchPageWeight, pageWeightTable } from "./page-weight.bench.ts";
import { benchQueue, type QueueResult } from "./queue.bench.ts";
import { benchReports, reportSection } from "./report.bench.ts";

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

function queueTable(results: QueueResult[]): string {
  const rows = results.map(
    (r) => `| ${r.driver} | ${r.jobs.toLocaleString("en")} | ${r.concurrency} | ${r.addMs.toFixed(0)} ms | ${r.totalMs.toFixed(0)} ms | ${r.jobsPerSecond.toFixed(0)} |`,
  );
  return ["| driver | jobs | concurrency | adding all | adding + running all | jobs/s |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

function httpTable(results: HttpResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.connections} | ${r.durationS} s | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms} ms | ${r.p99Ms} ms | ${r.errors} | ${r.non2xx} |`,
  );
  return ["| endpoint | connections | duration | requests/s | p50 | p99 | errors | non-2xx |", "|---|---|---|---|---|---|---|---|", ...rows].join("\n");
}

function importTable(r: ImportBenchResult): string {
  return [
    "| rows | file | total | rows/s | peak RSS | accepted | rejected |",
    "|---|---|---|---|---|---|---|",
    `| ${r.rows.toLocaleString("en")} | ${r.fileMegabytes.toFixed(1)} MB | ${r.seconds.toFixed(1)} s | ${r.rowsPerSecond.toFixed(0)} | ${r.peakRssMegabytes.toFixed(0)} MB | ${r.accepted.toLocaleString("en")} | ${r.rejected.toLocaleString("en")} |`,
  ].join("\n");
}

async function main() {
  const started = new Date();
  process.stderr.write("Queue throughput…\n");
  const queue = await benchQueue();
  process.stderr.write("HTTP…\n");
  const http = await benchHttp();
  process.stderr.write("CSV import…\n");
  const csvImport = await benchImport();
  process.stderr.write("Respondent page weight…\n");
  const pageWeight = await benchPageWeight();
  process.stderr.write("Reports…\n");
  const reports = await benchReports();

  const doc = `# Benchmarks

Latest figures, written by \`npm run bench\` (bench/run.ts). Run on ${started.toISOString().slice(0, 10)}.

Machine: ${machine()}.

## Job queue throughput

No-op jobs added one by one and run by the same process; the time until every job has run. Bull runs
against the local Redis (\`REDIS_URL\` or redis://127.0.0.1:6379). The figure bounds how fast invitations
and reminders can be dispatched; the peak to plan for is 100,000 invitations on one day.

${queueTable(queue)}

## HTTP

The all-in-one process (\`luisterpost serve\`, SQLite, in-process queue) in its own process, loaded by
autocannon from this one.

${httpTable(http)}

## CSV import

\`importConversationsCsv\` (server/intake/csv-import.ts, what \`luisterpost import conversations\` and the
staff upload run) on a synthetic export of ${csvImport.rows.toLocaleString("en")} rows (\`;\`-separated, CRLF, quoted fields,
Dutch and ISO dates), streamed from a temporary file into a fresh SQLite database, in a child process of its
own so that the peak resident memory is the importer's. The file is never held in memory; rows are
registered 500 per transaction. Only this part: \`npx tsx bench/import.bench.ts\`.

${importTable(csvImport)}

## Respondent page weight

The questionnaire page (\`/s/<token>\`, Wmo questionnaire, phone-sized window) in Chromium, counted with the
DevTools protocol (\`Network.loadingFinished\` encodedDataLength: compressed bodies plus headers, everything the
page loads, including \`survey.json\`). First load: a fresh browser context with an empty cache. Repeat visit:
the same link opened again in the same browser; the versioned files (\`?v=\`) come from its cache. Targets
(issue 5): at most 450 kB on the first load, under 20 kB on a repeat visit (1 kB = 1,000 bytes). Only this
part: \`npx tsx bench/page-weight.bench.ts\`.

${pageWeightTable(pageWeight)}

${reportSection(reports)}`;
  writeFileSync(path.join(packageRoot, "docs", "benchmarks.md"), doc);
  process.stdout.write(doc);
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
