import { Router } from "express";
import type { Db } from "../db.ts";
import { getThemeCss } from "./municipalities.service.ts";

export function municipalityRoutes(db: Db): Router {
  const router = Router();
  router.get("/theme/:code.css", async (req, res) => {
    const css = await getThemeCss(db, req.params.code);
    res.type("text/css").set("Cache-Control", "public, max-age=300").send(css);
  });
  return router;
}
