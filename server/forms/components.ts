// The component catalogue of the platform: which Form.io component types a form may use, what each is called in
// Chinese, which builder tab holds a setting, and the types refused by design. /forms/platform.js serves these lists
// to the browser (the builder's palette reads them): one list, not two. No @formio/core import here.

/** Input components stored as they are; each has a data shape checked by server/forms/shapes.ts. */
export const INPUT_TYPES = [
  "textfield",
  "textarea",
  "number",
  "currency",
  "checkbox",
  "selectboxes",
  "select",
  "radio",
  "email",
  "url",
  "phoneNumber",
  "datetime",
  "day",
  "time",
  "hidden",
  "file",
  "signature",
  "tags",
  "survey",
  "datagrid",
  "editgrid",
  "datamap",
  "container",
  "form",
] as const;

/** Layout and display components: they hold no data of their own and need no key. */
export const LAYOUT_TYPES = ["panel", "columns", "fieldset", "well", "table", "tabs", "content", "htmlelement", "button"] as const;

export type InputType = (typeof INPUT_TYPES)[number];

/** Components whose children live in a data scope of their own (rows, a nested object, a nested form's data). */
export const NESTED_DATA_TYPES = new Set<string>(["datagrid", "editgrid", "container", "form"]);
/** Components whose value is an array of row objects. */
export const ROW_TYPES = new Set<string>(["datagrid", "editgrid"]);

/**
 * The builder's palette entries that the server stores as another type. Form.io's own address component needs a
 * geocoding provider (Google, Azure, Nominatim: the applicant's address would leave for a third party) and shows its
 * manual fields through a JavaScript condition; here an address is a container of four text fields, 省/市/区县/详细地址,
 * and a Form.io address imported without a provider becomes that container.
 */
export const ADDRESS_PARTS = [
  { key: "province", label: "省（自治区、直辖市）" },
  { key: "city", label: "市（地区、州）" },
  { key: "district", label: "区县" },
  { key: "street", label: "详细地址" },
] as const;

/** The container an address is stored as (key and label from the address; required applies to every part). */
export function addressContainer(key: string, label: string, required: boolean): Record<string, unknown> {
  return {
    type: "container",
    key,
    label,
    input: true,
    tableView: false,
    hideLabel: false,
    properties: { platformType: "address" },
    components: ADDRESS_PARTS.map((part) =>
      part.key === "street"
        ? {
            type: "textarea",
            key: part.key,
            label: part.label,
            input: true,
            rows: 2,
            autoExpand: true,
            validate: { required, maxLength: 200 },
          }
        : { type: "textfield", key: part.key, label: part.label, input: true, validate: { required, maxLength: 50 } },
    ),
  };
}

/** Palette presets: what the builder drops for an entry the server maps to another type. */
export const PRESETS = {
  address: { title: "地址", icon: "home", schema: addressContainer("address", "地址", false) },
} as const;

/** Types refused by design, with the reason a designer sees (the builder does not offer them). */
export const REFUSED_TYPES: Record<string, string> = {
  password:
    "密码组件不能使用：表单提交的内容会作为办件材料保存，经办和审核人员都能看到，密码绝不能通过表单收集；需要核验身份请使用平台登录",
  recaptcha: "人机验证（reCAPTCHA）不能使用：它需要连接境外服务，平台的登录和频率限制已防止机器提交",
  captcha: "人机验证不能使用：平台的登录和频率限制已防止机器提交",
  resource: "资源选择不能使用：它从 Form.io 服务器加载数据；请改用下拉选择并直接列出选项",
  tree: "树形组件不能使用：请改用可编辑表格（editgrid）或数据表格（datagrid）",
  sketchpad: "画板组件不能使用（Form.io 商业组件）",
  tagpad: "标注组件不能使用（Form.io 商业组件）",
  datatable: "数据表组件不能使用（Form.io 商业组件）；请改用数据表格（datagrid）",
  datasource: "数据源组件不能使用：它在浏览器和服务器上请求外部网址",
  dynamicWizard: "动态向导不能使用（Form.io 商业组件）；请改用向导表单（分页面板）",
  reviewpage: "审阅页组件不能使用（Form.io 商业组件）",
  location: "地图定位组件不能使用：它需要连接地图服务",
  stripe: "在线支付组件不能使用",
  unknown: "自定义组件不能使用：服务器无法校验它的数据",
  custom: "自定义组件不能使用：服务器无法校验它的数据",
};

