// Which external services the tests can reach. A suite that needs an absent service skips with a printed
// reason on a laptop, and fails under CI=true: CI must never skip.
import { existsSync } from "node:fs";
import { Redis } from "ioredis";

export const inCI = process.env.CI === "true" || process.env.CI === "1";

/** Redis for the Bull driver: REDIS_URL when set, else the local default. */
export const testRedisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";

/** PostgreSQL for the suite: set TEST_DATABASE_URL to run every database test against it. */
export const testPostgresUrl = process.env.TEST_DATABASE_URL || undefined;

export async function canReachRedis(url = testRedisUrl): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Returns true when the suite must skip. Prints the reason; throws under CI so the run fails loudly.
 */
export function skipWithout(service: string, available: boolean, hint: string): boolean {
  if (available) return false;
  const message = `${service} is not available: ${hint}`;
  if (inCI) throw new Error(`${message} (CI=true: this suite must not skip)`);
  console.warn(`[skipped] ${message}`);
  return true;
}

/** poppler-utils (pdftotext, pdftoppm, pdfinfo) read the letter and report PDFs back as text and pictures. */
export function popplerAvailable(): boolean {
  return ["pdftotext", "pdftoppm", "pdfinfo"].every((tool) => existsSync(`/usr/bin/${tool}`));
}

/** Returns true when the PDF-reading tests must skip (see skipWithout). */
export const skipWithoutPoppler = (): boolean =>
  skipWithout("poppler-utils (pdftotext, pdftoppm)", popplerAvailable(), "apt-get install -y poppler-utils");
