import type { CurrentUser } from "../auth/currentUser.js";
import type { Role } from "../db/models/UserRole.js";

export interface NavLink {
  href: string;
  label: string;
  icon: string;
  active: boolean;
}

/** A top-level entry: a link, or a menu of links (keeps the bar on one line for roles that see many pages). */
export interface NavItem extends NavLink {
  children?: NavLink[];
}

interface NavEntry {
  href: string;
  label: string;
  icon: string;
  roles: Role[] | "anyone" | "anonymous";
  /** Entries with the same menu are shown together under that menu. */
  menu?: "信用信息" | "流程与表单" | "系统管理";
}

const MENU_ICONS = { 信用信息: "shield-shaded", 流程与表单: "diagram-3", 系统管理: "gear" } as const;

// Order is the order on screen.
const ENTRIES: NavEntry[] = [
  { href: "/", label: "首页", icon: "house", roles: "anyone" },
  { href: "/public/query", label: "信用查询", icon: "search", roles: "anyone" },
  { href: "/catalog", label: "办事指南", icon: "journal-text", roles: "anyone" },
  // The public results of 双随机、一公开: on the bar for visitors and applicants; staff find them in the 信用信息 menu.
  { href: "/public/supervision", label: "抽查公示", icon: "megaphone", roles: "anonymous" },
  { href: "/public/supervision/results", label: "检查结果", icon: "clipboard-check", roles: "anonymous" },
  { href: "/public/supervision", label: "抽查公示", icon: "megaphone", roles: ["applicant"] },
  { href: "/my/cases", label: "我的办件", icon: "folder2-open", roles: ["applicant"] },
  { href: "/tasks", label: "待办任务", icon: "inbox", roles: ["reviewer", "dept_admin", "admin"] },
  { href: "/my/subjects", label: "我的主体", icon: "building", roles: ["applicant"] },
  { href: "/credit-reports", label: "信用报告", icon: "file-earmark-text", roles: ["applicant"] },
  { href: "/archive", label: "承诺档案", icon: "archive", roles: ["reviewer", "dept_admin", "admin"], menu: "信用信息" },
  {
    href: "/admin/subjects",
    label: "信用主体",
    icon: "buildings",
    roles: ["admin", "reviewer", "dept_admin", "auditor"],
    menu: "信用信息",
  },
  {
    href: "/admin/credit/records",
    label: "信用记录",
    icon: "clipboard-data",
    roles: ["admin", "reviewer", "dept_admin", "auditor"],
    menu: "信用信息",
  },
  {
    href: "/admin/grading",
    label: "信用评价",
    icon: "speedometer2",
    roles: ["admin", "reviewer", "dept_admin", "auditor"],
    menu: "信用信息",
  },
  {
    href: "/admin/supervision",
    label: "双随机抽查",
    icon: "shuffle",
    roles: ["admin", "reviewer", "dept_admin", "auditor"],
    menu: "信用信息",
  },
  {
    href: "/supervision/inspections/new",
    label: "发起检查",
    icon: "clipboard-plus",
    roles: ["admin", "reviewer", "dept_admin"],
    menu: "信用信息",
  },
  {
    href: "/supervision/verifications",
    label: "告知承诺核查",
    icon: "collection",
    roles: ["admin", "reviewer", "dept_admin"],
    menu: "信用信息",
  },
  {
    href: "/admin/supervision/reports",
    label: "监管报表",
    icon: "bar-chart",
    roles: ["admin", "reviewer", "dept_admin", "auditor"],
    menu: "信用信息",
  },
  {
    href: "/public/supervision",
    label: "抽查公示",
    icon: "megaphone",
    roles: ["admin", "reviewer", "dept_admin", "auditor"],
    menu: "信用信息",
  },
  {
    href: "/public/supervision/results",
    label: "检查结果公示",
    icon: "clipboard-check",
    roles: ["admin", "reviewer", "dept_admin", "auditor"],
    menu: "信用信息",
  },
  { href: "/admin/forms", label: "表单设计", icon: "ui-checks", roles: ["admin", "dept_admin"], menu: "流程与表单" },
  { href: "/admin/catalog", label: "事项管理", icon: "card-checklist", roles: ["admin", "dept_admin"], menu: "流程与表单" },
  { href: "/admin/processes", label: "流程管理", icon: "diagram-2", roles: ["admin", "dept_admin"], menu: "流程与表单" },
  { href: "/admin/instances", label: "流程实例", icon: "list-task", roles: ["admin", "dept_admin"], menu: "流程与表单" },
  { href: "/admin/users", label: "用户管理", icon: "people", roles: ["admin"], menu: "系统管理" },
  { href: "/admin/departments", label: "部门管理", icon: "diagram-3", roles: ["admin"], menu: "系统管理" },
  { href: "/admin/audit", label: "审计日志", icon: "shield-check", roles: ["admin", "auditor"], menu: "系统管理" },
];

export const ROLE_LABELS: Record<Role, string> = {
  applicant: "申请人",
  reviewer: "审核人员",
  dept_admin: "部门管理员",
  admin: "系统管理员",
  auditor: "审计人员",
  worker: "对接程序（外部任务）",
};

function visible(entry: NavEntry, user: CurrentUser | undefined): boolean {
  if (entry.roles === "anyone") return true;
  if (entry.roles === "anonymous") return !user;
  if (!user) return false;
  // Admin is named where it belongs: an admin does not act for subjects, so applicant pages stay hidden.
  return entry.roles.some((r) => user.roles.includes(r));
}

function isActive(href: string, currentPath: string): boolean {
  return href === "/" ? currentPath === "/" : currentPath === href || currentPath.startsWith(`${href}/`);
}

/** The navigation a user sees: one entry per page their roles open; admin pages grouped in menus. */
export function buildNavigation(user: CurrentUser | undefined, currentPath: string): NavItem[] {
  const items: NavItem[] = [];
  const menus = new Map<string, NavItem>();
  const shown = ENTRIES.filter((entry) => visible(entry, user));
  // The page's own entry is the longest matching one (/admin/supervision/reports, not also /admin/supervision).
  const activeHref = shown
    .map((e) => e.href)
    .filter((href) => isActive(href, currentPath))
    .sort((a, b) => b.length - a.length)[0];
  for (const e of shown) {
    const link = { href: e.href, label: e.label, icon: e.icon, active: e.href === activeHref };
    if (!e.menu) {
      items.push(link);
      continue;
    }
    let menu = menus.get(e.menu);
    if (!menu) {
      menu = { href: "#", label: e.menu, icon: MENU_ICONS[e.menu], active: false, children: [] };
      menus.set(e.menu, menu);
      items.push(menu);
    }
    menu.children!.push(link);
    menu.active ||= link.active;
  }
  // A menu holding a single page is just that page.
  return items.map((item) => (item.children?.length === 1 ? item.children[0]! : item));
}
