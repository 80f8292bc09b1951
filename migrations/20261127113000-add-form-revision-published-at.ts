import { DataTypes, type QueryInterface } from "sequelize";

/** When a revision was first published: a revision once published may be pinned by running cases and stays readable. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("form_revisions", "published_at", { type: DataTypes.DATE, allowNull: true });
  await qi.sequelize.query(
    `UPDATE form_revisions SET published_at = CURRENT_TIMESTAMP
      WHERE EXISTS (SELECT 1 FROM forms f WHERE f.id = form_revisions.form_id AND f.published_revision = form_revisions.revision)`,
  );
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn("form_revisions", "published_at");
}
