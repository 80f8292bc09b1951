import type { Sequelize } from "sequelize";
import { AuditEntry } from "./AuditEntry.js";
import { Case } from "./Case.js";
import { CaseCopy } from "./CaseCopy.js";
import { CreditSubject } from "./CreditSubject.js";
import { Department } from "./Department.js";
import { COMMITMENT_MODELS } from "./commitmentModels.js";
import { CREDIT_MODELS } from "./creditModels.js";
import { ENGINE_MODELS } from "./engineModels.js";
import { FORM_MODELS } from "./formModels.js";
import { GRADING_MODELS } from "./gradingModels.js";
import { SUPERVISION_MODELS } from "./supervisionModels.js";
import { ACTION_MODELS } from "./actionModels.js";
import { Group } from "./Group.js";
import { SubjectClaim } from "./SubjectClaim.js";
import { User } from "./User.js";
import { UserGroup } from "./UserGroup.js";
import { UserRole } from "./UserRole.js";
import { UserSubject } from "./UserSubject.js";
import { ProcessDraft } from "./ProcessDraft.js";
import { TaskReminder } from "./TaskReminder.js";

export { AuditEntry, Case, CreditSubject, Department, Group, SubjectClaim, User, UserGroup, UserRole, UserSubject };

/** Binds every model to this Sequelize instance (called again when a new app opens the database). */
export function initModels(sequelize: Sequelize): void {
  for (const model of [
    AuditEntry,
    Case,
    CaseCopy,
    CreditSubject,
    Department,
    Group,
    ProcessDraft,
    SubjectClaim,
    TaskReminder,
    User,
    UserGroup,
    UserRole,
    UserSubject,
  ]) {
    model.initModel(sequelize);
  }
  for (const model of ENGINE_MODELS) model.initModel(sequelize);
  for (const model of FORM_MODELS) model.initModel(sequelize);
  for (const model of COMMITMENT_MODELS) model.initModel(sequelize);
  for (const model of CREDIT_MODELS) model.initModel(sequelize);
  for (const model of GRADING_MODELS) model.initModel(sequelize);
  for (const model of SUPERVISION_MODELS) model.initModel(sequelize);
  for (const model of ACTION_MODELS) model.initModel(sequelize);
}
