// Roles, and the shapes of account forms.
import { z } from "zod";

export const ROLES = ["admin", "interviewer", "reader", "data-entry"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Functioneel beheerder",
  interviewer: "Interviewer",
  reader: "Lezer",
  "data-entry": "Invoerder",
};

/**
 * Roles that can see clients' contact data. The municipalities' information-security baseline asks for
 * two-factor authentication for them; platform administrators manage users, so they need it too.
 */
export const ROLES_REQUIRING_TOTP: readonly Role[] = ["admin", "interviewer", "data-entry"];

export const roleSchema = z.enum(ROLES, { error: "Kies een rol: admin, interviewer, reader of data-entry." });

export const emailSchema = z
  .string({ error: "Vul een e-mailadres in." })
  .trim()
  .toLowerCase()
  .max(320, "Dit e-mailadres is te lang.")
  .pipe(z.email({ error: "Vul een geldig e-mailadres in, bijvoorbeeld naam@gemeente.nl." }));

export const nameSchema = z.string({ error: "Vul een naam in." }).trim().min(1, "Vul een naam in.").max(200, "Deze naam is te lang.");
