import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { ROLES } from "../../db/models/UserRole.js";
import { createStaffUser } from "../../domain/accounts/createStaffUser.js";
import { deactivateUser } from "../../domain/accounts/deactivateUser.js";
import { findUser, listDepartments, listGroups, listUsers, type UserRow } from "../../domain/accounts/queries.js";
import { resetPassword } from "../../domain/accounts/resetPassword.js";
import { updateUser } from "../../domain/accounts/updateUser.js";
import { USERNAME_PATTERN, USERNAME_RULE } from "../../domain/accounts/usernames.js";
import { pageNumber } from "../../domain/search.js";
import { NotFoundError, ValidationError } from "../../errors.js";
import { requireRole } from "../../http/guards.js";
import { parse } from "../../http/parse.js";
import { authorize } from "../../policies/authorize.js";
import { userPolicy } from "../../policies/user.js";
import { ROLE_LABELS } from "../../presenters/navigation.js";
import { presentPagination } from "../../presenters/pagination.js";
import { presentUser, roleOptions } from "../../presenters/user.js";
import { actorOf, attempt, checkboxList, idParam, optionalText, setFlash, takeFlash, type FormProblem } from "./forms.js";

const roleList = checkboxList.pipe(z.array(z.enum(ROLES, { error: "角色无效" })).min(1, { error: "请至少选择一个角色" }));
const departmentField = z.preprocess((v) => (v === "" || v === undefined ? null : Number(v)), z.number().int().positive().nullable());

const AccountFields = {
  displayName: z.string().trim().min(1, { error: "请填写姓名" }).max(50, { error: "姓名不能超过 50 字" }),
  phone: optionalText(32),
  email: optionalText(254).pipe(z.email({ error: "电子邮箱格式不正确" }).nullable()),
  roles: roleList,
  departmentId: departmentField,
  groups: checkboxList,
};
const NewUserForm = z.object({
  username: z.string().trim().regex(USERNAME_PATTERN, { error: USERNAME_RULE }),
  password: z.string().min(1, { error: "请设置初始密码" }).max(128),
  ...AccountFields,
});
const EditUserForm = z.object({ ...AccountFields, active: z.preprocess((v) => v === "1" || v === "on" || v === true, z.boolean()) });
const PasswordForm = z.object({ password: z.string().min(1, { error: "请填写新密码" }).max(128) });

const ListQuery = z.object({
  q: z.string().max(64).optional().catch(undefined),
  role: z.enum(ROLES).optional().catch(undefined),
  department: z.coerce.number().int().positive().optional().catch(undefined),
  page: z.unknown().optional(),
});

