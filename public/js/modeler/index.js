// The process modeler page (/admin/processes/new, /admin/processes/:key/edit): bpmn-js Modeler with the Camunda 7
// properties panel, the platform's pickers, bpmnlint with the platform's deploy rules, all in Chinese. Bundled by
// esbuild on the server (server/routes/admin/modelerBundle.ts) and served as /bundles/modeler/modeler.js.
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css";
import "@bpmn-io/properties-panel/dist/assets/properties-panel.css";
import "bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css";
import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule } from "bpmn-js-properties-panel";
import CamundaBehaviorsModule from "camunda-bpmn-js-behaviors/lib/camunda-platform";
import camundaModdle from "camunda-bpmn-moddle/resources/camunda.json";
import lintModule from "bpmn-js-bpmnlint";
import { lintConfig } from "./lint.js";
import { platformFacts } from "./platform-rules.js";
import { platformPaletteModule } from "./palette.js";
import { pickerOptions, platformPropertiesModule } from "./properties.js";
import { translateModule } from "./translate.js";

const root = document.querySelector("[data-modeler]");

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

function newProcessId() {
  return "Process_" + Math.random().toString(36).slice(2, 9);
}

function blankDiagram(id) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="${id}" name="新流程" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" name="开始" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1">
    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="${id}">
      <bpmndi:BPMNShape id="StartEvent_1_di" bpmnElement="StartEvent_1">
        <dc:Bounds x="172" y="162" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;
}

async function readJson(res) {
  const body = await res.json().catch(() => ({ error: { message: "服务器返回了无法识别的内容（HTTP " + res.status + "）" } }));
  return { ok: res.ok, status: res.status, body };
}

