// A municipality's CBS code and its visual theme.
import { z } from "zod";

/** CBS municipality code: GM followed by four digits (GM0327 Leusden). */
export const municipalityCodeSchema = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .pipe(z.string().regex(/^GM\d{4}$/, "moet GM gevolgd door vier cijfers zijn, bijvoorbeeld GM0327"));

// A token value must stay a single CSS value: nothing that ends the declaration or rule, no comments,
// and no url() or @import that would make a visitor's browser contact another server.
const tokenValue = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((v) => !/[;{}<>\\\n\r]|\/\*|url\s*\(|@import|expression\s*\(/i.test(v), "is geen toegestane CSS-waarde");

export const themeSchema = z.object({
  /** Overrides of NL Design System tokens (--utrecht-*, --nl-*) and Luisterpost's own (--lp-*). */
  tokens: z
    .record(z.string().regex(/^--(utrecht|nl|lp)-[a-z0-9-]+$/, "is geen design token (--utrecht-…, --nl-… of --lp-…)"), tokenValue)
    .default({}),
  /** The logo as a data URI, so no visitor's browser contacts another server. */
  logo: z
    .string()
    .max(400_000, "het logo is te groot (maximaal 300 kB)")
    .regex(/^data:image\/(png|jpeg|webp|svg\+xml);base64,[A-Za-z0-9+/]+=*$/, "moet een PNG-, JPEG-, WebP- of SVG-afbeelding zijn (data-URI)")
    .optional(),
  logoAlt: z.string().trim().max(200).optional(),
});

export type Theme = z.infer<typeof themeSchema>;