/** Account administration: list, create, edit, reset password, deactivate (admins only). */
export function adminUserRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;
  const admin = requireRole("admin");

  async function formOptions(selectedRoles: readonly string[], departmentId: number | null, groups: readonly string[]) {
    const [departments, allGroups] = await Promise.all([listDepartments(db), listGroups(db)]);
    return {
      roleOptions: roleOptions(selectedRoles),
      departments: departments.map((d) => ({ id: d.id, name: d.name, code: d.code, selected: d.id === departmentId })),
      groupOptions: allGroups
        .filter((g) => g.departmentId === null || g.departmentId !== departmentId)
        .map((g) => ({ id: g.id, name: g.name, checked: groups.includes(g.id) })),
    };
  }

  router.get("/admin/users", admin, async (req, res) => {
    authorize(userPolicy.list(currentUser(req)));
    const query = ListQuery.parse(req.query);
    const page = await listUsers(db, { q: query.q, role: query.role, departmentId: query.department, page: pageNumber(query.page) });
    const departments = await listDepartments(db);
    const viewer = currentUser(req);
    res.render("admin/users/index", {
      title: "用户管理",
      flash: takeFlash(req),
      filters: { q: query.q ?? "", role: query.role ?? "", department: query.department ?? "" },
      roles: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r], selected: r === query.role })),
      departments: departments.map((d) => ({ id: d.id, name: d.name, selected: d.id === query.department })),
      users: page.rows.map((u) => presentUser(u, viewer)),
      filtered: Boolean(query.q || query.role || query.department),
      pagination: presentPagination(page, "/admin/users", { q: query.q, role: query.role, department: query.department }),
    });
  });

  const renderNew = async (res: Response, values: Record<string, unknown>, problem?: FormProblem) => {
    const roles = (values.roles as string[] | undefined) ?? ["reviewer"];
    const departmentId = typeof values.departmentId === "number" ? values.departmentId : null;
    res.status(problem?.status ?? 200).render("admin/users/new", {
      title: "新建工作人员账号",
      values,
      problem,
      errors: problem?.fields ?? {},
      ...(await formOptions(roles, departmentId, (values.groups as string[] | undefined) ?? [])),
    });
  };

  router.get("/admin/users/new", admin, async (req, res) => {
    authorize(userPolicy.create(currentUser(req)));
    await renderNew(res, {});
  });

  router.post("/admin/users", admin, async (req, res) => {
    authorize(userPolicy.create(currentUser(req)));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await attempt(async () => {
      const form = parse(NewUserForm, body, "账号信息有误，请按提示修改");
      return createStaffUser(db, actorOf(req), form);
    });
    if (!result.ok) {
      const values = { ...body, password: "", roles: checkboxList.parse(body.roles), groups: checkboxList.parse(body.groups) };
      return renderNew(res, { ...values, departmentId: Number(body.departmentId) || null }, result.problem);
    }
    setFlash(req, "success", `已创建账号“${result.value.username}”。`);
    res.redirect(`/admin/users/${result.value.id}`);
  });

  async function loadTarget(req: Request): Promise<UserRow> {
    const target = await findUser(db, idParam(req.params.id));
    if (!target) throw new NotFoundError("找不到该用户");
    return target;
  }

  const renderEdit = async (req: Request, res: Response, target: UserRow, values?: Record<string, unknown>, problem?: FormProblem) => {
    const viewer = currentUser(req);
    const v = values ?? {
      displayName: target.displayName,
      phone: target.phone ?? "",
      email: target.email ?? "",
      roles: target.roles,
      departmentId: target.departmentId,
      groups: target.groups,
      active: target.active,
    };
    const departmentId = typeof v.departmentId === "number" ? v.departmentId : null;
    res.status(problem?.status ?? 200).render("admin/users/edit", {
      title: `编辑账号 ${target.username}`,
      flash: takeFlash(req),
      user: presentUser(target, viewer),
      values: v,
      problem,
      errors: problem?.fields ?? {},
      ...(await formOptions((v.roles as string[]) ?? [], departmentId, (v.groups as string[]) ?? [])),
    });
  };

  router.get("/admin/users/:id", admin, async (req, res) => {
    const target = await loadTarget(req);
    authorize(userPolicy.update(currentUser(req), target));
    await renderEdit(req, res, target);
  });

  router.post("/admin/users/:id", admin, async (req, res) => {
    const target = await loadTarget(req);
    const viewer = currentUser(req);
    authorize(userPolicy.update(viewer, target));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await attempt(async () => {
      const form = parse(EditUserForm, body, "账号信息有误，请按提示修改");
      if (!userPolicy.keepsOwnAccess(viewer, target, form)) {
        throw new ValidationError("不能停用自己的账号或取消自己的系统管理员角色", [
          { path: "roles", message: "不能取消自己的系统管理员角色或停用自己的账号" },
        ]);
      }
      return updateUser(db, actorOf(req), target.id, form);
    });
    if (!result.ok) {
      const values = {
        ...body,
        roles: checkboxList.parse(body.roles),
        groups: checkboxList.parse(body.groups),
        departmentId: Number(body.departmentId) || null,
        active: body.active === "1",
      };
      return renderEdit(req, res, target, values, result.problem);
    }
    setFlash(req, "success", "已保存账号信息，该用户下一次操作时生效。");
    res.redirect(`/admin/users/${target.id}`);
  });

  router.post("/admin/users/:id/password", admin, async (req, res) => {
    const target = await loadTarget(req);
    authorize(userPolicy.resetPassword(currentUser(req), target));
    const result = await attempt(async () => {
      const { password } = parse(PasswordForm, req.body);
      await resetPassword(db, actorOf(req), target.id, password);
    });
    if (!result.ok) {
      setFlash(req, "danger", `密码未重置：${result.problem.fields.password ?? result.problem.message}`);
      return res.redirect(`/admin/users/${target.id}`);
    }
    setFlash(req, "success", `已重置“${target.username}”的密码，请通过安全渠道告知本人，并提醒其尽快修改。`);
    res.redirect(`/admin/users/${target.id}`);
  });

  router.post("/admin/users/:id/deactivate", admin, async (req, res) => {
    const target = await loadTarget(req);
    authorize(userPolicy.deactivate(currentUser(req), target), "不能停用自己的账号或已停用的账号");
    await deactivateUser(db, actorOf(req), target.id);
    setFlash(req, "success", `已停用账号“${target.username}”，该账号不能再登录。`);
    res.redirect(`/admin/users/${target.id}`);
  });

  return router;
}
