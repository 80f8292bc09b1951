import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { currentUser } from "../../auth/currentUser.js";
import type { AppContext } from "../../context.js";
import { Department } from "../../db/models/Department.js";
import { addDepartment, updateDepartment } from "../../domain/accounts/manageDepartments.js";
import { listDepartments } from "../../domain/accounts/queries.js";
import { NotFoundError } from "../../errors.js";
import { requireRole } from "../../http/guards.js";
import { parse } from "../../http/parse.js";
import { authorize } from "../../policies/authorize.js";
import { departmentPolicy } from "../../policies/department.js";
import { actorOf, attempt, idParam, optionalText, setFlash, takeFlash, type FormProblem } from "./forms.js";

const DepartmentFields = {
  name: z.string().trim().min(1, { error: "请填写部门名称" }).max(100, { error: "名称不能超过 100 字" }),
  uscc: optionalText(32),
};
const NewDepartmentForm = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,31}$/, { error: "部门代码为 2-32 位小写字母、数字或下划线，以字母开头（如 scjgj）" }),
  ...DepartmentFields,
});
const EditDepartmentForm = z.object(DepartmentFields);

/** Departments and their candidate groups (admins only). */
export function adminDepartmentRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;
  const admin = requireRole("admin");

  router.get("/admin/departments", admin, async (req, res) => {
    authorize(departmentPolicy.list(currentUser(req)));
    res.render("admin/departments/index", { title: "部门管理", flash: takeFlash(req), departments: await listDepartments(db) });
  });

  const renderForm = (
    res: Response,
    view: { department?: { id: number; code: string }; values: Record<string, unknown> },
    problem?: FormProblem,
  ) =>
    res.status(problem?.status ?? 200).render("admin/departments/form", {
      title: view.department ? `编辑部门 ${view.department.code}` : "新建部门",
      ...view,
      problem,
      errors: problem?.fields ?? {},
    });

  router.get("/admin/departments/new", admin, (req, res) => {
    authorize(departmentPolicy.manage(currentUser(req)));
    renderForm(res, { values: {} });
  });

  router.post("/admin/departments", admin, async (req, res) => {
    authorize(departmentPolicy.manage(currentUser(req)));
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await attempt(async () => addDepartment(db, actorOf(req), parse(NewDepartmentForm, body, "部门信息有误，请按提示修改")));
    if (!result.ok) return renderForm(res, { values: body }, result.problem);
    setFlash(req, "success", `已创建部门“${result.value.name}”及其任务候选组“${result.value.code}”。`);
    res.redirect("/admin/departments");
  });

  async function load(req: Request): Promise<Department> {
    const department = await Department.findByPk(idParam(req.params.id));
    if (!department) throw new NotFoundError("找不到该部门");
    return department;
  }

  router.get("/admin/departments/:id", admin, async (req, res) => {
    authorize(departmentPolicy.manage(currentUser(req)));
    const d = await load(req);
    renderForm(res, { department: { id: d.id, code: d.code }, values: { code: d.code, name: d.name, uscc: d.uscc ?? "" } });
  });

  router.post("/admin/departments/:id", admin, async (req, res) => {
    authorize(departmentPolicy.manage(currentUser(req)));
    const d = await load(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const result = await attempt(async () =>
      updateDepartment(db, actorOf(req), d.id, parse(EditDepartmentForm, body, "部门信息有误，请按提示修改")),
    );
    if (!result.ok) return renderForm(res, { department: { id: d.id, code: d.code }, values: { ...body, code: d.code } }, result.problem);
    setFlash(req, "success", `已保存部门“${result.value.name}”。`);
    res.redirect("/admin/departments");
  });

  return router;
}
