// Questionnaire versions as a municipality uses them, the invitations that send a client to one, and the
// responses. A questionnaire version never changes once stored (invariant 7); a response records it.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("questionnaire_versions", (t) => {
    t.increments("id").primary();
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    // 'wmo', 'jeugd-ouders', 'jeugd-jongeren'
    t.string("questionnaire", 40).notNullable();
    t.integer("base_version").notNullable();
    // The municipality's choices (blocks switched off, own questions) and the resulting SurveyJS JSON.
    t.text("customisation").notNullable();
    t.text("definition").notNullable();
    // SHA-256 of the definition: the same definition is stored once per municipality.
    t.string("definition_hash", 64).notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.unique(["municipality_id", "questionnaire", "definition_hash"]);
  });

  await knex.schema.createTable("invitations", (t) => {
    t.increments("id").primary();
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    t.integer("conversation_id").notNullable().references("id").inTable("conversations").onDelete("CASCADE");
    t.integer("client_id").notNullable().references("id").inTable("clients").onDelete("CASCADE");
    t.integer("questionnaire_version_id").notNullable().references("id").inTable("questionnaire_versions");
    // Jeugd: one invitation for the parents and one for the young person; Wmo: 'client'.
    t.string("audience", 20).notNullable();
    // email | sms | letter | phone
    t.string("channel", 10).notNullable();
    // planned | sent | completed | expired | opted_out | skipped
    t.string("status", 20).notNullable();
    t.string("status_reason", 40).nullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.timestamp("sent_at", { useTz: true }).nullable();
    t.timestamp("opened_at", { useTz: true }).nullable();
    t.timestamp("expires_at", { useTz: true }).notNullable();
    t.timestamp("closed_at", { useTz: true }).nullable();
    t.unique(["conversation_id", "audience"]);
    t.index(["municipality_id", "status"]);
    t.index(["client_id"]);
  });

  // The secrets that open an invitation: a link token per message sent (a reminder carries a new one, and
  // older links keep working) and the paper code. Only SHA-256 hashes are stored.
  await knex.schema.createTable("invitation_secrets", (t) => {
    t.increments("id").primary();
    t.integer("invitation_id").notNullable().references("id").inTable("invitations").onDelete("CASCADE");
    // token | code
    t.string("kind", 10).notNullable();
    t.string("secret_hash", 64).notNullable().unique();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.index(["invitation_id"]);
  });

  // A municipality's choices per questionnaire: optional blocks switched off, its own questions.
  await knex.schema.createTable("questionnaire_settings", (t) => {
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    t.string("questionnaire", 40).notNullable();
    t.text("customisation").notNullable();
    t.timestamp("updated_at", { useTz: true }).notNullable();
    t.primary(["municipality_id", "questionnaire"]);
  });

  await knex.schema.createTable("responses", (t) => {
    t.increments("id").primary();
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    // One response per invitation, however often a client clicks "complete".
    t.integer("invitation_id").notNullable().unique().references("id").inTable("invitations").onDelete("CASCADE");
    t.integer("questionnaire_version_id").notNullable().references("id").inTable("questionnaire_versions");
    // online (e-mail link) | sms (SMS link) | code (typed paper code) | paper (typed in by staff) | phone
    t.string("mode", 10).notNullable();
    // in_progress | completed
    t.string("status", 20).notNullable();
    t.text("answers").notNullable().defaultTo("{}");
    t.integer("current_page").notNullable().defaultTo(0);
    t.string("locale", 5).notNullable().defaultTo("nl");
    t.integer("entered_by_user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.timestamp("started_at", { useTz: true }).notNullable();
    t.timestamp("updated_at", { useTz: true }).notNullable();
    t.timestamp("completed_at", { useTz: true }).nullable();
    t.index(["municipality_id", "status", "completed_at"]);
  });

  // A phone number a client types in the consent block is contact data: it is kept with the contact data,
  // not in the answers.
  await knex.schema.alterTable("client_contacts", (t) => {
    t.string("callback_phone", 20).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("client_contacts", (t) => {
    t.dropColumn("callback_phone");
  });
  await knex.schema.dropTable("responses");
  await knex.schema.dropTable("questionnaire_settings");
  await knex.schema.dropTable("invitation_secrets");
  await knex.schema.dropTable("invitations");
  await knex.schema.dropTable("questionnaire_versions");
}
