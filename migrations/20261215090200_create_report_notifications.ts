// The quarterly e-mail ("the report is ready", with a link): one row per municipality, quarter and recipient,
// claimed before the message goes out, so a job that runs twice never mails anyone twice.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("report_notifications", (t) => {
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    t.string("period", 10).notNullable();
    t.integer("user_id").notNullable().references("id").inTable("users").onDelete("CASCADE");
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("sent_at", { useTz: true }).nullable();
    t.primary(["municipality_id", "period", "user_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("report_notifications");
}
