// luisterpost report as an operator runs it: the real CLI in a child process against a migrated database
// (SQLite, or PostgreSQL with TEST_DATABASE_URL) holding a municipality with answers. The file it writes is the
// report (a closed period's is its stored snapshot, byte for byte); messages go to stderr; every bad input is
// exit code 1 with a Dutch message naming the option, and no stack trace.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertMunicipality, type MunicipalityRow } from "../../server/municipalities/municipalities.queries.ts";
import { lastEndedQuarter, nextPeriod, periodContaining, previousPeriod, type Period } from "../../server/reports/period.ts";
import { CommandError } from "../../server/cli.admin.ts";
import { reportCommand } from "../../server/cli.report.ts";
import { closeReportPeriod } from "../../server/reports/reports.service.ts";
import { loadSurveyCatalog } from "../../server/surveys/surveys.loader.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";
import { respondents } from "./helpers.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const STACK_LINE = /^\s+at /m;

type Result = { code: number | null; stdout: Buffer; stderr: string };

let database: TestDatabase;
let dir: string;
let m: MunicipalityRow;
let open: Period;
let closed: Period;

function runCli(args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "server/cli.ts", ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, NODE_ENV: "test", DATA_DIR: path.join(dir, "data"), DATABASE_URL: database.url },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`luisterpost ${args.join(" ")} did not finish\n${stderr}`));
    }, 30_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

function expectRefusal(result: Result, message: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stdout.length).toBe(0);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(STACK_LINE);
}

beforeAll(async () => {
  database = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), "luisterpost-report-cli-"));
  const catalog = loadSurveyCatalog();
  m = await insertMunicipality(database.db, { code: "GM9911", name: "Rapportdorp" });
  open = lastEndedQuarter(new Date());
  closed = previousPeriod(open);
  await respondents(database.db, catalog, m, open, 24);
  await respondents(database.db, catalog, m, closed, 18);
  await closeReportPeriod(database.db, catalog, { id: m.id, code: m.code, name: m.name }, closed, null);
}, 60_000);

afterAll(async () => {
  await database?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("luisterpost report", () => {
  it("writes the report in the asked format to the file, and says so on stderr", async () => {
    const out = path.join(dir, "rapport.json");
    const result = await runCli(["report", "--municipality", "gm9911", "--period", open.key, "--format", "json", "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.length).toBe(0);
    expect(result.stderr).toMatch(/Rapport .* van gemeente Rapportdorp \(json\) geschreven naar/);
    const model = JSON.parse(readFileSync(out, "utf8"));
    expect(model.municipality).toEqual({ code: "GM9911", name: "Rapportdorp" });
    expect(model.period.key).toBe(open.key);
    expect(model.respondents).toEqual({ value: 24, hidden: null });
    const audit = await database.db("audit_events").where({ municipality_id: m.id, action: "report.downloaded", actor: "cli" });
    expect(audit).toHaveLength(1);
  });

  it("writes a closed period's stored report byte for byte, to stdout with --out -", async () => {
    const snapshot = (await database.db("report_snapshots").where({ municipality_id: m.id, period: closed.key, format: "pdf" }).first("content")).content as Buffer;
    const result = await runCli(["report", "--municipality", "GM9911", "--period", closed.key, "--format", "pdf", "--out", "-"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("het vastgestelde rapport van de afgesloten periode");
    expect(result.stdout.equals(Buffer.from(snapshot))).toBe(true);
  });

  it("refuses an unknown municipality with exit code 1, a Dutch message and no stack trace", async () => {
    expectRefusal(
      await runCli(["report", "--municipality", "GM0001", "--period", open.key, "--format", "pdf", "--out", path.join(dir, "x.pdf")]),
      /Luisterpost kan niet verder\.\n--municipality: gemeente GM0001 bestaat niet/,
    );
    expect(existsSync(path.join(dir, "x.pdf"))).toBe(false);
  });

  it("names the option that is wrong (checked in this process: the same command function)", async () => {
    // The command reads DATABASE_URL like the child processes above; this test file runs in its own process.
    process.env.DATABASE_URL = database.url;
    process.env.NODE_ENV = "test";
    process.env.DATA_DIR = path.join(dir, "data");
    // Vite sets BASE_URL to "/" in test processes.
    process.env.BASE_URL = "http://localhost:3000";
    const base = ["--municipality", "GM9911", "--period", open.key, "--format", "pdf", "--out", path.join(dir, "y.pdf")];
    const replace = (option: string, value: string) => base.map((v, i) => (base[i - 1] === option ? value : v));
    const refused = async (args: string[]) => {
      try {
        await reportCommand(args);
      } catch (err) {
        expect(err, (err as Error).message).toBeInstanceOf(CommandError);
        return (err as Error).message;
      }
      throw new Error(`not refused: ${args.join(" ")}`);
    };
    expect(await refused(replace("--period", "2026-Q5"))).toMatch(/^--period: .*geen periode.*2026-Q3/);
    expect(await refused(replace("--period", "2026-H3"))).toMatch(/^--period: Een jaar heeft twee halfjaren/);
    expect(await refused(replace("--period", nextPeriod(periodContaining("quarter", new Date())).key))).toMatch(/^--period: De periode .* is nog niet begonnen/);
    expect(await refused(replace("--format", "docx"))).toBe('--format: kies html, pdf, csv, xlsx of json, niet "docx".');
    expect(await refused(replace("--out", path.join(dir, "bestaat-niet", "y.pdf")))).toMatch(/^--out: .* kan niet worden geschreven: de map bestaat niet\.$/);
    expect(await refused([...base, "--mode", "fax"])).toMatch(/^--mode: Kies een manier van invullen/);
    expect(await refused([...base, "--law", "participatiewet"])).toMatch(/^--law: Kies wet Wmo of Jeugd/);
    expect(await refused(["--municipality", "GM9911", "--period", open.key])).toMatch(/^Vul --format, --out in\./);
    expect(await refused([...base, "--kleur", "rood"])).toMatch(/Unknown option '--kleur'[\s\S]*Gebruik: luisterpost report/);
    expect(existsSync(path.join(dir, "y.pdf"))).toBe(false);
    // And a good run in this process writes the file.
    await reportCommand(replace("--format", "xlsx").map((v) => (v.endsWith("y.pdf") ? path.join(dir, "y.xlsx") : v)));
    expect(readFileSync(path.join(dir, "y.xlsx")).subarray(0, 2).toString()).toBe("PK");
  });
});
