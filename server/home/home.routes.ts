import { Router } from "express";
import type { Db } from "../db.ts";
import { getSiteBranding } from "../municipalities/municipalities.service.ts";

export function homeRoutes(db: Db): Router {
  const router = Router();
  router.get("/", async (_req, res) => {
    res.render("home/index", { title: "Luisterpost", municipality: await getSiteBranding(db) });
  });
  return router;
}
