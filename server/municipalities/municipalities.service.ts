// Municipality look and feel: turns a stored theme into the CSS and logo its pages use.
import { z } from "zod";
import { recordAudit, type AuditEvent } from "../audit/audit.service.ts";
import type { Db } from "../db.ts";
import { badRequest, conflict, notFound } from "../errors.ts";
import { findMunicipalityByCode, findMunicipalityById, findOnlyMunicipality, insertMunicipality, type MunicipalityRow } from "./municipalities.queries.ts";
import { municipalityCodeSchema, themeSchema, type Theme } from "./municipalities.schema.ts";

export type MunicipalityBranding = { code: string; name: string; logo: string | undefined; logoAlt: string; phone?: string | null; contactEmail?: string | null };

function brandingOf(municipality: MunicipalityRow & { phone?: string | null; contactEmail?: string | null }): MunicipalityBranding {
  const theme = parseTheme(municipality.theme);
  return {
    code: municipality.code,
    name: municipality.name,
    logo: theme.logo,
    logoAlt: theme.logoAlt ?? `Logo van gemeente ${municipality.name}`,
    phone: municipality.phone ?? null,
    contactEmail: municipality.contactEmail ?? null,
  };
}

/** Name, look and contact details of one municipality, for the pages its respondents see. */
export async function getBrandingById(db: Db, id: number): Promise<MunicipalityBranding | undefined> {
  const municipality = await findMunicipalityById(db, id);
  return municipality ? brandingOf(municipality) : undefined;
}

/** A stored theme that no longer validates (edited by hand) falls back to the default look. */
export function parseTheme(value: unknown): Theme {
  const parsed = themeSchema.safeParse(value ?? {});
  return parsed.success ? parsed.data : { tokens: {} };
}

/** The theme's token overrides as a style sheet, loaded after the default tokens so they win. */
export function themeToCss(theme: Theme): string {
  const declarations = Object.entries(theme.tokens).map(([name, value]) => `  ${name}: ${value};`);
  return `.utrecht-theme.lp-theme {\n${declarations.join("\n")}\n}\n`;
}

export async function getThemeCss(db: Db, rawCode: string): Promise<string> {
  const code = municipalityCodeSchema.safeParse(rawCode);
  if (!code.success) throw notFound();
  const municipality = await findMunicipalityByCode(db, code.data);
  if (!municipality) throw notFound();
  return themeToCss(parseTheme(municipality.theme));
}

/**
 * The branding for pages that belong to no particular municipality (the home page): an installation that
 * serves a single municipality carries its look; one that serves several stays neutral.
 */
export async function getSiteBranding(db: Db): Promise<MunicipalityBranding | undefined> {
  const municipality = await findOnlyMunicipality(db);
  return municipality ? brandingOf(municipality) : undefined;
}

export async function createMunicipality(
  db: Db,
  input: { code: unknown; name: unknown },
  actor: Pick<AuditEvent, "actorUserId" | "actor" | "ip" | "requestId">,
): Promise<MunicipalityRow> {
  const code = municipalityCodeSchema.safeParse(input.code ?? "");
  const name = z.string().trim().min(1, "Vul de naam van de gemeente in.").max(200, "Deze naam is te lang.").safeParse(input.name ?? "");
  const fields = [
    ...(code.success ? [] : [{ field: "code", message: `De gemeentecode ${code.error.issues[0]!.message}.` }]),
    ...(name.success ? [] : [{ field: "name", message: name.error.issues[0]!.message }]),
  ];
  if (fields.length > 0) throw badRequest("Controleer de gegevens van de gemeente.", fields);
  if (await findMunicipalityByCode(db, code.data!)) {
    const message = `Gemeente ${code.data} bestaat al.`;
    throw conflict(message, [{ field: "code", message }]);
  }
  const municipality = await insertMunicipality(db, { code: code.data!, name: name.data! });
  await recordAudit(db, { action: "municipality.created", municipalityId: municipality.id, subjectType: "municipality", subjectId: municipality.code, ...actor });
  return municipality;
}
