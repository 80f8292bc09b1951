import type { QueryInterface } from "sequelize";

interface IndexInfo {
  name: string;
  unique?: boolean;
  primary?: boolean;
  fields: { attribute: string }[];
}

/** Drops columns and keeps the table's other indexes: SQLite drops a column by rebuilding the table, which loses them. */
export async function dropColumnsKeepingIndexes(qi: QueryInterface, table: string, columns: string[]): Promise<void> {
  const before = ((await qi.showIndex(table)) as IndexInfo[]).filter(
    (i) => !i.primary && !i.name.startsWith("sqlite_") && !i.fields.some((f) => columns.includes(f.attribute)),
  );
  for (const column of columns) await qi.removeColumn(table, column);
  const left = new Set(((await qi.showIndex(table)) as IndexInfo[]).map((i) => i.name));
  for (const index of before) {
    if (left.has(index.name)) continue;
    await qi.addIndex(
      table,
      index.fields.map((f) => f.attribute),
      { name: index.name, unique: Boolean(index.unique) },
    );
  }
}
