// The audit trail: who did what, when, for which municipality. Append-only: a trigger refuses updates and
// deletes, so not even a bug in the application can rewrite it.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("audit_events", (t) => {
    t.bigIncrements("id").primary();
    t.timestamp("occurred_at", { useTz: true }).notNullable();
    // No foreign keys: the trail outlives the rows it mentions.
    t.integer("municipality_id").nullable();
    t.integer("actor_user_id").nullable();
    // The actor's e-mail address as it was at the time ('cli' or 'api-key …' for non-users).
    t.string("actor", 320).nullable();
    t.string("action", 60).notNullable();
    t.string("subject_type", 40).nullable();
    t.string("subject_id", 100).nullable();
    t.text("details").notNullable().defaultTo("{}");
    t.string("ip", 45).nullable();
    t.string("request_id", 64).nullable();
    t.index(["municipality_id", "occurred_at"]);
    t.index(["action"]);
  });

  if (knex.client.config.client === "pg") {
    await knex.raw(`
      create function audit_events_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_events is append-only';
      end $$;
    `);
    await knex.raw(`
      create trigger audit_events_append_only before update or delete on audit_events
      for each row execute function audit_events_append_only();
    `);
    await knex.raw(`
      create trigger audit_events_no_truncate before truncate on audit_events
      for each statement execute function audit_events_append_only();
    `);
  } else {
    await knex.raw(`
      create trigger audit_events_no_update before update on audit_events
      begin select raise(abort, 'audit_events is append-only'); end;
    `);
    await knex.raw(`
      create trigger audit_events_no_delete before delete on audit_events
      begin select raise(abort, 'audit_events is append-only'); end;
    `);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (knex.client.config.client === "pg") {
    await knex.raw("drop trigger if exists audit_events_no_truncate on audit_events");
    await knex.raw("drop trigger if exists audit_events_append_only on audit_events");
    await knex.raw("drop function if exists audit_events_append_only()");
  }
  await knex.schema.dropTable("audit_events");
}
