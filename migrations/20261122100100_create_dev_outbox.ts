// The development outbox: e-mail and SMS that were not sent because no SMTP server or Twilio account is
// configured. Outside production every message lands here so developers and testers can read it in the
// staff UI. It holds recipient addresses (personal data), so rows go with their municipality.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("dev_outbox", (t) => {
    t.increments("id").primary();
    // 'email' or 'sms'; checked by the application, a string keeps the column the same on both dialects.
    t.string("channel", 10).notNullable();
    // Null for messages that belong to no municipality, such as an administrator's password reset.
    t.integer("municipality_id").nullable().references("id").inTable("municipalities").onDelete("CASCADE");
    t.string("category", 50).notNullable();
    // 320: the longest e-mail address RFC 5321 allows (64 + 1 + 255).
    t.string("recipient", 320).notNullable();
    t.string("subject", 300).nullable();
    t.text("body_text").notNullable();
    t.text("body_html").nullable();
    // Extra headers as JSON text, so a one-click unsubscribe link can be tried out in development.
    t.text("headers").notNullable().defaultTo("{}");
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.index(["municipality_id", "created_at"], "dev_outbox_municipality_created_index");
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("dev_outbox");
}
