// Clients, their contact data (kept apart, invariant 2), and the intake conversations (keukentafelgesprekken)
// that start a client's measurement.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("clients", (t) => {
    t.increments("id").primary();
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    // The municipality's own client number: pseudonymous here, meaningful only in its case system.
    t.string("external_id", 100).notNullable();
    t.integer("birth_year").nullable();
    t.string("language", 10).notNullable().defaultTo("nl");
    t.timestamp("opted_out_at", { useTz: true }).nullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("updated_at", { useTz: true }).notNullable();
    t.unique(["municipality_id", "external_id"]);
  });

  // Names, addresses, e-mail and phone numbers live only here, reachable through the client. Reports and
  // exports never join this table; the retention job deletes rows from it.
  await knex.schema.createTable("client_contacts", (t) => {
    t.integer("client_id").primary().references("id").inTable("clients").onDelete("CASCADE");
    t.string("email", 320).nullable();
    // E.164, e.g. +31612345678.
    t.string("mobile", 20).nullable();
    t.string("street", 200).nullable();
    t.string("house_number", 20).nullable();
    // Normalised as "1234 AB".
    t.string("postal_code", 7).nullable();
    t.string("city", 100).nullable();
    t.timestamp("updated_at", { useTz: true }).notNullable();
  });

  await knex.schema.createTable("conversations", (t) => {
    t.increments("id").primary();
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    t.integer("client_id").notNullable().references("id").inTable("clients").onDelete("CASCADE");
    t.string("external_id", 100).notNullable();
    t.string("law", 10).notNullable();
    t.date("held_on").notNullable();
    t.string("team", 200).nullable();
    t.string("area", 200).nullable();
    t.string("provision", 200).nullable();
    t.string("preferred_channel", 10).nullable();
    // Keyed hashes of the contact fields as sent with this conversation (JSON: field → hash), so a resend
    // can be recognised as identical or as different without keeping a second copy of contact data.
    t.text("contact_fingerprint").notNullable().defaultTo("{}");
    // 'api' or 'csv'
    t.string("source", 10).notNullable();
    t.integer("import_id").nullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.unique(["municipality_id", "external_id"]);
    t.index(["municipality_id", "held_on"]);
    t.index(["client_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("conversations");
  await knex.schema.dropTable("client_contacts");
  await knex.schema.dropTable("clients");
}
