// Conversations for invitation tests, registered through the real intake service, with the contact data a
// test needs (all synthetic: example.test addresses, 06-12 numbers, Voorbeeldlaan).
import type { Config } from "../../server/config.ts";
import type { Db } from "../../server/db.ts";
import { validateConversation } from "../../server/intake/intake.schema.ts";
import { fingerprintKey, registerConversations } from "../../server/intake/intake.service.ts";
import { addDays, amsterdamDate } from "../../server/time.ts";

export type ConversationOptions = {
  daysAgo?: number;
  law?: "wmo" | "jeugd";
  birthYear?: number;
  email?: boolean;
  mobile?: boolean;
  address?: boolean;
  preferredChannel?: "email" | "sms" | "letter" | "phone";
  language?: string;
  /** Reuse a client (another conversation of the same person). */
  clientExternalId?: string;
  team?: string;
};

let sequence = 0;

export async function addConversation(
  db: Db,
  config: Config,
  municipalityId: number,
  options: ConversationOptions = {},
  now = new Date(),
): Promise<{ conversationId: number; clientId: number; externalId: string; clientExternalId: string; email: string; mobile: string }> {
  sequence += 1;
  const key = `${process.pid}-${sequence}`;
  const clientExternalId = options.clientExternalId ?? `CL-${key}`;
  const email = `client-${key}@example.test`;
  const mobile = `+3161${String(2_000_000 + sequence).padStart(7, "0")}`;
  const input = validateConversation({
    externalId: `KTG-${key}`,
    law: options.law ?? "wmo",
    heldOn: addDays(amsterdamDate(now), -(options.daysAgo ?? 22)),
    team: options.team ?? "Sociaal Team Noord",
    area: "Centrum",
    provision: "huishoudelijke hulp",
    ...(options.preferredChannel ? { preferredChannel: options.preferredChannel } : {}),
    client: {
      externalId: clientExternalId,
      ...(options.birthYear ? { birthYear: options.birthYear } : { birthYear: 1948 }),
      ...(options.language ? { language: options.language } : {}),
      ...(options.email === false ? {} : { email }),
      ...(options.mobile === false ? {} : { mobile: `06-${mobile.slice(4)}` }),
      ...(options.address === false ? {} : { address: { street: "Voorbeeldlaan", houseNumber: String(sequence), postalCode: "9999 ZZ", city: "Voorbeeldstad" } }),
    },
  });
  if (!input.ok) throw new Error(JSON.stringify(input.problems));
  const [outcome] = await registerConversations(db, fingerprintKey(config.sessionSecret), municipalityId, [input.value], { source: "api" });
  const client = await db("clients").where({ municipality_id: municipalityId, external_id: clientExternalId }).first("id");
  return { conversationId: outcome!.conversationId, clientId: client.id as number, externalId: `KTG-${key}`, clientExternalId, email, mobile };
}

export const DAY_MS = 86_400_000;

/** A moment in the SMS window (a weekday at 11:00 Dutch time), `days` after `from`. */
export function weekdayMorning(from: Date, days = 0): Date {
  const d = new Date(from.getTime() + days * DAY_MS);
  // Move to a Tuesday–Friday so neither Sunday nor the evening window interferes.
  while (![2, 3, 4, 5].includes(((d.getUTCDay() + 6) % 7) + 1)) d.setUTCDate(d.getUTCDate() + 1);
  d.setUTCHours(10, 0, 0, 0);
  return d;
}
