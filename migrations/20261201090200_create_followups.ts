// Follow-up conversations (verdiepingsgesprekken): one per response that met the municipality's rule, the
// call attempts, the interviewer's notes per topic, the themes, and the quotes that may appear anonymised in
// reports (from follow-ups, or open answers selected for a report) once they passed review.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("followups", (t) => {
    t.increments("id").primary();
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    // Exactly one follow-up per response, however often the trigger runs.
    t.integer("response_id").notNullable().unique().references("id").inTable("responses").onDelete("CASCADE");
    t.integer("invitation_id").notNullable().references("id").inTable("invitations").onDelete("CASCADE");
    t.integer("client_id").notNullable().references("id").inTable("clients").onDelete("CASCADE");
    // open (nobody has it) | claimed (an interviewer works it) | closed
    t.string("status", 10).notNullable();
    // opgelost | doorverwezen | signaal | geen_actie | wil_niet | niet_bereikt
    t.string("outcome", 20).nullable();
    // The answers that met the rule (JSON: [{ key, value }]) and the rule as it was then.
    t.text("triggers").notNullable();
    t.text("rule").notNullable();
    t.integer("claimed_by_user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.timestamp("claimed_at", { useTz: true }).nullable();
    // Service level: the first call attempt is due by then (working days, Dutch public holidays excluded).
    t.timestamp("deadline_at", { useTz: true }).notNullable();
    t.timestamp("first_attempt_at", { useTz: true }).nullable();
    t.integer("attempts").notNullable().defaultTo(0);
    // "Call back at …": back at the top of the queue from then on.
    t.timestamp("callback_at", { useTz: true }).nullable();
    t.boolean("urgent").notNullable().defaultTo(false);
    // Why it is urgent: veiligheid (safety) | geen_zorg (a client without necessary care) | anders
    t.string("urgent_reason", 20).nullable();
    t.timestamp("escalated_at", { useTz: true }).nullable();
    t.timestamp("acknowledged_at", { useTz: true }).nullable();
    t.integer("acknowledged_by_user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.timestamp("closed_at", { useTz: true }).nullable();
    t.integer("closed_by_user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("updated_at", { useTz: true }).notNullable();
    t.index(["municipality_id", "status", "deadline_at"]);
    t.index(["claimed_by_user_id", "status"]);
  });

  await knex.schema.createTable("followup_attempts", (t) => {
    t.increments("id").primary();
    t.integer("followup_id").notNullable().references("id").inTable("followups").onDelete("CASCADE");
    t.integer("user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.timestamp("attempted_at", { useTz: true }).notNullable();
    // no_answer | voicemail | wrong_number | callback | reached
    t.string("result", 20).notNullable();
    t.timestamp("callback_at", { useTz: true }).nullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.index(["followup_id", "attempted_at"]);
  });

  await knex.schema.createTable("followup_notes", (t) => {
    t.increments("id").primary();
    t.integer("followup_id").notNullable().references("id").inTable("followups").onDelete("CASCADE");
    // The triggering question's key, or 'algemeen'.
    t.string("topic", 60).notNullable();
    t.text("text").notNullable();
    t.integer("user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("updated_at", { useTz: true }).notNullable();
    t.unique(["followup_id", "topic"]);
  });

  await knex.schema.createTable("followup_themes", (t) => {
    t.integer("followup_id").notNullable().references("id").inTable("followups").onDelete("CASCADE");
    // A key from the municipality's theme list (settings section 'followups').
    t.string("theme", 60).notNullable();
    t.primary(["followup_id", "theme"]);
  });

  await knex.schema.createTable("quotes", (t) => {
    t.increments("id").primary();
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    // 'followup' (said in a follow-up conversation) or 'answer' (an open answer selected for reports)
    t.string("source", 10).notNullable();
    t.integer("followup_id").nullable().references("id").inTable("followups").onDelete("CASCADE");
    t.integer("response_id").nullable().references("id").inTable("responses").onDelete("CASCADE");
    t.string("question_key", 100).nullable();
    t.text("text").notNullable();
    // What the identifying-details check found (JSON: [{ kind, match }]).
    t.text("flags").notNullable().defaultTo("[]");
    // pending (waits for review) | approved (may appear in reports) | rejected
    t.string("status", 10).notNullable();
    t.integer("created_by_user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.integer("reviewed_by_user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.timestamp("reviewed_at", { useTz: true }).nullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.index(["municipality_id", "status"]);
    t.index(["followup_id"]);
    // An open answer is selected for reports at most once.
    t.unique(["response_id", "question_key"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("quotes");
  await knex.schema.dropTable("followup_themes");
  await knex.schema.dropTable("followup_notes");
  await knex.schema.dropTable("followup_attempts");
  await knex.schema.dropTable("followups");
}
