// Per-municipality settings (invitation policy, follow-up rule and themes, report options), one JSON value
// per section, validated by the feature that owns the section; and named leases that let one process at a
// time do cluster-wide work (the planner, a channel's dispatcher) whatever the queue driver.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("municipality_settings", (t) => {
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    // 'invitations', 'followups', 'reports', …
    t.string("section", 40).notNullable();
    t.text("value").notNullable();
    t.integer("updated_by_user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.timestamp("updated_at", { useTz: true }).notNullable();
    t.primary(["municipality_id", "section"]);
  });

  await knex.schema.createTable("job_locks", (t) => {
    t.string("name", 100).primary();
    // A random id of the process and run holding the lease.
    t.string("holder", 100).notNullable();
    t.timestamp("expires_at", { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("job_locks");
  await knex.schema.dropTable("municipality_settings");
}
