// The retention job and the erasure of a client ask, per client, whether any follow-up is still open and when the
// last one closed. Without an index on client_id that question scans every follow-up for every client.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable("followups", (t) => {
    t.index(["client_id", "status"], "followups_client_index");
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable("followups", (t) => {
    t.dropIndex(["client_id", "status"], "followups_client_index");
  });
}
