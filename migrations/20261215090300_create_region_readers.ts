// Region readers: staff a platform administrator allowed to see the regional comparison (aggregated,
// suppressed figures of the municipalities that agreed to share; never rows). A flag per user, kept apart
// from the municipality roles because it spans municipalities.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("region_readers", (t) => {
    t.integer("user_id").primary().references("id").inTable("users").onDelete("CASCADE");
    t.integer("granted_by_user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.timestamp("created_at", { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("region_readers");
}
