import type { Sequelize } from "sequelize";
import { AuditEntry } from "./AuditEntry.js";
import { CreditSubject } from "./CreditSubject.js";
import { Department } from "./Department.js";
import { Group } from "./Group.js";
import { User } from "./User.js";
import { UserGroup } from "./UserGroup.js";
import { UserRole } from "./UserRole.js";
import { UserSubject } from "./UserSubject.js";

export { AuditEntry, CreditSubject, Department, Group, User, UserGroup, UserRole, UserSubject };

/** Binds every model to this Sequelize instance (called again when a new app opens the database). */
export function initModels(sequelize: Sequelize): void {
  for (const model of [AuditEntry, CreditSubject, Department, Group, User, UserGroup, UserRole, UserSubject]) {
    model.initModel(sequelize);
  }
}
