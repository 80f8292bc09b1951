import type { CurrentUser } from "../auth/currentUser.js";
import { ROLE_LABELS } from "./navigation.js";

interface HomeCard {
  title: string;
  text: string;
  href: string;
  icon: string;
}

/** The cards on a user's home page: the work their roles do, first things first. */
export function homeFor(user: CurrentUser | undefined) {
  const cards: HomeCard[] = [];
  const has = (r: CurrentUser["roles"][number]) => user?.roles.includes(r) ?? false;
  cards.push({ title: "办事指南", text: "查找告知承诺事项，了解告知内容、设定依据和办理时限。", href: "/catalog", icon: "journal-text" });
  if (!user) {
    cards.push({
      title: "信用查询",
      text: "输入统一社会信用代码或名称，查询主体公开的信用承诺和信用记录。",
      href: "/public/query",
      icon: "search",
    });
    cards.push({
      title: "登录办事",
      text: "企业、个体工商户和个人登录后办理告知承诺事项和信用修复。",
      href: "/login",
      icon: "box-arrow-in-right",
    });
    cards.push({ title: "注册账号", text: "使用统一社会信用代码注册申请人账号。", href: "/register", icon: "person-plus" });
  }
  if (has("applicant")) {
    cards.push({ title: "我的办件", text: "查看承诺办件的进度，答复补正要求，打印信用承诺书。", href: "/my/cases", icon: "folder2-open" });
    cards.push({ title: "我的主体", text: "查看您代表的企业或个人及其信用信息。", href: "/my/subjects", icon: "building" });
  }
  if (has("reviewer") || has("dept_admin") || user?.isAdmin) {
    cards.push({ title: "待办任务", text: "受理审查和核查任务：认领、办理，逾期和临期任务标红标黄。", href: "/tasks", icon: "inbox" });
    cards.push({
      title: "信用承诺档案",
      text: "按主体、事项、状态和日期检索承诺档案，导出 CSV 或 JSON。",
      href: "/archive",
      icon: "archive",
    });
    cards.push({ title: "信用主体", text: "查询主体档案与信用记录。", href: "/admin/subjects", icon: "buildings" });
  }
  if (has("dept_admin") || user?.isAdmin) {
    cards.push({
      title: "事项管理",
      text: "发布告知承诺事项：绑定表单与流程，无需改代码。",
      href: "/admin/catalog",
      icon: "card-checklist",
    });
    cards.push({
      title: "表单设计",
      text: "在浏览器中设计表单，预览并查看服务器校验结果，发布修订版本。",
      href: "/admin/forms",
      icon: "ui-checks",
    });
    cards.push({ title: "流程管理", text: "部署 BPMN 流程，查看流程图和运行中的实例。", href: "/admin/processes", icon: "diagram-2" });
  }
  if (user?.isAdmin) {
    cards.push({ title: "用户管理", text: "创建工作人员账号，分配部门和角色。", href: "/admin/users", icon: "people" });
    cards.push({ title: "部门管理", text: "维护部门及其任务候选组。", href: "/admin/departments", icon: "diagram-3" });
  }
  if (has("auditor") || user?.isAdmin) {
    cards.push({ title: "审计日志", text: "校验审计链完整性，检索操作记录。", href: "/admin/audit", icon: "shield-check" });
  }
  return {
    greeting: user ? `您好，${user.displayName}` : "欢迎使用信用承诺与修复平台",
    roleLabels: user?.roles.map((r) => ROLE_LABELS[r]) ?? [],
    department: user?.departmentName ?? null,
    cards,
  };
}
