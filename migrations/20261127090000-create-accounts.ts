import { DataTypes, type QueryInterface } from "sequelize";

const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("departments", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    code: { type: DataTypes.STRING(32), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(100), allowNull: false },
    uscc: { type: DataTypes.STRING(18), allowNull: true },
    ...timestamps,
  });
  await qi.createTable("users", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    username: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    password_hash: { type: DataTypes.STRING(255), allowNull: false },
    display_name: { type: DataTypes.STRING(100), allowNull: false },
    email: { type: DataTypes.STRING(254), allowNull: true },
    phone: { type: DataTypes.STRING(32), allowNull: true },
    department_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: "departments", key: "id" } },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    ...timestamps,
  });
  await qi.createTable("user_roles", {
    user_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      primaryKey: true,
      references: { model: "users", key: "id" },
      onDelete: "CASCADE",
    },
    role: { type: DataTypes.STRING(32), allowNull: false, primaryKey: true },
  });
  await qi.createTable("groups", {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    name: { type: DataTypes.STRING(100), allowNull: false },
    department_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: "departments", key: "id" } },
    ...timestamps,
  });
  await qi.createTable("user_groups", {
    user_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      primaryKey: true,
      references: { model: "users", key: "id" },
      onDelete: "CASCADE",
    },
    group_id: {
      type: DataTypes.STRING(64),
      allowNull: false,
      primaryKey: true,
      references: { model: "groups", key: "id" },
      onDelete: "CASCADE",
    },
  });
  await qi.createTable("credit_subjects", {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    code: { type: DataTypes.STRING(18), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(200), allowNull: false },
    subject_type: { type: DataTypes.STRING(32), allowNull: false },
    division_code: { type: DataTypes.STRING(6), allowNull: false },
    legacy_pilot: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    legacy_override_reason: { type: DataTypes.STRING(500), allowNull: true },
    legacy_override_by: { type: DataTypes.STRING(64), allowNull: true },
    ...timestamps,
  });
  await qi.addIndex("credit_subjects", ["name"], { name: "credit_subjects_name" });
  await qi.createTable("user_subjects", {
    user_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      primaryKey: true,
      references: { model: "users", key: "id" },
      onDelete: "CASCADE",
    },
    subject_id: {
      type: DataTypes.INTEGER,
      allowNull: false,
      primaryKey: true,
      references: { model: "credit_subjects", key: "id" },
      onDelete: "CASCADE",
    },
  });
  await qi.addIndex("user_subjects", ["subject_id"], { name: "user_subjects_subject" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const table of ["user_subjects", "credit_subjects", "user_groups", "groups", "user_roles", "users", "departments"]) {
    await qi.dropTable(table);
  }
}
