// Named leases in the database: cluster-wide "only one at a time" for work that must not run twice at once
// (the invitation planner, each channel's dispatcher), whichever queue driver carries the jobs and even
// when `luisterpost jobs run-due` runs beside a server.
import { randomUUID } from "node:crypto";
import type { Db } from "../db.ts";
import { release, tryAcquire } from "./locks.queries.ts";

export type Lease = {
  /** Extends the lease; false when it was lost (it ran out and another holder took it). */
  renew(): Promise<boolean>;
  /**
   * Renews the lease in the background every `intervalMs` until released, so a short TTL (which lets a
   * successor take over soon after a crash) survives long work. `lost()` tells whether a renewal failed.
   */
  keepAlive(intervalMs: number): void;
  lost(): boolean;
  release(): Promise<void>;
};

export async function acquireLease(db: Db, name: string, ttlMs: number, now = () => new Date()): Promise<Lease | undefined> {
  const holder = randomUUID();
  const at = now();
  if (!(await tryAcquire(db, name, holder, new Date(at.getTime() + ttlMs), at))) return undefined;
  let timer: NodeJS.Timeout | undefined;
  let lost = false;
  const renew = async () => {
    const t = now();
    const kept = await tryAcquire(db, name, holder, new Date(t.getTime() + ttlMs), t);
    if (!kept) lost = true;
    return kept;
  };
  return {
    renew,
    keepAlive(intervalMs) {
      timer ??= setInterval(() => {
        renew().catch(() => {
          lost = true;
        });
      }, intervalMs);
      timer.unref();
    },
    lost: () => lost,
    async release() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await release(db, name, holder);
    },
  };
}

/** Runs `fn` while holding the lease; returns undefined without running it when someone else holds it. */
export async function withLease<T>(db: Db, name: string, ttlMs: number, fn: (lease: Lease) => Promise<T>): Promise<T | undefined> {
  const lease = await acquireLease(db, name, ttlMs);
  if (!lease) return undefined;
  try {
    return await fn(lease);
  } finally {
    await lease.release();
  }
}
