// When a client's data was erased on request (AVG art. 17): the client row stays as a pseudonymous anchor for the
// answers that remain, and the staff pages say that it was erased instead of showing an empty client.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("clients", (t) => {
    t.timestamp("erased_at", { useTz: true }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  // Plain SQL on both dialects: knex would rebuild the SQLite table for dropColumn and lose its triggers.
  await knex.raw("alter table clients drop column erased_at");
}
