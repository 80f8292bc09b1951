import { Router, type Request, type Response } from "express";
import { rateLimit } from "express-rate-limit";
import { z } from "zod";
import { loadCurrentUser } from "../auth/loadUser.js";
import type { AppContext } from "../context.js";
import { SUBJECT_TYPES } from "../db/models/CreditSubject.js";
import { registerApplicant } from "../domain/accounts/registerApplicant.js";
import { USERNAME_PATTERN, USERNAME_RULE } from "../domain/accounts/usernames.js";
import { csrfToken } from "../http/csrf.js";
import { parse } from "../http/parse.js";
import { attempt, optionalText, setFlash, type FormProblem } from "./admin/forms.js";

const PHONE = /^(1\d{10}|0\d{2,3}-?\d{7,8})$/;

const RegistrationForm = z
  .object({
    username: z.string().trim().regex(USERNAME_PATTERN, { error: USERNAME_RULE }),
    password: z.string().min(1, { error: "请填写密码" }).max(128, { error: "密码不能超过 128 位" }),
    passwordConfirm: z.string().max(128),
    displayName: z.string().trim().min(1, { error: "请填写联系人姓名" }).max(50, { error: "姓名不能超过 50 字" }),
    phone: z.string().trim().regex(PHONE, { error: "请填写 11 位手机号码或带区号的固定电话" }),
    email: optionalText(254).pipe(z.email({ error: "电子邮箱格式不正确" }).nullable()),
    subjectType: z.enum(SUBJECT_TYPES, { error: "请选择主体类型" }),
    subjectCode: z.string().trim().min(1, { error: "请填写统一社会信用代码或公民身份号码" }).max(32),
    subjectName: z.string().trim().min(1, { error: "请填写主体名称" }).max(200, { error: "名称不能超过 200 字" }),
  })
  .refine((f) => f.password === f.passwordConfirm, { path: ["passwordConfirm"], error: "两次输入的密码不一致" });

type FormValues = Partial<Record<keyof z.infer<typeof RegistrationForm>, string>>;

/** Applicant self-registration: an account, contact details and the subject it acts for. */
export function registerRoutes(ctx: AppContext): Router {
  const router = Router();
  const { db } = ctx;

  const render = (req: Request, res: Response, values: FormValues, problem?: FormProblem) => {
    res.status(problem?.status ?? 200).render("auth/register", {
      title: "注册申请人账号",
      layout: "bare",
      values: { subjectType: "法人及非法人组织", ...values, password: "", passwordConfirm: "" },
      subjectTypes: SUBJECT_TYPES,
      problem,
      errors: problem?.fields ?? {},
      csrfToken: csrfToken(req, res),
    });
  };

  router.get("/register", (req, res) => {
    if (req.user) return res.redirect("/");
    render(req, res, {});
  });

  // Successful registrations per address: enough for an office registering several companies, not for a script.
  const registrationLimiter = rateLimit({
    windowMs: 60 * 60 * 1000,
    limit: Number(process.env.REGISTER_RATE_LIMIT ?? 20),
    standardHeaders: "draft-8",
    legacyHeaders: false,
    skipFailedRequests: true,
    handler: (req, res) => {
      const problem = { status: 429, message: "注册过于频繁，请一小时后再试；如需批量开户，请联系信用办", fields: {} };
      render(req, res, {}, problem);
    },
  });

  // Failed registrations per address (a wrong code, a taken or reserved username, a weak password): a person
  // correcting typos stays far below; a script probing usernames or codes, or burning argon2 time, does not.
  const failedRegistrationLimiter = rateLimit({
    windowMs: 60 * 60 * 1000,
    limit: Number(process.env.REGISTER_FAILURE_RATE_LIMIT ?? 30),
    standardHeaders: "draft-8",
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    handler: (req, res) => {
      const problem = { status: 429, message: "注册失败次数过多，请一小时后再试；如有疑问，请联系信用办", fields: {} };
      render(req, res, {}, problem);
    },
  });

  router.post("/register", failedRegistrationLimiter, registrationLimiter, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values: FormValues = {};
    for (const key of ["username", "displayName", "phone", "email", "subjectType", "subjectCode", "subjectName"] as const) {
      if (typeof body[key] === "string") values[key] = body[key];
    }
    const result = await attempt(async () => {
      const form = parse(RegistrationForm, body, "注册信息有误，请按提示修改");
      return registerApplicant(db, { ...form, ip: req.ip ?? null });
    });
    if (!result.ok) return render(req, res, values, result.problem);
    const { user, subject, link } = result.value;
    const current = await loadCurrentUser(db.sequelize, { id: user.id });
    if (!current) throw new Error("a registered account could not be loaded");
    await new Promise<void>((resolve, reject) => req.logIn(current, (err) => (err ? reject(err as Error) : resolve())));
    setFlash(
      req,
      link === "linked" ? "success" : "warning",
      link === "linked"
        ? `注册成功，您已可以代表“${subject.name}”办理事项。`
        : `注册成功。“${subject.name}”已在平台登记，您与该主体的关联须经信用办核实后生效；核实前您暂不能代表该主体办理事项。`,
    );
    res.redirect("/my/subjects");
  });

  return router;
}
