// Closed report periods and their snapshots (invariant 6): when an administrator closes a period, the report
// is rendered once in every format and the bytes are kept; from then on the period's report is served from
// these bytes, unchanged, whatever arrives later.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("report_periods", (t) => {
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    // 2026-Q3, 2026-H1, 2026
    t.string("period", 10).notNullable();
    // The period's bounds as instants, so a response arriving late finds the closed period it belongs to.
    t.timestamp("starts_at", { useTz: true }).notNullable();
    t.timestamp("ends_at", { useTz: true }).notNullable();
    t.timestamp("closed_at", { useTz: true }).notNullable();
    t.integer("closed_by_user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.primary(["municipality_id", "period"]);
    t.index(["municipality_id", "starts_at"]);
  });

  await knex.schema.createTable("report_snapshots", (t) => {
    t.integer("municipality_id").notNullable();
    t.string("period", 10).notNullable();
    // html | pdf | csv | xlsx | json | fragment (the report inside the staff page) | legal-csv | legal-xlsx
    t.string("format", 20).notNullable();
    t.binary("content").notNullable();
    t.integer("bytes").notNullable();
    t.string("sha256", 64).notNullable();
    t.timestamp("created_at", { useTz: true }).notNullable();
    t.primary(["municipality_id", "period", "format"]);
    t.foreign(["municipality_id", "period"]).references(["municipality_id", "period"]).inTable("report_periods").onDelete("CASCADE");
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("report_snapshots");
  await knex.schema.dropTable("report_periods");
}
