import { Router } from "express";
import type { Db } from "../db.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { checkHealth } from "./health.service.ts";

export function healthRoutes(db: Db, queue: JobQueue): Router {
  const router = Router();
  // 200 when everything answers, 503 otherwise, so a load balancer or monitor can act on the status alone.
  router.get("/healthz", async (_req, res) => {
    const report = await checkHealth(db, queue);
    res.status(report.status === "ok" ? 200 : 503).set("Cache-Control", "no-store").json(report);
  });
  return router;
}