function start() {
  const key = root.getAttribute("data-key") || null;
  const openVersion = root.getAttribute("data-version") || null;
  const canSave = root.getAttribute("data-can-save") === "true";
  const result = document.getElementById("modeler-result");
  const status = document.getElementById("modeler-status");
  const issuesBox = document.getElementById("modeler-issues");
  const processLabel = document.getElementById("modeler-process");
  let dirty = false;
  let loadedKey = key;

  const modeler = new BpmnModeler({
    container: document.getElementById("modeler-canvas"),
    propertiesPanel: { parent: document.getElementById("modeler-properties") },
    additionalModules: [
      translateModule,
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      CamundaPlatformPropertiesProviderModule,
      CamundaBehaviorsModule,
      platformPropertiesModule,
      platformPaletteModule,
      lintModule,
    ],
    moddleExtensions: { camunda: camundaModdle },
    linting: { bpmnlint: lintConfig, active: true },
  });
  window.__xyModeler = modeler;

  const setStatus = (text, kind) => {
    status.textContent = text;
    status.className = "small text-" + (kind || "muted");
  };

  const processOf = () => {
    const definitions = modeler.getDefinitions();
    return (definitions && definitions.rootElements.find((e) => e.$type === "bpmn:Process" && e.isExecutable)) || null;
  };

  const showProcess = () => {
    const p = processOf();
    processLabel.textContent = p ? (p.name || "（未命名）") + " · 流程标识 " + p.id : "没有可执行的流程";
  };

  function selectElement(id) {
    const element = modeler.get("elementRegistry").get(id);
    if (!element) return;
    modeler.get("selection").select(element);
    modeler.get("canvas").scrollToElement(element);
  }

  // A problem names its element: the text selects the element on the diagram (the id is added when it does not name it).
  function problemItem(p) {
    const li = el("li", "modeler-problem");
    if (!p.element) {
      li.appendChild(document.createTextNode(p.message));
      return li;
    }
    const a = el("a", null, String(p.message).indexOf(p.element) === -1 ? p.element + "：" + p.message : p.message);
    a.href = "#";
    a.title = "在流程图中选中此元素";
    a.setAttribute("data-element", p.element);
    a.addEventListener("click", (e) => {
      e.preventDefault();
      selectElement(p.element);
    });
    li.appendChild(a);
    return li;
  }

  function show(kind, title, build) {
    result.innerHTML = "";
    const box = el("div", "alert alert-" + kind + " mb-2");
    box.setAttribute("role", kind === "danger" ? "alert" : "status");
    box.appendChild(el("div", "fw-semibold", title));
    if (build) build(box);
    const close = el("button", "btn-close float-end");
    close.type = "button";
    close.setAttribute("aria-label", "关闭");
    close.addEventListener("click", () => (result.innerHTML = ""));
    box.prepend(close);
    result.appendChild(box);
  }

  // ---- Lint results: the list below the diagram, in the order errors, warnings ----
  let lastIssues = [];
  modeler.on("linting.completed", (event) => {
    const flat = [];
    for (const [id, reports] of Object.entries(event.issues || {})) {
      for (const r of reports) flat.push({ element: r.actualElementId || id, message: r.message, category: r.category, rule: r.rule });
    }
    flat.sort((a, b) => (a.category === b.category ? 0 : a.category === "error" ? -1 : 1));
    lastIssues = flat;
    issuesBox.innerHTML = "";
    const errors = flat.filter((i) => i.category === "error");
    const warnings = flat.filter((i) => i.category !== "error");
    const head = el("div", "d-flex align-items-center gap-2 mb-1");
    head.appendChild(el("h2", "h6 mb-0", "检查结果"));
    head.appendChild(el("span", "badge " + (errors.length ? "text-bg-danger" : "text-bg-success"), errors.length + " 个错误"));
    head.appendChild(el("span", "badge text-bg-warning", warnings.length + " 个提示"));
    issuesBox.appendChild(head);
    if (!flat.length) {
      issuesBox.appendChild(el("p", "small text-success mb-0", "没有发现问题，可以部署。"));
      return;
    }
    const ul = el("ul", "list-unstyled small mb-0 modeler-issue-list");
    for (const issue of flat) {
      const li = problemItem(issue);
      li.classList.add(issue.category === "error" ? "text-danger" : "text-body-secondary");
      li.setAttribute("data-category", issue.category);
      li.setAttribute("data-rule", issue.rule);
      li.prepend(el("i", "bi me-1 " + (issue.category === "error" ? "bi-x-circle-fill" : "bi-exclamation-triangle")));
      ul.appendChild(li);
    }
    issuesBox.appendChild(ul);
  });

  modeler.on("commandStack.changed", () => {
    dirty = true;
    setStatus("有未保存的修改", "warning");
    showProcess();
  });
  window.addEventListener("beforeunload", (e) => {
    if (dirty) {
      e.preventDefault();
      e.returnValue = "";
    }
  });

  async function xml() {
    const { xml: text } = await modeler.saveXML({ format: true });
    return text;
  }

  function targetKey() {
    const p = processOf();
    if (!p) {
      show("danger", "流程图中没有可执行的流程：请点击画布空白处，在右侧“常规”中勾选“可执行”。");
      return null;
    }
    if (
      loadedKey &&
      p.id !== loadedKey &&
      !window.confirm("流程标识已从 " + loadedKey + " 改为 " + p.id + "：将作为一个新流程保存。继续吗？")
    )
      return null;
    return p.id;
  }

  const encode = encodeURIComponent;

  // Fits the diagram into the canvas without hiding its left end under the palette; never zooms in past 100 %.
  function fitBesidePalette() {
    const canvas = modeler.get("canvas");
    canvas.zoom("fit-viewport", "auto");
    const palette = document.querySelector(".djs-palette");
    const width = palette ? palette.getBoundingClientRect().width + 24 : 0;
    const size = canvas.getSize();
    const scale = Math.min(1, (canvas.zoom() * (size.width - width)) / size.width);
    canvas.zoom(scale, { x: size.width / 2, y: size.height / 2 });
    canvas.scroll({ dx: width / 2, dy: 0 });
  }

  async function saveDraft() {
    const k = targetKey();
    if (!k) return;
    result.innerHTML = "";
    setStatus("正在保存草稿…");
    const answer = await readJson(
      await window.xyFetch("/admin/processes/" + encode(k) + "/draft", {
        method: "PUT",
        headers: { "Content-Type": "application/xml" },
        body: await xml(),
      }),
    );
    if (!answer.ok) {
      setStatus("草稿没有保存", "danger");
      show("danger", (answer.body.error && answer.body.error.message) || "保存失败（HTTP " + answer.status + "）");
      return;
    }
    dirty = false;
    loadedKey = k;
    const at = new Date(answer.body.data.updatedAt);
    setStatus("草稿已保存（" + at.toLocaleString("zh-CN", { hour12: false }) + "）", "success");
    show("success", "草稿已保存。草稿只有流程管理员能看到，部署后才会生效。");
    if (window.location.pathname !== answer.body.data.editHref) window.history.replaceState(null, "", answer.body.data.editHref);
  }

  async function deploy() {
    const k = targetKey();
    if (!k) return;
    result.innerHTML = "";
    const linting = modeler.get("linting");
    linting.toggle(true);
    const errors = lastIssues.filter((i) => i.category === "error");
    if (errors.length) {
      show("danger", "请先修正 " + errors.length + " 个错误再部署（见流程图下方的检查结果，点击元素标识可定位）。");
      return;
    }
    if (!window.confirm("部署流程 " + k + " 的新版本？已运行的实例继续使用原来的版本。")) return;
    setStatus("正在部署…");
    const answer = await readJson(
      await window.xyFetch("/admin/processes/" + encode(k) + "/deploy", {
        method: "POST",
        headers: { "Content-Type": "application/xml" },
        body: await xml(),
      }),
    );
    const body = answer.body || {};
    if (answer.ok) {
      dirty = false;
      loadedKey = k;
      const defs = body.data.definitions || [];
      setStatus(defs.length ? "已部署为版本 " + defs[0].version : "内容未变，未生成新版本", "success");
      show("success", defs.length ? "部署成功" : "内容与已部署的最新版本相同，没有生成新版本", (box) => {
        const links = el("div", "d-flex flex-wrap gap-2 mt-1");
        for (const d of defs) {
          const a = el("a", "btn btn-sm btn-outline-success", "查看 " + (d.name || d.key) + " 版本 " + d.version);
          a.href = d.href;
          links.appendChild(a);
          if (d.version > 1) {
            const c = el("a", "btn btn-sm btn-outline-secondary", "与版本 " + (d.version - 1) + " 比较");
            c.href = "/admin/processes/" + encode(d.key) + "/compare?from=" + (d.version - 1) + "&to=" + d.version;
            c.setAttribute("data-testid", "compare-after-deploy");
            links.appendChild(c);
          }
        }
        box.appendChild(links);
        if ((body.data.warnings || []).length) {
          const details = el("details", "mt-2 small");
          details.appendChild(el("summary", null, body.data.warnings.length + " 条提示（不影响部署）"));
          const ul = el("ul", "mb-0");
          body.data.warnings.forEach((w) => ul.appendChild(problemItem(w)));
          details.appendChild(ul);
          box.appendChild(details);
        }
      });
      if (window.location.pathname !== body.data.editHref) window.history.replaceState(null, "", body.data.editHref);
      return;
    }
    setStatus("没有部署", "danger");
    const error = body.error || {};
    show("danger", error.message || "部署失败（HTTP " + answer.status + "）", (box) => {
      const details = (error.details || []).filter((d) => d && d.message);
      if (details.length) {
        box.appendChild(el("div", "mt-1", "服务器指出以下问题，请修正后重新部署："));
        const ul = el("ul", "mb-0");
        details.forEach((d) => ul.appendChild(problemItem(d)));
        box.appendChild(ul);
      }
    });
  }

  async function download() {
    const p = processOf();
    const blob = new Blob([await xml()], { type: "application/xml" });
    const a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = (p ? p.id : "process") + ".bpmn";
    document.body.appendChild(a);
    a.click();
    setTimeout(() => {
      URL.revokeObjectURL(a.href);
      a.remove();
    }, 1000);
  }

  async function importFile(file) {
    try {
      const text = await file.text();
      await modeler.importXML(text);
      fitBesidePalette();
      dirty = true;
      showProcess();
      setStatus("已打开文件 " + file.name + "（尚未保存）", "warning");
    } catch (err) {
      show("danger", "文件 " + file.name + " 无法打开：它不是有效的 BPMN 2.0 文件（" + String((err && err.message) || err) + "）");
    }
  }

  async function discardDraft() {
    if (!loadedKey || !window.confirm("放弃流程 " + loadedKey + " 的草稿？此操作不能撤销。")) return;
    const res = await window.xyFetch("/admin/processes/" + encode(loadedKey) + "/draft", { method: "DELETE" });
    if (res.status === 204) {
      dirty = false;
      window.location.reload();
    } else {
      const answer = await readJson(res);
      show("danger", (answer.body.error && answer.body.error.message) || "没有放弃草稿（HTTP " + res.status + "）");
    }
  }

  const on = (id, fn) => {
    const button = document.getElementById(id);
    if (!button) return;
    button.addEventListener("click", () => {
      button.disabled = true;
      Promise.resolve(fn())
        .catch((err) => show("danger", "操作失败：" + String((err && err.message) || err)))
        .finally(() => (button.disabled = false));
    });
  };
  if (canSave) {
    on("modeler-save", saveDraft);
    on("modeler-deploy", deploy);
    on("modeler-discard", discardDraft);
  }
  on("modeler-download", download);
  on("modeler-lint", () => modeler.get("linting").toggle());
  const fileInput = document.getElementById("modeler-file");
  if (fileInput) fileInput.addEventListener("change", () => fileInput.files[0] && importFile(fileInput.files[0]));
  const versionSelect = document.getElementById("modeler-open-version");
  if (versionSelect) {
    versionSelect.addEventListener("change", () => {
      if (!versionSelect.value) return;
      if (dirty && !window.confirm("打开其他版本会丢弃未保存的修改，继续吗？")) return;
      dirty = false;
      window.location.href = versionSelect.value;
    });
  }

  async function load() {
    const options = await readJson(await window.xyFetch("/admin/processes/modeler/options.json"));
    if (options.ok) {
      Object.assign(pickerOptions, options.body.data);
      platformFacts.formKeys = new Set(options.body.data.forms.map((f) => f.key));
      platformFacts.services = new Set(options.body.data.services.map((s) => s.name));
    } else {
      show("warning", "无法读取表单、部门和服务列表，选择框暂不可用（HTTP " + options.status + "）。");
    }
    let text = blankDiagram(newProcessId());
    if (key) {
      const url = "/admin/processes/" + encode(key) + "/modeler.json" + (openVersion ? "?version=" + encode(openVersion) : "");
      const answer = await readJson(await window.xyFetch(url));
      if (!answer.ok) {
        show("danger", (answer.body.error && answer.body.error.message) || "无法读取流程（HTTP " + answer.status + "）");
        return;
      }
      text = answer.body.data.xml;
      const d = answer.body.data;
      setStatus(d.source === "draft" ? "已打开草稿（" + d.draft.updatedBy + " 保存）" : "已打开已部署的版本 " + d.version);
    } else {
      setStatus("新流程：从开始事件画起，保存草稿后可以继续编辑");
    }
    try {
      const { warnings } = await modeler.importXML(text);
      if (warnings && warnings.length) show("warning", "流程图已打开，但有 " + warnings.length + " 处内容无法识别，保存时会被去掉。");
    } catch (err) {
      show("danger", "流程图无法打开：" + String((err && err.message) || err));
      return;
    }
    fitBesidePalette();
    dirty = false;
    showProcess();
    root.setAttribute("data-ready", "true");
  }

  load().catch((err) => show("danger", "建模器无法启动：" + String((err && err.message) || err)));
}

if (root) start();
