import type { CurrentUser } from "../auth/currentUser.js";

/** A process key about to get a new version: who owns it now, and whether a flow module owns it. */
export interface DeployTarget {
  key: string;
  /** The department of its latest version's deployment; undefined for a key not deployed yet. */
  ownerDepartmentId: number | null | undefined;
  /** Chinese label of the flow module owning the key (e.g. 告知承诺), if any. */
  flowLabel: string | null;
}

/**
 * Who may start an instance of a definition (Camunda's CREATE_INSTANCE): an admin any; staff of a department the
 * platform's definitions and their own department's. Answers null when allowed, else the Chinese reason.
 */
export function startRefusal(user: CurrentUser, definition: { key: string; ownerDepartmentId: number | null | undefined }): string | null {
  if (user.isAdmin) return null;
  if (user.departmentId === null) return "您的账号不属于任何部门，不能启动流程";
  if (definition.ownerDepartmentId === null || definition.ownerDepartmentId === undefined) return null;
  if (definition.ownerDepartmentId === user.departmentId) return null;
  return `流程 ${definition.key} 由其他部门部署，只有该部门的人员可以启动`;
}

/**
 * Who may deploy a version of a process key: an admin any key; a dept_admin a new key or one its department
 * deployed. A flow module's process (commitment, ...) changes with the platform, so only admins deploy it.
 * Answers null when allowed, else the Chinese reason.
 */
export function deployRefusal(user: CurrentUser, target: DeployTarget): string | null {
  if (user.isAdmin) return null;
  if (!user.roles.includes("dept_admin") || user.departmentId === null) return "只有部门管理员或系统管理员可以部署流程";
  if (target.flowLabel) return `流程 ${target.key} 属于${target.flowLabel}，只有系统管理员可以部署它的新版本`;
  if (target.ownerDepartmentId === undefined || target.ownerDepartmentId === user.departmentId) return null;
  return `流程 ${target.key} 由其他部门部署，您不能部署它的新版本：请换一个流程标识（process id）`;
}
