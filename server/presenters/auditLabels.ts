// The audit log in the office's words: a Chinese name for every action the code writes, for the objects it names and
// for the detail fields it records. test/routes/admin/auditLog.test.ts checks that every action written in server/
// has a name here.

/** Every audit action the platform writes (noun.verb), with its Chinese name. */
export const AUDIT_ACTIONS: Readonly<Record<string, string>> = {
  "auth.login": "登录",
  "auth.logout": "退出登录",
  "auth.login_failed": "登录失败",

  "user.registered": "注册账号",
  "user.created": "新建用户",
  "user.updated": "修改用户",
  "user.deactivated": "停用用户",
  "user.reactivated": "重新启用用户",
  "user.password_reset": "重置密码",

  "department.created": "新建部门",
  "department.updated": "修改部门",

  "subject.created": "新建信用主体",
  "subject.legacy_accepted": "接受早期试点代码",
  "subject.linked": "关联信用主体",
  "subject.claim_requested": "申请认领信用主体",
  "subject.claim_approved": "同意认领信用主体",
  "subject.claim_rejected": "驳回认领信用主体",

  "catalog_item.created": "新建事项",
  "catalog_item.draft_saved": "保存事项草稿",
  "catalog_item.published": "发布事项",
  "catalog_item.withdrawn": "撤下事项",

  "form.revision_saved": "保存表单修订",
  "form.published": "发布表单",
  "form.duplicated": "复制表单",
  "form.deleted": "删除表单",
  "file.uploaded": "上传文件",

  "commitment.submitted": "提交信用承诺",
  "commitment.resubmitted": "补正后重新提交",
  "commitment.returned": "退回补正",
  "commitment.rejected": "不予受理",
  "commitment.approved": "承诺审核通过并归档",
  "commitment.fulfilled": "核查认定：已履行承诺",
  "commitment.breached": "核查认定：违背承诺",
  "commitment.terminated": "终止承诺办理",

  "case.started": "发起办件",
  "case.withdrawn": "撤回办件",
  "case.copied": "抄送办件",
  "repair.applied": "申请信用修复",
  "objection.applied": "提出异议申请",

  "task.completed": "办结任务",
  "task.claimed": "认领任务",
  "task.unclaimed": "取消认领",
  "task.assigned": "指派任务",
  "task.transferred": "转办任务",
  "task.delegated": "委托任务",
  "task.resolved": "委托办理完成",
  "task.urged": "催办任务",

  "process.deployed": "部署流程",
  "process.cancelled": "取消流程实例",
  "process_draft.saved": "保存流程草稿",
  "process_draft.discarded": "放弃流程草稿",
  "incident.retried": "重试事故",

  "credit_record.created": "新增信用记录",
  "credit_record.imported": "批量导入信用记录",
  "credit_record.status_changed": "变更信用记录状态",
  "credit_record.period_overridden": "设置信用记录公示期限",
  "credit_record.publicity_expired": "公示期届满停止公示",
  "record.publicity_stopped": "信用修复：停止公示",
  "publicity_rule.created": "新增公示期限规则",

  "calendar.day_set": "设置工作日历",
  "calendar.day_removed": "删除工作日历设置",
  "rule.set": "设置业务规则",

  "demo.seeded": "初始化演示数据",
};

/** The nouns of the actions, for the filter's groups (「全部用户操作」 searches by the prefix "user."). */
export const AUDIT_NOUNS: Readonly<Record<string, string>> = {
  auth: "登录",
  user: "用户",
  department: "部门",
  subject: "信用主体",
  catalog_item: "事项",
  form: "表单",
  file: "文件",
  commitment: "信用承诺",
  case: "办件",
  repair: "信用修复",
  objection: "异议",
  task: "任务",
  process: "流程",
  process_draft: "流程草稿",
  incident: "事故",
  credit_record: "信用记录",
  record: "信用修复结果",
  publicity_rule: "公示规则",
  calendar: "工作日历",
  rule: "业务规则",
  demo: "演示数据",
};

