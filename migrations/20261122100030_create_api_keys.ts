// API keys for a municipality's case system. The key is shown once; only its SHA-256 hash is stored.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("api_keys", (t) => {
    t.increments("id").primary();
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    t.string("name", 100).notNullable();
    // The first characters of the key, shown in lists so an administrator can tell keys apart.
    t.string("prefix", 16).notNullable();
    t.string("key_hash", 64).notNullable().unique();
    t.integer("created_by_user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("last_used_at", { useTz: true }).nullable();
    t.timestamp("revoked_at", { useTz: true }).nullable();
    t.index(["municipality_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("api_keys");
}
