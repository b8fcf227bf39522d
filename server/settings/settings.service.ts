// Per-municipality settings, one section per feature. Each feature owns a zod schema whose every field has
// a default (DOMAIN.md), so a municipality that never changed anything gets the defaults, and a stored value
// that no longer fits (an older shape, a hand edit) falls back to them field by field instead of failing.
import type { z } from "zod";
import type { Db, Knex } from "../db.ts";
import type { FieldProblem } from "../errors.ts";
import { findSection, findSectionOfAll, saveSection } from "./settings.queries.ts";

export type SettingsSection<S extends z.ZodType> = { name: string; schema: S };

/** Declares a section: `schema.parse({})` must give the defaults. */
export function defineSection<S extends z.ZodType>(name: string, schema: S): SettingsSection<S> {
  return { name, schema };
}

function parseStored<S extends z.ZodType>(section: SettingsSection<S>, stored: unknown): z.infer<S> {
  const parsed = section.schema.safeParse(stored ?? {});
  if (parsed.success) return parsed.data;
  // Keep the fields that still fit, default the others.
  const kept: Record<string, unknown> = { ...(typeof stored === "object" && stored !== null ? (stored as Record<string, unknown>) : {}) };
  for (const issue of parsed.error.issues) delete kept[String(issue.path[0])];
  const retry = section.schema.safeParse(kept);
  return retry.success ? retry.data : section.schema.parse({});
}

export async function readSettings<S extends z.ZodType>(db: Db | Knex.Transaction, municipalityId: number, section: SettingsSection<S>): Promise<z.infer<S>> {
  return parseStored(section, await findSection(db, municipalityId, section.name));
}

/** The section for many municipalities at once (the planner reads every municipality's policy each minute). */
export async function readSettingsOfAll<S extends z.ZodType>(db: Db, section: SettingsSection<S>): Promise<(municipalityId: number) => z.infer<S>> {
  const stored = await findSectionOfAll(db, section.name);
  const defaults = section.schema.parse({}) as z.infer<S>;
  const cache = new Map<number, z.infer<S>>();
  return (municipalityId) => {
    if (!stored.has(municipalityId)) return defaults;
    let value = cache.get(municipalityId);
    if (value === undefined) {
      value = parseStored(section, stored.get(municipalityId));
      cache.set(municipalityId, value);
    }
    return value;
  };
}

export type SaveSettingsResult<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/** Validates and stores a whole section; nothing is stored when any field is wrong. */
export async function writeSettings<S extends z.ZodType>(
  db: Db,
  municipalityId: number,
  section: SettingsSection<S>,
  input: unknown,
  userId: number | null,
): Promise<SaveSettingsResult<z.infer<S>>> {
  const parsed = section.schema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => ({ field: i.path.join(".") || section.name, message: i.message })) };
  }
  await saveSection(db, municipalityId, section.name, parsed.data, userId);
  return { ok: true, value: parsed.data };
}
