// The only place that runs knex against audit_events. There is deliberately no update or delete here; the
// database refuses both anyway.
import { countOf, fromDbTime, fromJson, toDbTime, toJson, type Db } from "../db.ts";

export type AuditEventInput = {
  action: string;
  municipalityId?: number | null;
  actorUserId?: number | null;
  actor?: string | null;
  subjectType?: string | null;
  subjectId?: string | number | null;
  details?: Record<string, unknown>;
  ip?: string | null;
  requestId?: string | null;
};

export type AuditEventRow = {
  id: number;
  occurredAt: Date;
  municipalityId: number | null;
  actorUserId: number | null;
  actor: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  details: Record<string, unknown>;
  ip: string | null;
};

export async function insertAuditEvent(db: Db, event: AuditEventInput, at = new Date()): Promise<void> {
  await db("audit_events").insert({
    occurred_at: toDbTime(at),
    municipality_id: event.municipalityId ?? null,
    actor_user_id: event.actorUserId ?? null,
    actor: event.actor ?? null,
    action: event.action,
    subject_type: event.subjectType ?? null,
    subject_id: event.subjectId === undefined || event.subjectId === null ? null : String(event.subjectId),
    details: toJson(event.details ?? {}),
    ip: event.ip ?? null,
    request_id: event.requestId ?? null,
  });
}

export type AuditFilter = {
  municipalityId?: number;
  /**
   * With municipalityId: also the events that belong to no municipality (logins, password changes,
   * switching a user off) when they were done by or to one of these users — the municipality's own staff.
   */
  memberUserIds?: number[];
  action?: string;
  actorUserId?: number;
  from?: Date;
  until?: Date;
  limit: number;
  offset: number;
};

function filtered(db: Db, filter: Omit<AuditFilter, "limit" | "offset">) {
  const q = db("audit_events");
  if (filter.municipalityId !== undefined) {
    const members = filter.memberUserIds ?? [];
    q.where((scope) => {
      scope.where("municipality_id", filter.municipalityId!);
      if (members.length > 0) {
        scope.orWhere((general) =>
          general
            .whereNull("municipality_id")
            .andWhere((who) =>
              who.whereIn("actor_user_id", members).orWhere((subject) =>
                subject.where("subject_type", "user").whereIn("subject_id", members.map(String)),
              ),
            ),
        );
      }
    });
  }
  if (filter.action) q.where("action", filter.action);
  if (filter.actorUserId !== undefined) q.where("actor_user_id", filter.actorUserId);
  if (filter.from) q.where("occurred_at", ">=", toDbTime(filter.from));
  if (filter.until) q.where("occurred_at", "<", toDbTime(filter.until));
  return q;
}

export async function listAuditEvents(db: Db, filter: AuditFilter): Promise<{ rows: AuditEventRow[]; total: number }> {
  const total = countOf(await filtered(db, filter).count({ count: "*" }));
  const rows = await filtered(db, filter)
    .select("id", "occurred_at", "municipality_id", "actor_user_id", "actor", "action", "subject_type", "subject_id", "details", "ip")
    .orderBy("occurred_at", "desc")
    .orderBy("id", "desc")
    .limit(filter.limit)
    .offset(filter.offset);
  return {
    total,
    rows: rows.map((r) => ({
      id: Number(r.id),
      occurredAt: fromDbTime(r.occurred_at)!,
      municipalityId: r.municipality_id,
      actorUserId: r.actor_user_id,
      actor: r.actor,
      action: r.action,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      details: fromJson<Record<string, unknown>>(r.details) ?? {},
      ip: r.ip,
    })),
  };
}
