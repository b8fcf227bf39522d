// The invitation planner: every minute (and on `luisterpost jobs run-due`) it turns due conversations into
// invitations with their first message, creates due reminders, closes expired invitations, and hands
// deliveries a crashed process left behind back to the dispatchers. It only writes rows; the dispatchers
// send. Running it twice changes nothing the first run did not (unique keys and status conditions).
import type { Db } from "../db.ts";
import type { Channel, Law } from "../intake/intake.normalize.ts";
import { readSettingsOfAll } from "../settings/settings.service.ts";
import type { SurveyCatalog } from "../surveys/surveys.loader.ts";
import { addDays, amsterdamDate, nextInWindow } from "../time.ts";
import { chooseChannel } from "./channels.ts";
import { currentQuestionnaireVersion } from "./invitations.service.ts";
import { invitationSettings, type InvitationPolicy } from "./invitations.schema.ts";
import {
  clientsInvitedSince,
  expireInvitations,
  findDueConversations,
  findDueReminders,
  insertPlannedInvitations,
  insertReminder,
  listMunicipalityIds,
  releaseStaleDeliveries,
  type DueConversation,
  type PlannedInvitation,
} from "./planner.queries.ts";

const DAY_MS = 86_400_000;
const BATCH = 500;

export type SkipReason = "fatigue" | "opted_out" | "unreachable" | "too_old";

export const SKIP_LABELS: Record<SkipReason, string> = {
  fatigue: "niet uitgenodigd: kort geleden al uitgenodigd",
  opted_out: "niet uitgenodigd: cliënt heeft zich afgemeld",
  unreachable: "niet uitgenodigd: geen manier om de cliënt te bereiken",
  too_old: "niet uitgenodigd: gesprek te lang geleden",
};

export type PlanCounts = { invitations: number; skipped: Record<SkipReason, number>; reminders: number; expired: number; released: number };

/** Who is asked about a conversation: Wmo the client; Jeugd the parents, the young person (12+), or both (12–17). */
export function audiencesFor(law: Law, heldOn: string, birthYear: number | null): Array<{ audience: string; questionnaire: string }> {
  if (law === "wmo") return [{ audience: "client", questionnaire: "wmo" }];
  const parents = { audience: "ouders", questionnaire: "jeugd-ouders" };
  const young = { audience: "jongeren", questionnaire: "jeugd-jongeren" };
  if (birthYear === null) return [parents];
  const age = Number(heldOn.slice(0, 4)) - birthYear;
  if (age < 12) return [parents];
  if (age < 18) return [parents, young];
  return [young];
}

/** When a message on this channel may go out: now, or for SMS the next moment inside the quiet-hours window. */
export function dueMoment(channel: Channel, policy: InvitationPolicy, now: Date): Date {
  return channel === "sms" ? nextInWindow(now, policy.smsWindow) : now;
}

function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now);
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
}

async function planMunicipality(db: Db, catalog: SurveyCatalog, municipalityId: number, policy: InvitationPolicy, now: Date, counts: PlanCounts): Promise<void> {
  const cutoff = addDays(amsterdamDate(now), -policy.waitDays);
  const tooOldBefore = addDays(cutoff, -policy.maxLateDays);
  const versions = new Map<string, number>();
  const versionOf = async (questionnaire: string) => {
    let id = versions.get(questionnaire);
    if (id === undefined) {
      id = await currentQuestionnaireVersion(db, catalog, municipalityId, questionnaire);
      versions.set(questionnaire, id);
    }
    return id;
  };
  for (;;) {
    const due = await findDueConversations(db, municipalityId, cutoff, BATCH);
    if (due.length === 0) return;
    const recentlyInvited = policy.fatigueMonths > 0 ? await clientsInvitedSince(db, [...new Set(due.map((c) => c.clientId))], monthsBefore(now, policy.fatigueMonths)) : new Set<number>();
    const planned: PlannedInvitation[] = [];
    const skipped: Array<{ conversationId: number; reason: SkipReason }> = [];
    const skip = (c: DueConversation, reason: SkipReason) => {
      skipped.push({ conversationId: c.id, reason });
      counts.skipped[reason] += 1;
    };
    for (const c of due) {
      if (c.optedOut) skip(c, "opted_out");
      else if (c.heldOn < tooOldBefore) skip(c, "too_old");
      else if (recentlyInvited.has(c.clientId)) skip(c, "fatigue");
      else {
        const channel = chooseChannel(c.preferredChannel, c.reach, policy);
        if (!channel) skip(c, "unreachable");
        else {
          for (const { audience, questionnaire } of audiencesFor(c.law, c.heldOn, c.birthYear)) {
            planned.push({
              conversationId: c.id,
              clientId: c.clientId,
              questionnaireVersionId: await versionOf(questionnaire),
              audience,
              channel,
              expiresAt: new Date(now.getTime() + policy.expiryDays * DAY_MS),
              firstDueAt: dueMoment(channel, policy, now),
            });
            counts.invitations += 1;
          }
          // A second conversation of the same client in this batch is fatigue too.
          if (policy.fatigueMonths > 0) recentlyInvited.add(c.clientId);
        }
      }
    }
    await db.transaction((trx) => insertPlannedInvitations(trx, municipalityId, planned, skipped, now));
  }
}

async function planReminders(db: Db, policyOf: (id: number) => InvitationPolicy, now: Date): Promise<number> {
  let created = 0;
  for (;;) {
    const due = await findDueReminders(db, now, BATCH);
    if (due.length === 0) return created;
    await db.transaction(async (trx) => {
      for (const reminder of due) {
        const policy = policyOf(reminder.municipalityId);
        const following = policy.reminderDays[reminder.remindersSent + 1];
        const next = following === undefined ? null : new Date(reminder.sentAt.getTime() + following * DAY_MS);
        await insertReminder(trx, reminder, dueMoment(reminder.channel, policy, now), next, now);
      }
    });
    created += due.length;
  }
}

export async function planInvitations(db: Db, catalog: SurveyCatalog, now = new Date()): Promise<PlanCounts> {
  const counts: PlanCounts = { invitations: 0, skipped: { fatigue: 0, opted_out: 0, unreachable: 0, too_old: 0 }, reminders: 0, expired: 0, released: 0 };
  const policyOf = await readSettingsOfAll(db, invitationSettings);
  counts.released = await releaseStaleDeliveries(db, now);
  // Expiry first: an invitation whose time is up gets no reminder.
  for (;;) {
    const expired = await expireInvitations(db, now);
    counts.expired += expired;
    if (expired === 0) break;
  }
  for (const municipalityId of await listMunicipalityIds(db)) {
    await planMunicipality(db, catalog, municipalityId, policyOf(municipalityId), now, counts);
  }
  counts.reminders = await planReminders(db, policyOf, now);
  return counts;
}
