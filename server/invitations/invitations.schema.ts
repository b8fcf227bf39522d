// The invitation policy of a municipality (settings section "invitations"), with the defaults of DOMAIN.md.
import { z } from "zod";
import { type Channel } from "../intake/intake.normalize.ts";
import { defineSection } from "../settings/settings.service.ts";

export { CHANNELS, type Channel } from "../intake/intake.normalize.ts";
/** The channels the planner picks by itself, in this order unless the municipality changes it. */
export const AUTOMATIC_CHANNELS = ["email", "sms", "letter"] as const;

export const CHANNEL_LABELS: Record<Channel, string> = { email: "e-mail", sms: "sms", letter: "brief", phone: "telefoon" };

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "moet een tijd zijn als 09:00");

const reminderDays = z
  .array(z.number().int().min(1, "minstens 1 dag").max(60, "hoogstens 60 dagen"))
  .max(3, "hoogstens drie herinneringen")
  .refine((days) => days.every((d, i) => i === 0 || d > days[i - 1]!), "elke herinnering komt later dan de vorige");

export const invitationPolicySchema = z
  .object({
    /** Days between the keukentafelgesprek and the invitation, so the client has experienced the support. */
    waitDays: z.number().int().min(0, "kan niet negatief zijn").max(180, "hoogstens 180 dagen").default(21),
    /** A conversation whose invitation moment is longer ago than this is skipped as too old (an import of old intakes). */
    maxLateDays: z.number().int().min(1).max(365).default(60),
    /** Survey fatigue: no new invitation when the client was invited in the last N months. */
    fatigueMonths: z.number().int().min(0).max(36).default(6),
    reminderDays: reminderDays.default([7, 14]),
    expiryDays: z.number().int().min(7, "minstens 7 dagen").max(120, "hoogstens 120 dagen").default(42),
    channelOrder: z
      .array(z.enum(AUTOMATIC_CHANNELS))
      .min(1, "kies minstens één kanaal")
      .refine((list) => new Set(list).size === list.length, "elk kanaal één keer")
      .default(["email", "sms", "letter"]),
    /** Channels the municipality uses at all (phone: interviewers call clients who asked for it). */
    enabledChannels: z
      .object({ email: z.boolean().default(true), sms: z.boolean().default(true), letter: z.boolean().default(true), phone: z.boolean().default(true) })
      .default({ email: true, sms: true, letter: true, phone: true }),
    /** No SMS at night or on Sundays (Europe/Amsterdam). Days: 1 = Monday … 7 = Sunday. */
    smsWindow: z
      .object({ start: time.default("09:00"), end: time.default("20:00"), days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5, 6]) })
      .refine((w) => w.start < w.end, "het begin ligt voor het eind")
      .default({ start: "09:00", end: "20:00", days: [1, 2, 3, 4, 5, 6] }),
    /** Letters: add the printable questionnaire for clients who prefer to answer on paper. */
    letterIncludesForm: z.boolean().default(false),
  });

export type InvitationPolicy = z.infer<typeof invitationPolicySchema>;

export const invitationSettings = defineSection("invitations", invitationPolicySchema);
