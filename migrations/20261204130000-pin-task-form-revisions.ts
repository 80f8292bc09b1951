import { DataTypes, type QueryInterface } from "sequelize";

// The form revision a user task was created with (camunda:formKey, or camunda:formRef with its binding): the task is
// completed against it even if a newer revision is published meanwhile.
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("engine_tasks", "form_revision", { type: DataTypes.INTEGER, allowNull: true });
}

interface IndexInfo {
  name: string;
  unique?: boolean;
  primary?: boolean;
  fields: { attribute: string }[];
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  // SQLite drops a column by rebuilding the table, which loses its indexes: put back the ones it had.
  const before = ((await qi.showIndex("engine_tasks")) as IndexInfo[]).filter((i) => !i.primary && !i.name.startsWith("sqlite_"));
  await qi.removeColumn("engine_tasks", "form_revision");
  const left = new Set(((await qi.showIndex("engine_tasks")) as IndexInfo[]).map((i) => i.name));
  for (const index of before) {
    if (left.has(index.name)) continue;
    await qi.addIndex(
      "engine_tasks",
      index.fields.map((f) => f.attribute),
      { name: index.name, unique: Boolean(index.unique) },
    );
  }
}
