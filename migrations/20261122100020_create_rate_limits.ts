// Counters for rate limits and login throttling, shared by every web process through the database.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("rate_limits", (t) => {
    t.string("bucket", 40).notNullable();
    // An IP address or a hash of an e-mail address; never the address itself.
    t.string("key", 128).notNullable();
    // Start of the fixed window, in epoch seconds.
    t.bigInteger("window_start").notNullable();
    t.integer("hits").notNullable();
    t.timestamp("last_hit_at", { useTz: true }).notNullable();
    t.primary(["bucket", "key", "window_start"]);
    t.index(["window_start"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("rate_limits");
}
