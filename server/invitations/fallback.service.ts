// After a permanent failure (a bounce, an invalid number, a rejected recipient) the same message goes out on
// the next channel that can reach the client; with none left, an invitation that never reached the client
// is closed as failed, visible in the funnel.
import type { Db } from "../db.ts";
import { readSettings } from "../settings/settings.service.ts";
import { fallbackChannel } from "./channels.ts";
import { failedChannelsOf, failInvitation, findInvitationState, insertFallbackDelivery, markDeliveryFailed, reachabilityOfClient } from "./deliveries.queries.ts";
import { invitationSettings } from "./invitations.schema.ts";
import { dueMoment } from "./planner.service.ts";

export type FailedDelivery = { id: number; invitationId: number; municipalityId: number; kind: string; sequence: number };
export type FallbackOutcome = "fell-back" | "no-channel" | "closed" | "unchanged";

export async function failAndFallBack(
  db: Db,
  delivery: FailedDelivery,
  failure: { status: "failed" | "bounced"; error: string; code: string },
  now = new Date(),
): Promise<FallbackOutcome> {
  const changed = await markDeliveryFailed(db, delivery.id, failure.status, failure.error, failure.code, now);
  if (!changed) return "unchanged";
  const invitation = await findInvitationState(db, delivery.invitationId);
  if (!invitation || (invitation.status !== "planned" && invitation.status !== "sent")) return "closed";
  const policy = await readSettings(db, invitation.municipalityId, invitationSettings);
  const next = fallbackChannel(await failedChannelsOf(db, invitation.id), await reachabilityOfClient(db, invitation.clientId), policy);
  if (!next) {
    await failInvitation(db, invitation.id, "unreachable", now);
    return "no-channel";
  }
  await insertFallbackDelivery(
    db,
    { invitationId: invitation.id, municipalityId: invitation.municipalityId, kind: delivery.kind, sequence: delivery.sequence, channel: next, dueAt: dueMoment(next, policy, now) },
    now,
  );
  return "fell-back";
}
