// Where a conversation's measurement stands, for the API and the staff list: planned or not, skipped and
// why, and per invitation its channel, status and whether the client responded (never the answers).
import { fromDbTime, type Db } from "../db.ts";

export type MeasurementStatus = "pending" | "skipped" | "invited" | "completed" | "expired" | "opted_out" | "failed";

export type InvitationState = {
  audience: string;
  channel: string;
  status: string;
  sentAt: Date | null;
  expiresAt: Date;
  remindersSent: number;
  response: { status: string; mode: string; completedAt: Date | null } | null;
};

export type Measurement = { status: MeasurementStatus; skippedReason: string | null; invitations: InvitationState[] };

export async function findInvitationStates(db: Db, conversationIds: number[]): Promise<Map<number, InvitationState[]>> {
  const states = new Map<number, InvitationState[]>();
  for (let i = 0; i < conversationIds.length; i += 500) {
    const rows = await db("invitations as i")
      .leftJoin("responses as r", "r.invitation_id", "i.id")
      .whereIn("i.conversation_id", conversationIds.slice(i, i + 500))
      .orderBy("i.id")
      .select("i.conversation_id", "i.audience", "i.channel", "i.status", "i.sent_at", "i.expires_at", "i.reminders_sent", "r.status as response_status", "r.mode", "r.completed_at");
    for (const r of rows) {
      const list = states.get(r.conversation_id as number) ?? [];
      list.push({
        audience: r.audience,
        channel: r.channel,
        status: r.status,
        sentAt: fromDbTime(r.sent_at),
        expiresAt: fromDbTime(r.expires_at)!,
        remindersSent: Number(r.reminders_sent ?? 0),
        response: r.response_status ? { status: r.response_status, mode: r.mode, completedAt: fromDbTime(r.completed_at) } : null,
      });
      states.set(r.conversation_id as number, list);
    }
  }
  return states;
}

export function measurementOf(planStatus: string | null, planReason: string | null, invitations: InvitationState[]): Measurement {
  if (planStatus === "skipped") return { status: "skipped", skippedReason: planReason, invitations };
  if (invitations.length === 0) return { status: "pending", skippedReason: null, invitations };
  const statuses = invitations.map((i) => i.status);
  const status: MeasurementStatus = statuses.includes("completed")
    ? "completed"
    : statuses.some((s) => s === "planned" || s === "sent")
      ? "invited"
      : statuses.includes("opted_out")
        ? "opted_out"
        : statuses.includes("expired")
          ? "expired"
          : "failed";
  return { status, skippedReason: null, invitations };
}

export const MEASUREMENT_LABELS: Record<MeasurementStatus, string> = {
  pending: "Wacht op uitnodiging",
  skipped: "Niet uitgenodigd",
  invited: "Uitgenodigd",
  completed: "Ingevuld",
  expired: "Verlopen zonder antwoord",
  opted_out: "Afgemeld",
  failed: "Onbereikbaar",
};
