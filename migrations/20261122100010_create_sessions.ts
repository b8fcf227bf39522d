// Staff sessions live in the database so several web processes share them. The cookie carries a random id;
// only its SHA-256 hash is stored.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("sessions", (t) => {
    t.string("id_hash", 64).primary();
    t.integer("user_id").notNullable().references("id").inTable("users").onDelete("CASCADE");
    // 'code' (password accepted, TOTP or recovery code still to give), 'totp-setup' (must set up TOTP
    // before anything else), 'active'.
    t.string("stage", 20).notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("last_seen_at", { useTz: true }).notNullable();
    t.timestamp("expires_at", { useTz: true }).notNullable();
    t.index(["user_id"]);
    t.index(["expires_at"]);
  });

  await knex.schema.createTable("auth_tokens", (t) => {
    t.increments("id").primary();
    t.integer("user_id").notNullable().references("id").inTable("users").onDelete("CASCADE");
    // 'password-reset' or 'invitation'; both lead to choosing a password.
    t.string("purpose", 20).notNullable();
    t.string("token_hash", 64).notNullable().unique();
    t.timestamp("expires_at", { useTz: true }).notNullable();
    t.timestamp("used_at", { useTz: true }).nullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.index(["user_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("auth_tokens");
  await knex.schema.dropTable("sessions");
}
