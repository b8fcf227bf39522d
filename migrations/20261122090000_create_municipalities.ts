// Municipalities (gemeenten): the tenants. Every tenant table later points here.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("municipalities", (t) => {
    t.increments("id").primary();
    // CBS municipality code: GM + 4 digits, e.g. GM0327 (Leusden).
    t.string("code", 6).notNullable().unique();
    t.string("name", 200).notNullable();
    // Design-token overrides (CSS custom properties) and an optional logo, so each municipality's pages
    // carry its own colours. JSON text; validated by the application.
    t.text("theme").notNullable().defaultTo("{}");
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("updated_at", { useTz: true }).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("municipalities");
}
