// The retention policy of a municipality (settings section `retention`) and the form that changes it.
// DOMAIN.md: contact data is deleted 90 days after the client's invitations closed and any follow-up is closed.
import { z } from "zod";
import { defineSection } from "../settings/settings.service.ts";

export const DEFAULT_CONTACT_DAYS = 90;
/**
 * Never shorter: a follow-up can be reopened, a late bounce or a question from the client can come in, and the
 * municipality must be able to answer a complaint about an invitation it just sent.
 */
export const MIN_CONTACT_DAYS = 30;
/** Never longer: contact data is only needed to invite and call back (AVG: storage limitation). */
export const MAX_CONTACT_DAYS = 730;
/** The dev outbox holds recipient addresses of messages that were never sent; a month is enough to read them. */
export const OUTBOX_RETENTION_DAYS = 30;

const daysMessage = `Vul een aantal dagen in van ${MIN_CONTACT_DAYS} tot en met ${MAX_CONTACT_DAYS}.`;

export const retentionSettingsSchema = z.object({
  /** Days after the client's last invitation and follow-up closed before the contact data is deleted. */
  contactDays: z
    .number({ error: daysMessage })
    .int("Vul een heel aantal dagen in.")
    .min(MIN_CONTACT_DAYS, `Ten minste ${MIN_CONTACT_DAYS} dagen: korter en de gemeente kan vragen over een uitnodiging of gesprek niet meer beantwoorden.`)
    .max(MAX_CONTACT_DAYS, `Hoogstens ${MAX_CONTACT_DAYS} dagen: langer bewaren is niet nodig voor het onderzoek.`)
    .default(DEFAULT_CONTACT_DAYS),
});

export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

export const RETENTION_SETTINGS = defineSection("retention", retentionSettingsSchema);

/** A number typed in a form field; anything else becomes NaN, which the schema refuses with its message. */
export function formInteger(value: unknown): number {
  return typeof value === "string" && /^\s*-?\d{1,6}\s*$/.test(value) ? Number(value) : Number.NaN;
}
