import type { Transaction } from "sequelize";
import { Department } from "../../db/models/Department.js";
import { Group } from "../../db/models/Group.js";
import { ROLES, type Role } from "../../db/models/UserRole.js";
import { ValidationError } from "../../errors.js";

/** Checks that the department and the groups named on an account form exist; returns the department's own group. */
export async function checkAssignment(
  input: { roles: Role[]; departmentId: number | null; groups: string[] },
  t: Transaction,
): Promise<{ departmentGroup: string | null }> {
  if (input.roles.length === 0) throw new ValidationError("请至少选择一个角色", [{ path: "roles", message: "请至少选择一个角色" }]);
  const unknownRole = input.roles.find((r) => !ROLES.includes(r));
  if (unknownRole) throw new ValidationError("角色无效", [{ path: "roles", message: `没有角色“${unknownRole}”` }]);
  let departmentGroup: string | null = null;
  if (input.departmentId !== null) {
    const department = await Department.findByPk(input.departmentId, { transaction: t });
    if (!department) throw new ValidationError("部门不存在", [{ path: "departmentId", message: "请选择列表中的部门" }]);
    departmentGroup = (await Group.findOne({ where: { departmentId: department.id }, transaction: t }))?.id ?? null;
  }
  if (input.groups.length) {
    const found = await Group.count({ where: { id: [...new Set(input.groups)] }, transaction: t });
    if (found !== new Set(input.groups).size)
      throw new ValidationError("候选组不存在", [{ path: "groups", message: "请选择列表中的候选组" }]);
  }
  return { departmentGroup };
}
