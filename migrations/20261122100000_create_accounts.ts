// Staff accounts and their role per municipality. A user may serve several municipalities (a research
// bureau's interviewer); a platform administrator manages municipalities and users.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("users", (t) => {
    t.increments("id").primary();
    // Stored lowercased; compared lowercased.
    t.string("email", 320).notNullable().unique();
    t.string("name", 200).notNullable();
    // Null until an invited user sets a password.
    t.string("password_hash", 200).nullable();
    t.boolean("is_platform_admin").notNullable().defaultTo(false);
    t.boolean("active").notNullable().defaultTo(true);
    t.string("totp_secret", 64).nullable();
    t.timestamp("totp_enabled_at", { useTz: true }).nullable();
    // The last accepted TOTP time step, so a code cannot be used twice.
    t.bigInteger("totp_last_step").nullable();
    t.timestamp("last_login_at", { useTz: true }).nullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("updated_at", { useTz: true }).notNullable();
  });

  await knex.schema.createTable("memberships", (t) => {
    t.increments("id").primary();
    t.integer("user_id").notNullable().references("id").inTable("users").onDelete("CASCADE");
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    t.string("role", 20).notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.unique(["user_id", "municipality_id"]);
    t.index(["municipality_id"]);
  });

  await knex.schema.createTable("recovery_codes", (t) => {
    t.increments("id").primary();
    t.integer("user_id").notNullable().references("id").inTable("users").onDelete("CASCADE");
    t.string("code_hash", 64).notNullable();
    t.timestamp("used_at", { useTz: true }).nullable();
    t.index(["user_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("recovery_codes");
  await knex.schema.dropTable("memberships");
  await knex.schema.dropTable("users");
}
