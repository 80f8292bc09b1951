import type { CurrentUser } from "../auth/currentUser.js";
import type { Role } from "../db/models/UserRole.js";

export interface NavItem {
  href: string;
  label: string;
  icon: string;
  active: boolean;
}

interface NavEntry {
  href: string;
  label: string;
  icon: string;
  roles: Role[] | "anyone" | "anonymous";
}

// Order is the order on screen. Later issues add entries here as their pages arrive.
const ENTRIES: NavEntry[] = [
  { href: "/", label: "首页", icon: "house", roles: "anyone" },
  { href: "/public/query", label: "信用查询", icon: "search", roles: "anyone" },
  { href: "/my/subjects", label: "我的主体", icon: "building", roles: ["applicant"] },
  { href: "/admin/users", label: "用户管理", icon: "people", roles: ["admin"] },
  { href: "/admin/departments", label: "部门管理", icon: "diagram-3", roles: ["admin"] },
  { href: "/admin/subjects", label: "信用主体", icon: "buildings", roles: ["admin", "reviewer", "dept_admin", "auditor"] },
  { href: "/admin/audit", label: "审计日志", icon: "shield-check", roles: ["admin", "auditor"] },
];

export const ROLE_LABELS: Record<Role, string> = {
  applicant: "申请人",
  reviewer: "审核人员",
  dept_admin: "部门管理员",
  admin: "系统管理员",
  auditor: "审计人员",
};

function visible(entry: NavEntry, user: CurrentUser | undefined): boolean {
  if (entry.roles === "anyone") return true;
  if (entry.roles === "anonymous") return !user;
  if (!user) return false;
  if (user.isAdmin) return true;
  return entry.roles.some((r) => user.roles.includes(r));
}

/** The navigation a user sees: one entry per page their roles open. */
export function buildNavigation(user: CurrentUser | undefined, currentPath: string): NavItem[] {
  return ENTRIES.filter((e) => visible(e, user)).map((e) => ({
    href: e.href,
    label: e.label,
    icon: e.icon,
    active: e.href === "/" ? currentPath === "/" : currentPath.startsWith(e.href),
  }));
}
