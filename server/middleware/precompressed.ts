// Serves a large static file from node_modules compressed once at the highest setting (brotli 11, gzip 9)
// instead of compressing it on every request at a fast setting: the respondent's first visit over a phone
// connection is what counts (issue 5: at most 450 kB). Compressed lazily on the first request, then kept
// in memory for the life of the process.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { RequestHandler } from "express";

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

type Variants = { raw: Buffer; br: Buffer; gzip: Buffer; etag: string };

const cache = new Map<string, Promise<Variants>>();

async function build(file: string): Promise<Variants> {
  const raw = await readFile(file);
  const [br, gz] = await Promise.all([
    brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }),
    gzipAsync(raw, { level: 9 }),
  ]);
  return { raw, br, gzip: gz, etag: `"${raw.length.toString(16)}-${br.length.toString(16)}"` };
}

function variantsOf(file: string): Promise<Variants> {
  let variants = cache.get(file);
  if (!variants) {
    variants = build(file);
    cache.set(file, variants);
    variants.catch(() => cache.delete(file));
  }
  return variants;
}

/**
 * Starts compressing in the background (zlib works on the thread pool, not the event loop), so the first
 * respondent after a start does not wait seconds for brotli 11. A server process calls it once it listens.
 */
export function warmPrecompressed(files: string[]): void {
  for (const file of files) variantsOf(file).catch(() => undefined);
}

export function precompressed(file: string): RequestHandler {
  const type = path.extname(file) === ".css" ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
  return async (req, res) => {
    const v = await variantsOf(file);
    res.set({ "Content-Type": type, "Cache-Control": "public, max-age=31536000, immutable", ETag: v.etag, Vary: "Accept-Encoding" });
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    // Our preference, not the browser's order: Chromium lists "gzip, deflate, br, zstd" but takes brotli.
    const encoding = req.acceptsEncodings("br") ? "br" : req.acceptsEncodings("gzip") ? "gzip" : "identity";
    if (encoding === "br") res.set("Content-Encoding", "br").send(v.br);
    else if (encoding === "gzip") res.set("Content-Encoding", "gzip").send(v.gzip);
    else res.send(v.raw);
  };
}
