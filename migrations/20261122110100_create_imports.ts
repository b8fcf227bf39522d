// CSV imports of intake conversations and the rows each one rejected, so an administrator can see what
// happened to every row of a file and download the rejected ones to fix them.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("imports", (t) => {
    t.increments("id").primary();
    t.integer("municipality_id").notNullable().references("id").inTable("municipalities").onDelete("CASCADE");
    // The name the file had on the administrator's computer, for lists and download names.
    t.string("filename", 255).notNullable();
    // 'pending' (uploaded, waiting for "Importeren" after the preview), 'running', 'done' or 'failed'.
    t.string("status", 10).notNullable();
    t.integer("total_rows").notNullable().defaultTo(0);
    t.integer("accepted").notNullable().defaultTo(0);
    t.integer("unchanged").notNullable().defaultTo(0);
    t.integer("rejected").notNullable().defaultTo(0);
    // Progress of a running import in bytes of the file: the row count is unknown until the end.
    t.bigInteger("size_bytes").nullable();
    t.bigInteger("processed_bytes").notNullable().defaultTo(0);
    // What was detected, and the header as written in the file (JSON array): the file of rejected rows
    // repeats both so it can be fixed and uploaded again.
    t.string("separator", 1).nullable();
    t.string("encoding", 20).nullable();
    t.text("columns").nullable();
    // Where an uploaded file waits between preview and import; cleared once the file is deleted.
    t.text("upload_file").nullable();
    t.integer("created_by_user_id").nullable().references("id").inTable("users").onDelete("SET NULL");
    t.timestamp("started_at", { useTz: true }).notNullable();
    t.timestamp("finished_at", { useTz: true }).nullable();
    // Touched by every batch: a 'running' import that has not moved for long was cut off (a restart).
    t.timestamp("updated_at", { useTz: true }).notNullable();
    t.text("error").nullable();
    t.index(["municipality_id", "started_at"]);
  });

  await knex.schema.createTable("import_rejections", (t) => {
    t.increments("id").primary();
    t.integer("import_id").notNullable().references("id").inTable("imports").onDelete("CASCADE");
    // The physical line in the file; the header is line 1.
    t.integer("line").notNullable();
    // The CSV column(s) at fault, comma-separated; null when the row as a whole is at fault.
    t.string("column", 200).nullable();
    t.text("reason").notNullable();
    // The row as it stood in the file, as CSV text (may hold contact data: deleted with the import).
    t.text("raw").notNullable();
    t.index(["import_id"]);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("import_rejections");
  await knex.schema.dropTable("imports");
}
