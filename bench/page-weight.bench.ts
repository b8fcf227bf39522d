// The respondent page's weight in Chromium (issue 5, acceptance 4): every byte the questionnaire page
// transfers on a first visit (empty cache) and on a repeat visit in the same browser (cache headers at work).
// Bytes are what went over the wire: the DevTools protocol's Network.loadingFinished encodedDataLength
// (compressed body plus response headers); a file served from the browser's cache counts 0.
// Only this part: npx tsx bench/page-weight.bench.ts
import http from "node:http";
import { pathToFileURL } from "node:url";
import { brotliCompressSync, constants } from "node:zlib";
import type { CDPSession, Page } from "playwright-core";
import { validateConversation } from "../server/intake/intake.schema.ts";
import { fingerprintKey, registerConversations } from "../server/intake/intake.service.ts";
import { createInvitation } from "../server/invitations/invitations.service.ts";
import { insertMunicipality } from "../server/municipalities/municipalities.queries.ts";
import { chromiumAvailable, launchBrowser } from "../tests/helpers/browser.ts";
import { startTestServer } from "../tests/helpers/server.ts";

export const PAGE_WEIGHT_TARGETS = { firstLoadBytes: 450_000, repeatBytes: 20_000 };

export type Transfer = { path: string; type: string; status: number; bytes: number; encoding: string; fromCache: boolean };
export type Visit = { bytes: number; requests: number; transfers: Transfer[] };
export type PageWeightResult = {
  firstLoad: Visit;
  repeat: Visit;
  acceptEncoding: string;
  /** The first load if every static file were sent brotli-compressed at quality 11 (an estimate). */
  firstLoadPrecompressedBytes: number;
};

/** Records every response of the page's loads through the DevTools protocol. */
function recorder(cdp: CDPSession, origin: string) {
  const seen = new Map<string, Transfer>();
  let acceptEncoding = "";
  cdp.on("Network.requestWillBeSentExtraInfo", (e) => {
    const header = Object.entries(e.headers).find(([name]) => name.toLowerCase() === "accept-encoding");
    if (header) acceptEncoding = String(header[1]);
  });
  cdp.on("Network.responseReceived", (e) => {
    const url = new URL(e.response.url);
    seen.set(e.requestId, {
      path: url.origin === origin ? `${url.pathname}${url.search}` : e.response.url,
      type: e.type ?? "Other",
      status: e.response.status,
      bytes: 0,
      encoding: String(e.response.headers["content-encoding"] ?? e.response.headers["Content-Encoding"] ?? ""),
      fromCache: Boolean(e.response.fromDiskCache || e.response.fromPrefetchCache || e.response.fromServiceWorker),
    });
  });
  cdp.on("Network.requestServedFromCache", (e) => {
    const transfer = seen.get(e.requestId);
    if (transfer) transfer.fromCache = true;
  });
  cdp.on("Network.loadingFinished", (e) => {
    const transfer = seen.get(e.requestId);
    if (transfer) transfer.bytes = e.encodedDataLength;
  });
  return {
    acceptEncoding: () => acceptEncoding,
    take(): Visit {
      const transfers = [...seen.values()];
      seen.clear();
      return { bytes: transfers.reduce((sum, t) => sum + t.bytes, 0), requests: transfers.filter((t) => !t.fromCache).length, transfers };
    },
  };
}

const brotli = (body: Buffer, quality: number) =>
  brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }).length;

/** The body bytes exactly as the server sends them for this Accept-Encoding (raw HTTP: nothing decoded). */
function rawBody(url: string, acceptEncoding: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: { "accept-encoding": acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve(Buffer.concat(chunks)));
    }).on("error", reject);
  });
}

/**
 * What the first load would weigh if every static file (/assets) were sent brotli-compressed at quality 11:
 * each file's transfer with its body as sent replaced by the brotli-11 body.
 */
async function precompressedEstimate(origin: string, visit: Visit, acceptEncoding: string): Promise<number> {
  let total = 0;
  for (const t of visit.transfers) {
    total += t.bytes;
    if (!t.path.startsWith("/assets/")) continue;
    const sent = await rawBody(`${origin}${t.path}`, acceptEncoding);
    const plain = await rawBody(`${origin}${t.path}`, "identity");
    total += brotli(plain, 11) - sent.length;
  }
  return total;
}

