// Compares two deployed versions of a process (/admin/processes/:key/compare): both diagrams side by side with
// bpmn-js-differ's findings marked on them (added, removed, changed, moved) and a list of what changed, in Chinese.
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css";
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import camundaModdle from "camunda-bpmn-moddle/resources/camunda.json";
import { diff } from "bpmn-js-differ";
import { translate, translateModule } from "./translate.js";

const root = document.querySelector("[data-compare]");

const KIND = {
  added: { label: "新增", marker: "xy-diff-added", badge: "text-bg-success" },
  removed: { label: "删除", marker: "xy-diff-removed", badge: "text-bg-danger" },
  changed: { label: "属性修改", marker: "xy-diff-changed", badge: "text-bg-warning" },
  layout: { label: "位置移动", marker: "xy-diff-layout", badge: "text-bg-info" },
};

const ATTRIBUTES = {
  name: "名称",
  formKey: "表单（camunda:formKey）",
  formRef: "表单（camunda:formRef）",
  formRefBinding: "表单版本绑定",
  formRefVersion: "表单修订版本",
  assignee: "处理人",
  candidateGroups: "候选组",
  candidateUsers: "候选人",
  dueDate: "到期时间",
  expression: "内部服务（camunda:expression）",
  topic: "外部任务主题",
  type: "实现方式",
  conditionExpression: "条件",
  isExecutable: "可执行",
  default: "默认连线",
  sourceRef: "连线起点",
  targetRef: "连线终点",
  eventDefinitions: "事件定义",
  loopCharacteristics: "多实例",
  documentation: "说明",
  timeDuration: "定时时长",
  timeDate: "定时日期",
  timeCycle: "定时周期",
};

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function typeLabel(type) {
  const raw = String(type || "").replace(/^bpmn:/, "");
  return translate(raw.replace(/(\B[A-Z])/g, " $1"));
}

function valueText(value) {
  if (value === undefined || value === null || value === "") return "（空）";
  if (typeof value === "object") {
    if (value.body !== undefined) return String(value.body);
    if (value.id) return String(value.id);
    if (Array.isArray(value)) return value.map(valueText).join("、");
    if (value.$type) return typeLabel(value.$type);
  }
  return String(value);
}

async function open(container, url) {
  const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/xml" } });
  if (!res.ok) throw new Error("读取版本失败（HTTP " + res.status + "）");
  const viewer = new NavigatedViewer({ container, additionalModules: [translateModule], moddleExtensions: { camunda: camundaModdle } });
  await viewer.importXML(await res.text());
  viewer.get("canvas").zoom("fit-viewport", "auto");
  return viewer;
}

function mark(viewer, ids, marker) {
  const registry = viewer.get("elementRegistry");
  const canvas = viewer.get("canvas");
  for (const id of ids) if (registry.get(id)) canvas.addMarker(id, marker);
}

async function start() {
  const left = document.getElementById("compare-from");
  const right = document.getElementById("compare-to");
  const list = document.getElementById("compare-changes");
  const [a, b] = await Promise.all([open(left, root.getAttribute("data-from-url")), open(right, root.getAttribute("data-to-url"))]);
  const result = diff(a.getDefinitions(), b.getDefinitions());
  const added = Object.keys(result._added);
  const removed = Object.keys(result._removed);
  const changed = Object.keys(result._changed);
  const layout = Object.keys(result._layoutChanged).filter((id) => !result._changed[id] && !result._added[id]);
  mark(a, removed, KIND.removed.marker);
  mark(a, changed, KIND.changed.marker);
  mark(b, added, KIND.added.marker);
  mark(b, changed, KIND.changed.marker);
  mark(a, layout, KIND.layout.marker);
  mark(b, layout, KIND.layout.marker);

  // The two diagrams move together: the same place of the process in both.
  let syncing = false;
  const follow = (from, to) =>
    from.on("canvas.viewbox.changed", ({ viewbox }) => {
      if (syncing) return;
      syncing = true;
      to.get("canvas").viewbox(viewbox);
      syncing = false;
    });
  follow(a, b);
  follow(b, a);

  const rows = [];
  const row = (kind, element, detail) => rows.push({ kind, id: element.id, type: element.$type, name: element.name, detail });
  for (const id of added) row("added", result._added[id], "");
  for (const id of removed) row("removed", result._removed[id], "");
  for (const id of changed) {
    const c = result._changed[id];
    // bpmn-js-differ 3.2 reports an attribute of diff(old, new) with its old text as `newValue` and its new text as
    // `oldValue` (added and removed elements are the right way round): read them swapped.
    const attrs = Object.entries(c.attrs).map(
      ([attr, v]) => (ATTRIBUTES[attr] || attr) + "：" + valueText(v.newValue) + " → " + valueText(v.oldValue),
    );
    row("changed", c.model, attrs.join("；"));
  }
  for (const id of layout) row("layout", result._layoutChanged[id], "");

  list.innerHTML = "";
  root.setAttribute("data-added", added.join(" "));
  root.setAttribute("data-removed", removed.join(" "));
  root.setAttribute("data-changed", changed.join(" "));
  if (!rows.length) {
    list.appendChild(el("p", "text-muted mb-0", "两个版本的流程内容相同。"));
  } else {
    const table = el("table", "table table-sm align-middle mb-0");
    table.setAttribute("data-testid", "compare-table");
    const head = el("thead");
    const hr = el("tr");
    ["变化", "元素", "类型", "名称", "详情"].forEach((t) => hr.appendChild(el("th", null, t)));
    head.appendChild(hr);
    table.appendChild(head);
    const body = el("tbody");
    for (const r of rows) {
      const tr = el("tr");
      tr.setAttribute("data-kind", r.kind);
      tr.setAttribute("data-element", r.id);
      const k = el("td");
      k.appendChild(el("span", "badge " + KIND[r.kind].badge, KIND[r.kind].label));
      tr.appendChild(k);
      tr.appendChild(el("td", "font-monospace small", r.id));
      tr.appendChild(el("td", "small", typeLabel(r.type)));
      tr.appendChild(el("td", null, r.name || ""));
      tr.appendChild(el("td", "small", r.detail));
      body.appendChild(tr);
    }
    table.appendChild(body);
    list.appendChild(table);
  }
  root.setAttribute("data-rendered", "true");
}

if (root) {
  start().catch((err) => {
    const box = document.getElementById("compare-error");
    box.textContent = "无法比较这两个版本：" + String((err && err.message) || err);
    box.classList.remove("d-none");
  });
}