/** Chinese names of component types, as the builder's palette shows them (formio-zh-CN.js). */
export const TYPE_NAMES: Record<string, string> = {
  textfield: "单行文本",
  textarea: "多行文本",
  number: "数字",
  currency: "金额",
  checkbox: "复选框",
  selectboxes: "多选框",
  select: "下拉选择",
  radio: "单选",
  email: "电子邮箱",
  url: "网址",
  phoneNumber: "电话号码",
  datetime: "日期 / 时间",
  day: "年月日",
  time: "时间",
  hidden: "隐藏字段",
  file: "文件上传",
  signature: "签名",
  tags: "标签",
  survey: "问卷",
  datagrid: "数据表格",
  editgrid: "可编辑表格",
  datamap: "键值表",
  container: "容器",
  form: "嵌套表单",
  address: "地址",
  panel: "面板",
  columns: "分栏",
  fieldset: "字段组",
  well: "凹槽面板",
  table: "表格布局",
  tabs: "选项卡",
  content: "内容",
  htmlelement: "HTML 元素",
  button: "按钮",
  password: "密码",
};

/** The tabs of Form.io's component settings dialog, in Chinese as the builder shows them. */
export const TABS = {
  display: "显示",
  data: "数据",
  validation: "校验",
  api: "接口",
  conditional: "条件",
  logic: "逻辑",
  layout: "布局",
  file: "文件上传",
  date: "日期",
  time: "时间",
  templates: "模板",
  form: "表单",
} as const;
export type TabName = (typeof TABS)[keyof typeof TABS];

const DATA_PROPS = new Set([
  "defaultValue",
  "customDefaultValue",
  "calculateValue",
  "calculateServer",
  "allowCalculateOverride",
  "multiple",
  "persistent",
  "protected",
  "dbIndex",
  "encrypted",
  "redrawOn",
  "clearOnHide",
  "dataSrc",
  "data",
  "values",
  "dataType",
  "valueProperty",
  "template",
  "storeas",
  "delimeter",
  "maxTags",
  "questions",
  "valueComponent",
  "inputFormat",
  "case",
  "truncateMultipleSpaces",
  "onSetItems",
  "onChange",
  "conditionalAddButton",
  "reference",
  "revision",
  "src",
  "path",
  "provider",
  "providerOptions",
  "map",
  "serverOverride",
  "trigger",
  "selectValues",
  "idPath",
  "searchField",
]);
const VALIDATION_PROPS = new Set(["validate", "unique", "errors", "errorLabel", "validateOn", "validateWhenHidden", "kickbox"]);
const FILE_PROPS = new Set([
  "storage",
  "url",
  "options",
  "dir",
  "fileTypes",
  "filePattern",
  "fileMinSize",
  "fileMaxSize",
  "fileNameTemplate",
]);

/** The builder tab that holds a component setting (a dotted path such as `validate.custom` or `logic[0].trigger`). */
export function tabOf(type: string | undefined, place: string): TabName {
  const top = place.split(/[.[]/)[0] ?? "";
  if (top === "conditional" || top === "customConditional") return TABS.conditional;
  if (top === "logic") return TABS.logic;
  if (top === "key" || top === "tags" || top === "properties") return TABS.api;
  if (top === "overlay") return TABS.layout;
  if (top === "templates") return TABS.templates;
  if (top === "datePicker" || (type === "datetime" && top === "widget" && /disable/.test(place))) return TABS.date;
  if (top === "timePicker") return TABS.time;
  if (type === "form" && (top === "form" || top === "revision" || top === "src" || top === "reference")) return TABS.form;
  if (VALIDATION_PROPS.has(top)) return TABS.validation;
  if (type === "file" && FILE_PROPS.has(top)) return TABS.file;
  if (DATA_PROPS.has(top)) return TABS.data;
  return TABS.display;
}