async function visit(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: "networkidle" });
  await page.locator(".sd-question").first().waitFor();
  await page.waitForLoadState("networkidle");
}

export async function benchPageWeight(): Promise<PageWeightResult> {
  if (!chromiumAvailable()) throw new Error("Chromium is not installed (apt-get install -y chromium)");
  const srv = await startTestServer();
  const browser = await launchBrowser();
  try {
    const db = srv.database.db;
    const municipality = await insertMunicipality(db, { code: "GM9990", name: "Meetdorp" });
    const input = validateConversation({ externalId: "BENCH-1", law: "wmo", heldOn: "2026-10-01", client: { externalId: "BENCH-C1", email: "bench@example.test" } });
    if (!input.ok) throw new Error(JSON.stringify(input.problems));
    const [outcome] = await registerConversations(db, fingerprintKey(srv.config.sessionSecret), municipality.id, [input.value], { source: "api" });
    const client = await db("clients").where({ external_id: "BENCH-C1" }).first("id");
    const invitation = await createInvitation(db, srv.catalog, {
      municipalityId: municipality.id,
      conversationId: outcome!.conversationId,
      clientId: client.id,
      questionnaire: "wmo",
      audience: "client",
      channel: "email",
    });
    const url = `${srv.baseUrl}/s/${invitation.token}`;

    const context = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, locale: "nl-NL" });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    const record = recorder(cdp, srv.baseUrl);

    await visit(page, url);
    const firstLoad = record.take();
    // The repeat visit: the same link opened again later in the same browser, not a forced reload.
    await page.goto("about:blank");
    await visit(page, url);
    const repeat = record.take();
    await context.close();
    return { firstLoad, repeat, acceptEncoding: record.acceptEncoding(), firstLoadPrecompressedBytes: await precompressedEstimate(srv.baseUrl, firstLoad, record.acceptEncoding()) };
  } finally {
    await browser.close();
    await srv.close();
  }
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

/** The section for docs/benchmarks.md. */
export function pageWeightTable(r: PageWeightResult): string {
  const within = (bytes: number, max: number) => (bytes <= max ? "within" : "**over**");
  const rows = r.firstLoad.transfers
    .slice()
    .sort((a, b) => b.bytes - a.bytes)
    .map((t) => {
      const again = r.repeat.transfers.find((x) => x.path === t.path);
      const repeatCell = !again ? "not requested" : again.fromCache ? "from cache" : kb(again.bytes);
      return `| \`${t.path.replace(/\/s\/[^/?]+/, "/s/<token>")}\` | ${t.type} | ${t.encoding || "none"} | ${kb(t.bytes)} | ${repeatCell} |`;
    });
  return [
    `| visit | transferred | requests | target |`,
    `|---|---|---|---|`,
    `| first load (empty cache) | ${kb(r.firstLoad.bytes)} | ${r.firstLoad.requests} | ≤ ${kb(PAGE_WEIGHT_TARGETS.firstLoadBytes)}: ${within(r.firstLoad.bytes, PAGE_WEIGHT_TARGETS.firstLoadBytes)} |`,
    `| first load if every static file were brotli 11 (estimate) | ${kb(r.firstLoadPrecompressedBytes)} | ${r.firstLoad.requests} | ≤ ${kb(PAGE_WEIGHT_TARGETS.firstLoadBytes)}: ${within(r.firstLoadPrecompressedBytes, PAGE_WEIGHT_TARGETS.firstLoadBytes)} |`,
    `| repeat visit (same browser) | ${kb(r.repeat.bytes)} | ${r.repeat.requests} | < ${kb(PAGE_WEIGHT_TARGETS.repeatBytes)}: ${within(r.repeat.bytes, PAGE_WEIGHT_TARGETS.repeatBytes - 1)} |`,
    "",
    `Per file (Accept-Encoding sent by Chromium: \`${r.acceptEncoding}\`):`,
    "",
    `| file | type | encoding | first load | repeat visit |`,
    `|---|---|---|---|---|`,
    ...rows,
  ].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  benchPageWeight()
    .then((result) => process.stdout.write(`${pageWeightTable(result)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    });
}
