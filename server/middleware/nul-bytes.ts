// A NUL character (U+0000) is never meaningful in anything Luisterpost receives, and PostgreSQL refuses it in text
// (SQLite would store it): a request that carries one, in its address, query or body, is refused at the door with
// 400 on both dialects instead of failing later as a database error.
import type { RequestHandler } from "express";
import { badRequest } from "../errors.ts";

const ENCODED_NUL = /%00/;

/** Whether a parsed body holds a NUL in any key or string; iterative, as a body may be nested very deeply. */
export function holdsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === "string") {
      if (item.includes("\u0000")) return true;
    } else if (Array.isArray(item)) {
      for (const element of item) pending.push(element);
    } else if (item !== null && typeof item === "object") {
      for (const [key, element] of Object.entries(item)) {
        if (key.includes("\u0000")) return true;
        pending.push(element);
      }
    }
  }
  return false;
}

export const refuseNulBytes: RequestHandler = (req, _res, next) => {
  if (ENCODED_NUL.test(req.originalUrl) || req.originalUrl.includes("\u0000") || holdsNul(req.body)) {
    next(badRequest("Het verzoek bevat een teken dat niet is toegestaan (NUL). Haal het weg en probeer het opnieuw."));
    return;
  }
  next();
};