/** The object types entries name (entity_type), with their Chinese names. */
export const AUDIT_ENTITY_TYPES: Readonly<Record<string, string>> = {
  user: "用户",
  department: "部门",
  subject: "信用主体",
  catalog_item: "事项",
  form: "表单",
  file: "文件",
  commitment: "信用承诺",
  case: "办件",
  task: "任务",
  process_instance: "流程实例",
  deployment: "流程部署",
  process_draft: "流程草稿",
  job: "作业",
  external_task: "外部任务",
  credit_record: "信用记录",
  credit_import: "信用记录导入",
  publicity_rule: "公示规则",
  scheduled_job: "定时作业",
  calendar_day: "日历日",
  rule_setting: "业务规则",
};

/** Chinese labels of the detail keys entries record; a key not listed is shown as it is. */
export const AUDIT_DETAIL_LABELS: Readonly<Record<string, string>> = {
  // people and accounts
  username: "用户名",
  displayName: "姓名",
  phone: "电话",
  email: "邮箱",
  roles: "角色",
  groups: "用户组",
  users: "用户",
  userId: "用户ID",
  departmentId: "部门ID",
  department: "部门",
  active: "启用",
  accounts: "账号",
  claimId: "认领申请号",
  // subjects
  code: "代码",
  name: "名称",
  uscc: "统一社会信用代码",
  subject: "信用主体",
  subjectId: "信用主体ID",
  subjectCode: "主体代码",
  subjectType: "主体类别",
  subjectCreated: "新建主体",
  subjectsCreated: "新建主体数",
  existingSubject: "已有主体",
  expected: "预期",
  // items, forms, files
  item: "事项",
  itemVersion: "事项版本",
  version: "版本",
  kind: "类型",
  formKey: "表单",
  formRevision: "表单版本",
  revision: "版本",
  revisions: "版本数",
  sourceKey: "来源表单",
  sourceRevision: "来源版本",
  title: "标题",
  sha256: "SHA-256",
  size: "大小（字节）",
  bytes: "大小（字节）",
  changed: "修改的字段",
  // commitments, cases and tasks
  commitment: "承诺编码",
  case: "办件",
  businessKey: "业务编号",
  comment: "意见",
  reason: "原因",
  note: "附言",
  message: "内容",
  step: "环节",
  verificationDueAt: "核查期限",
  fulfilmentStatus: "履行状态",
  unfulfilledContent: "未履行的承诺内容",
  liabilityContent: "违诺责任追究内容",
  instanceId: "流程实例",
  processInstanceId: "流程实例",
  processDefinitionId: "流程定义",
  definitionId: "流程定义",
  activityId: "环节ID",
  variables: "变量",
  from: "原值",
  to: "新值",
  before: "修改前",
  after: "修改后",
  // processes
  definitions: "流程定义",
  key: "流程标识",
  warnings: "警告数",
  retries: "重试次数",
  // credit records
  recordId: "信用记录",
  recordType: "记录类型",
  severity: "严重程度",
  decisionNumber: "决定文书号",
  status: "状态",
  override: "指定期限",
  basis: "法律依据",
  legalBasis: "法律依据",
  publicityUntil: "公示截止",
  minUntil: "最短公示至",
  fileName: "文件名",
  fileSha256: "文件 SHA-256",
  created: "新增条数",
  unchanged: "未变条数",
  firstId: "首条记录",
  lastId: "末条记录",
  changedRecords: "受影响记录",
  records: "记录",
  count: "条数",
  effect: "效果",
  commitmentRouteBarLifted: "解除承诺限制",
  stillBarredBy: "仍受限于记录",
  ruleSet: "规则集",
  publish: "公示",
  minValue: "最短期限",
  minUnit: "最短期限单位",
  maxValue: "最长期限",
  maxUnit: "最长期限单位",
  countFrom: "起算",
  effectiveFrom: "生效日期",
  // calendar, rules, jobs
  day: "日期",
  node: "节点",
  value: "值",
};

/** The Chinese name of an action; an action not in the table is shown by its code. */
export function actionLabel(action: string): string {
  return AUDIT_ACTIONS[action] ?? action;
}

/** The Chinese name of an object type, or the type itself. */
export function entityTypeLabel(type: string): string {
  return AUDIT_ENTITY_TYPES[type] ?? type;
}

/** The Chinese label of a detail key, or the key itself. */
export function detailLabel(key: string): string {
  return AUDIT_DETAIL_LABELS[key] ?? key;
}
