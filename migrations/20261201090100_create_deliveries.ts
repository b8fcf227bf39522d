// The invitation planner's bookkeeping: which conversations it has handled (and why some got no
// invitation), when an invitation's next reminder is due, every message sent or to be sent (a delivery row
// per invitation, reminder and channel), and the daily batches of paper letters.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("conversations", (t) => {
    // Null until the planner has handled the conversation; then 'invited' or 'skipped' with a reason
    // ('fatigue', 'opted_out', 'unreachable', 'too_old').
    t.timestamp("planned_at", { useTz: true }).nullable();
    t.string("plan_status", 20).nullable();
    t.string("plan_reason", 30).nullable();
  });
  // The planner's question every minute: which conversations of a municipality are not handled yet and held
  // before the cut-off. Only unhandled rows are in this index, so it stays small over ten years of history.
  await knex.schema.alterTable("conversations", (t) => {
    t.index(["municipality_id", "held_on"], "conversations_unplanned_index", { predicate: knex.whereNull("planned_at") });
  });

  await knex.schema.alterTable("invitations", (t) => {
    // Reminders: how many went out and when the next one is due (null: none left, or the invitation closed).
    t.integer("reminders_sent").notNullable().defaultTo(0);
    t.timestamp("next_reminder_at", { useTz: true }).nullable();
    t.index(["status", "next_reminder_at"], "invitations_reminder_index");
    t.index(["status", "expires_at"], "invitations_expiry_index");
  });

  await knex.schema.createTable("letter_batches", (t) => {
    t.increments("id").primary();
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    // 'ready' (PDF made, to be printed) or 'posted' (staff marked it as handed to the post).
    t.string("status", 10).notNullable();
    t.integer("letters").notNullable();
    // The print file holds addresses and codes: it is deleted some time after posting (pdf_deleted_at).
    t.binary("pdf").nullable();
    t.integer("pdf_bytes").notNullable().defaultTo(0);
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("posted_at", { useTz: true }).nullable();
    t.integer("posted_by_user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.timestamp("pdf_deleted_at", { useTz: true }).nullable();
    t.index(["municipality_id", "created_at"]);
  });

  await knex.schema.createTable("deliveries", (t) => {
    t.increments("id").primary();
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    t.integer("invitation_id").notNullable().references("id").inTable("invitations").onDelete("CASCADE");
    // 'invite' (sequence 0) or 'reminder' (sequence 1, 2, …).
    t.string("kind", 10).notNullable();
    t.integer("sequence").notNullable();
    // email | sms | letter | phone
    t.string("channel", 10).notNullable();
    // pending → sending → sent → delivered, or failed / bounced; cancelled when the invitation closed first;
    // letters: pending → batched → sent (posted).
    t.string("status", 12).notNullable();
    t.timestamp("due_at", { useTz: true }).notNullable();
    t.integer("attempts").notNullable().defaultTo(0);
    // While 'sending': a dispatcher holds the row until then; a row still 'sending' afterwards was cut off.
    t.timestamp("lease_until", { useTz: true }).nullable();
    // The e-mail's Message-ID or Twilio's message SID.
    t.string("provider_id", 200).nullable();
    // Plain Dutch reason (never a recipient address) and a short code ('bounce', '21211', 'smtp-550', …).
    t.string("error", 300).nullable();
    t.string("error_code", 40).nullable();
    t.integer("letter_batch_id").nullable().references("id").inTable("letter_batches").onDelete("SET NULL");
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("updated_at", { useTz: true }).notNullable();
    t.timestamp("sent_at", { useTz: true }).nullable();
    t.timestamp("delivered_at", { useTz: true }).nullable();
    t.timestamp("failed_at", { useTz: true }).nullable();
    // One message per invitation, step and channel: a planner that runs twice creates nothing twice.
    t.unique(["invitation_id", "sequence", "channel"]);
    t.index(["status", "channel", "due_at"], "deliveries_due_index");
    t.index(["invitation_id"]);
    t.index(["provider_id"]);
    t.index(["letter_batch_id"]);
    t.index(["municipality_id", "status"]);
  });

  await knex.schema.alterTable("invitation_secrets", (t) => {
    // The message that carried this link or code (null for secrets made outside a delivery).
    t.integer("delivery_id").nullable().references("id").inTable("deliveries").onDelete("SET NULL");
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("invitation_secrets", (t) => {
    t.dropForeign(["delivery_id"]);
    t.dropColumn("delivery_id");
  });
  await knex.schema.dropTable("deliveries");
  await knex.schema.dropTable("letter_batches");
  await knex.schema.alterTable("invitations", (t) => {
    t.dropIndex(["status", "next_reminder_at"], "invitations_reminder_index");
    t.dropIndex(["status", "expires_at"], "invitations_expiry_index");
    t.dropColumn("reminders_sent");
    t.dropColumn("next_reminder_at");
  });
  await knex.schema.alterTable("conversations", (t) => {
    t.dropIndex(["municipality_id", "held_on"], "conversations_unplanned_index");
    t.dropColumn("planned_at");
    t.dropColumn("plan_status");
    t.dropColumn("plan_reason");
  });
}
