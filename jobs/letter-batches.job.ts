// Every morning: the due letters of each municipality become print batches, and print files of batches
// posted long enough ago are deleted (they hold addresses).
import type { Config } from "../server/config.ts";
import type { Db } from "../server/db.ts";
import { createLetterBatches, purgePostedLetterFiles, type LetterBatchCounts } from "../server/letters/letters.service.ts";
import { withLease } from "../server/locks/locks.service.ts";

export async function letterBatchesJob(db: Db, config: Config, now = new Date()): Promise<(LetterBatchCounts & { purgedFiles: number }) | undefined> {
  return withLease(db, "letter-batches", 30 * 60_000, async () => ({ ...(await createLetterBatches(db, config, now)), purgedFiles: await purgePostedLetterFiles(db, now) }));
}
