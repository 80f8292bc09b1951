// The form designer page (templates/forms/builder.hbs): the Form.io builder in Chinese with only the components and
// settings the server accepts (the types come from /forms/platform.js), keys generated from Chinese labels through
// pinyin, single-page or wizard display, save as a new revision, publish a revision, import and export JSON.
(function () {
  "use strict";
  var root = document.getElementById("form-designer");
  var Formio = window.Formio;
  if (!root || !Formio || !window.xyFormio) return;
  var platform = window.XY_FORMIO_PLATFORM || {};
  var status = root.querySelector('[data-role="designer-status"]');
  var isNew = root.getAttribute("data-is-new") === "1";
  var formKey = root.getAttribute("data-form-key");
  var displaySelect = document.getElementById("form-display");
  var builder = null;

  // ---- Form.io's own settings dialogs need their functions ----

  // formio-setup.js sets Evaluator.noeval: no string of form code is compiled or run, and {{ }} is path-only. Under
  // noeval Form.io also refuses to call functions, and the settings dialogs are built with functions (the component
  // list of 条件 → "当表单组件", 何时重绘, shortcut keys, which tabs apply to a component ...), which then stay empty. A
  // form definition is JSON and cannot carry a function: on this page, a function given to the evaluator is the
  // library's own and is called; a string of code still becomes a no-op before it gets here (Evaluator.evaluate).
  var evaluator = Formio.Evaluator;
  if (evaluator && typeof evaluator.execute === "function" && !evaluator.execute.xyFunctionsOnly) {
    var execute = evaluator.execute;
    var callFunction = function (func, args, context) {
      if (typeof func !== "function") return execute.apply(this, arguments);
      return Array.isArray(args) ? func.apply(context, args) : func.call(context, args);
    };
    callFunction.xyFunctionsOnly = true;
    evaluator.execute = callFunction;
  }

  // The JSONLogic editors (textareas "as json") start from the empty string Form.io writes for "no logic" and would
  // show it as "" (a JSON string) for the designer to type after. An empty value shows as an empty editor here;
  // saveForm strips the empty strings the dialogs still write.
  var TextArea = Formio.Components.components.textarea;
  if (TextArea && TextArea.prototype && !TextArea.prototype.setConvertedValue.xyEmptyJson) {
    var setConvertedValue = TextArea.prototype.setConvertedValue;
    var emptyJsonAsEmpty = function (value, index) {
      return setConvertedValue.call(this, this.isJsonValue && value === "" ? null : value, index);
    };
    emptyJsonAsEmpty.xyEmptyJson = true;
    TextArea.prototype.setConvertedValue = emptyJsonAsEmpty;
  }

  // ---- Keys: an ASCII key from a Chinese label (pinyin, camelCase, no tones) ----

  // The server's key rule (server/forms/definition.ts, served in /forms/platform.js): one rule, not two.
  var KEY_MAX = Number(platform.maxKeyLength) > 0 ? Number(platform.maxKeyLength) : 64;
  var KEY_PATTERN = typeof platform.keyPattern === "string" ? platform.keyPattern : "^[A-Za-z_][A-Za-z0-9_-]*$";
  var KEY_RE = new RegExp(KEY_PATTERN);
  var KEY_MESSAGE = "键名只能由英文字母、数字、下划线（_）和连字符（-）组成，不能以连字符开头或结尾，最长 " + KEY_MAX + " 个字符";

  /**
   * camelCase of the label's words, Chinese characters as their pinyin syllables without tones (广告设置地点 ->
   * guangGaoSheZhiDiDian), other letters and digits as they are; Form.io's own rule strips leading digits.
   */
  function keyFromLabel(text, fallback) {
    var plain = String(text || "")
      .replace(/<[^>]*>/g, " ")
      .trim();
    var parts = [plain];
    if (window.pinyinPro && typeof window.pinyinPro.pinyin === "function" && /[\u3400-\u9fff]/.test(plain)) {
      parts = window.pinyinPro.pinyin(plain, { toneType: "none", type: "array", nonZh: "consecutive", v: true });
    }
    var words = [];
    parts.forEach(function (part) {
      String(part)
        // Split ASCII camel humps (companyName -> company, Name) so they are cased like the syllables.
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .forEach(function (w) {
          if (w) words.push(w.toLowerCase());
        });
    });
    var key = words
      .map(function (w, i) {
        return i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1);
      })
      .join("")
      .replace(/^[0-9]+/, "");
    if (key.length > KEY_MAX) key = key.slice(0, KEY_MAX);
    if (!key) key = String(fallback || "field").replace(/[^A-Za-z0-9_-]/g, "") || "field";
    return key;
  }

  // Form.io derives a new component's key from its label with lodash camelCase (which keeps Chinese characters, a key
  // the builder itself then refuses); the builder calls updateComponentKey for that and then makes the key unique in
  // its data scope (uniquify: key, key1, key2...). Replacing that one method keeps the rest of Form.io's behaviour:
  // only new components get a key from their label, and a key typed by the designer is kept.
  var WebformBuilder = Formio.Builders && Formio.Builders.builders && Formio.Builders.builders.webform;
  if (WebformBuilder && WebformBuilder.prototype) {
    WebformBuilder.prototype.updateComponentKey = function (data) {
      return keyFromLabel(data.title || data.label || data.placeholder || data.type, data.type);
    };
  }
  var WizardBuilder = Formio.Builders && Formio.Builders.builders && Formio.Builders.builders.wizard;
  if (WizardBuilder && WizardBuilder.prototype) {
    // New wizard pages: "第 2 页" instead of "Page 2".
    WizardBuilder.prototype.getPageConfig = function (index, components) {
      return {
        title: "第 " + index + " 页",
        label: "第 " + index + " 页",
        type: "panel",
        key: "page" + index,
        components: components || [],
      };
    };
  }

  // ---- Palette: the platform's component types, in Form.io's groups, with Chinese names and default labels ----

  // One list of Chinese type names: the server's (server/forms/components.ts TYPE_NAMES), which its refusals use too.
  var TYPE_NAMES = platform.typeNames || {};
  var GROUPS = {
    basic: { title: "基础组件", weight: 0, default: true },
    advanced: { title: "高级组件", weight: 10 },
    layout: { title: "布局", weight: 20 },
    data: { title: "数据", weight: 30 },
    premium: { title: "文件与嵌套表单", weight: 40 },
  };
  // Refused by the server by design (with its reason in platform.refusedTypes): never offered.
  var NOT_OFFERED = Object.assign({ password: true, recaptcha: true, unknown: true }, platform.refusedTypes || {});
  var accepted = [].concat(platform.inputTypes || [], platform.layoutTypes || []);
  // Palette entries the server stores as another type (address: a container of 省/市/区县/详细地址).
  var presets = platform.presets || {};

  function clone(value) {
    return JSON.parse(JSON.stringify(value));
  }

  /** Form.io's builder entry for a type, renamed, with a Chinese default label (title, legend, tab and button texts). */
  function chineseEntry(type, info) {
    var name = TYPE_NAMES[type] || info.title;
    var schema = clone(info.schema || {});
    schema.label = type === "button" ? "提交" : name;
    // Form.io leaves some keys empty (HTML element, hidden field); the server wants one on every component.
    if (!schema.key) schema.key = type === "htmlelement" ? "html" : type;
    if (type === "panel") schema.title = name;
    if (type === "fieldset") schema.legend = name;
    if (type === "tabs") schema.components = [{ label: "选项卡 1", key: "tab1", components: [] }];
    if (type === "datagrid" || type === "editgrid") schema.addAnother = "添加一行";
    // Files go through the platform's upload endpoint (the server sets the same when the form is saved).
    if (type === "file") {
      schema.storage = "url";
      schema.url = "/api/uploads";
    }
    // Defaults written into the form that an applicant would see in English or in a foreign format.
    if (type === "signature") schema.footer = "请在上方签名";
    if (type === "content") schema.html = "<p>在这里填写说明文字</p>"; // the builder shows "Content" while it is empty
    if (type === "phoneNumber") schema.inputMask = ""; // Form.io's (999) 999-9999 is a US number
    if (type === "currency") schema.currency = "CNY";
    if (type === "editgrid") {
      schema.saveRow = "保存";
      schema.removeRow = "取消";
    }
    if (type === "datamap") {
      schema.keyLabel = "键";
      schema.addAnother = "添加一项";
      if (schema.valueComponent) schema.valueComponent.label = "取值";
    }
    return Object.assign({}, info, { title: name, schema: schema });
  }

  /** The builder's groups: every registered Form.io component whose type the platform accepts, in its own group. */
  function palette() {
    var groups = {};
    Object.keys(GROUPS).forEach(function (g) {
      groups[g] = Object.assign({ components: {} }, GROUPS[g]);
    });
    var offered = {};
    Object.keys(Formio.Components.components).forEach(function (type) {
      var component = Formio.Components.components[type];
      var info = component && component.builderInfo;
      if (!info || !info.schema || !info.group) return;
      var group = groups[info.group] ? info.group : "advanced";
      if (Object.prototype.hasOwnProperty.call(presets, type)) {
        var preset = presets[type];
        groups[group].components[type] = Object.assign({}, info, {
          title: preset.title,
          icon: preset.icon || info.icon,
          schema: clone(preset.schema),
        });
        offered[group] = true;
        return;
      }
      if (accepted.indexOf(type) === -1 || NOT_OFFERED[type]) {
        groups[group].components[type] = false;
        return;
      }
      groups[group].components[type] = chineseEntry(type, info);
      offered[group] = true;
    });
    Object.keys(groups).forEach(function (g) {
      if (!offered[g]) groups[g] = false;
    });
    // "Premium" holds what is left (file upload, nested form): named after what it offers, short enough for one line.
    if (groups.premium) {
      var left = Object.keys(groups.premium.components).filter(function (type) {
        return groups.premium.components[type];
      });
      groups.premium.title = left.length === 1 ? groups.premium.components[left[0]].title : "文件与嵌套表单";
    }
    groups.resource = false;
    return groups;
  }

  // ---- Settings dialogs: nothing the server refuses, Chinese where Form.io writes English into the form ----

  /** Settings that hold JavaScript, a Form.io server feature or a CDN library: removed from every settings dialog. */
  var HIDDEN_SETTINGS = {
    calculateServer: "the server always recalculates (server/forms/definition.ts)",
    allowCalculateOverride: "the server forces it off",
    serverOverride: "Form.io server feature",
    dbIndex: "Form.io server feature",
    encrypted: "Form.io server feature",
    protected: "Form.io server feature",
    persistent: "a value not stored would be refused as missing",
    overlay: "PDF forms only",
    addons: "plugins are not loaded",
    "validate.customPrivate": "belongs to JavaScript validation",
    kickbox: "sends the address to a third-party service (Form.io server feature)",
    "data.custom": "JavaScript",
    customAction: "JavaScript",
    custom: "button JavaScript",
    url: "posts data to another host; file URLs are set by the platform",
    headers: "belongs to url buttons",
    oauthProvider: "no OAuth",
    customOptions: "raw library options",
    widget: "raw widget settings",
    "widget.type": "a calendar inside a text field: use 日期时间",
    shortcutButtons: "JavaScript onClick",
    "datePicker.disableFunction": "JavaScript",
    "panel-disable-function": "JavaScript",
    enableMinDateInput: "moment.js expressions are code",
    enableMaxDateInput: "moment.js expressions are code",
    defaultDate: "moment.js expressions are code",
    nextPagePanel: "wizard pages follow in order",
    storage: "the platform stores files through /api/uploads",
    useMultipartUpload: "S3 only",
    multipart: "S3 only",
    options: "IndexedDB only",
    urlRequestOptions: "set by the platform",
    fileKey: "set by the platform",
    dir: "set by the platform",
    fileNameTemplate: "set by the platform",
    privateDownload: "Form.io server feature",
    isUploadEnabled: "image upload inside rich text goes elsewhere",
    uploadStorage: "image upload inside rich text goes elsewhere",
    uploadUrl: "image upload inside rich text goes elsewhere",
    uploadOptions: "image upload inside rich text goes elsewhere",
    uploadDir: "image upload inside rich text goes elsewhere",
    reference: "resources",
    addResource: "resources",
    addResourceLabel: "resources",
    authenticate: "url data sources",
    ignoreCache: "url data sources",
    provider: "no geocoding service",
    providerOptions: "no geocoding service",
    "providerOptions.params": "no geocoding service",
    autocompleteOptions: "no geocoding service",
    manualModeViewString: "JavaScript template",
    displayInTimezone: "dates are shown in the viewer's time zone; the zone list would load moment-timezone data from a CDN",
    timezone: "see displayInTimezone",
  };
  /** Select options removed from settings: [setting key, values to remove]. */
  var REFUSED_OPTIONS = {
    dataSrc: ["url", "resource", "custom", "json", "indexeddb"],
    editor: ["ckeditor"],
    inputFormat: ["raw"],
    action: ["custom", "url", "oauth", "saveState"],
  };
  var HELP = {
    customDefaultValue:
      '<p>用 JSONLogic 根据其他字段给出默认值，例如 <code>{"cat": [{"var": "data.xing"}, {"var": "data.ming"}]}</code>（xing、ming 是字段的键名）。只能使用平台允许的运算符；不能使用 JavaScript。</p>',
    calculateValue:
      '<p>用 JSONLogic 根据其他字段计算取值，例如 <code>{"+": [{"var": "data.a"}, {"var": "data.b"}]}</code>（a、b 是字段的键名）。只能使用平台允许的运算符；提交时服务器会重新计算，申请人不能修改计算结果。</p>',
    "conditional.json":
      '<p>JSONLogic 结果为 true 时显示此组件，例如 <code>{"==": [{"var": "data.shiFouYouDanWei"}, "yes"]}</code>。设置后会取代上面的简单条件。</p>',
    "validate.json":
      '<p>JSONLogic 结果为 true 表示通过，结果为文字时作为错误提示，例如 <code>{"if": [{">=": [{"var": "data.nianLing"}, 18]}, true, "年龄必须满 18 周岁"]}</code>。</p>',
  };
  var PANEL_TITLES = {
    customDefaultValuePanel: "JSONLogic 默认值",
    calculateValuePanel: "JSONLogic 计算值",
    customConditionalPanel: "JSONLogic 显示条件",
    "json-validation-json": "JSONLogic 校验",
    "simple-conditional": "条件显示（当字段 X 等于 Y）",
  };

  var CURRENCIES = [
    { label: "人民币（CNY）", value: "CNY" },
    { label: "港元（HKD）", value: "HKD" },
    { label: "澳门元（MOP）", value: "MOP" },
    { label: "新台币（TWD）", value: "TWD" },
    { label: "美元（USD）", value: "USD" },
    { label: "欧元（EUR）", value: "EUR" },
    { label: "英镑（GBP）", value: "GBP" },
    { label: "日元（JPY）", value: "JPY" },
  ];

  function isJavaScriptSetting(c) {
    return (
      c.as === "javascript" ||
      c.as === "handlebars" ||
      (typeof c.key === "string" && /-js$/.test(c.key)) ||
      (c.type === "htmlelement" && /javascript|variables are available/i.test(String(c.content || "")))
    );
  }

  function findJsonTextarea(list) {
    var found = null;
    (list || []).forEach(function (c) {
      if (found || !c) return;
      if (c.type === "textarea" && c.as === "json") found = c;
      else found = findJsonTextarea(c.components);
    });
    return found;
  }

  /** Removes refused settings from a settings form's components, retitles the JSONLogic ones; returns the new list. */
  function tidySettings(list) {
    return (list || [])
      .filter(function (c) {
        return c && !(typeof c.key === "string" && Object.prototype.hasOwnProperty.call(HIDDEN_SETTINGS, c.key)) && !isJavaScriptSetting(c);
      })
      .map(function (c) {
        if (c.key === "key" && c.type === "textfield") {
          // Form.io anchors the pattern itself (^(?:pattern)$); the server's own anchors are harmless inside.
          c.validate = Object.assign({}, c.validate, {
            required: true,
            pattern: KEY_PATTERN,
            patternMessage: KEY_MESSAGE,
            maxLength: KEY_MAX,
          });
          c.tooltip = "此字段在提交数据中的名称。添加组件时按标签自动生成（中文按拼音），可以修改。";
        }
        if (c.key && REFUSED_OPTIONS[c.key] && c.data && Array.isArray(c.data.values)) {
          c.data.values = c.data.values.filter(function (v) {
            return REFUSED_OPTIONS[c.key].indexOf(v.value) === -1;
          });
        }
        // Logic: triggers of type JavaScript and actions other than setting a property are refused by the server.
        if (c.key === "type" && c.data && Array.isArray(c.data.values)) {
          var values = c.data.values.map(function (v) {
            return v.value;
          });
          if (values.indexOf("javascript") !== -1 && values.indexOf("event") !== -1) {
            c.data.values = c.data.values.filter(function (v) {
              return v.value !== "javascript";
            });
          }
          if (values.indexOf("customAction") !== -1 || values.indexOf("mergeComponentSchema") !== -1) {
            c.data.values = c.data.values.filter(function (v) {
              return v.value === "property";
            });
          }
        }
        // Currencies: Form.io lists about 180 by their English names, starting with the US dollar.
        if (c.key === "currency" && c.type === "select") {
          c.defaultValue = "CNY";
          c.data = { values: CURRENCIES };
        }
        // A data map's key column title is not passed through i18n (HTML 属性 on the 布局 tab).
        if (c.type === "datamap" && c.keyLabel === "Attribute Name") c.keyLabel = "属性名";
        if (PANEL_TITLES[c.key]) c.title = PANEL_TITLES[c.key];
        // The content component edits its HTML with CKEditor, which only a CDN has; Quill is served here.
        if (c.editor === "ckeditor") c.editor = "quill";
        // "Custom Default Value" / "Calculated Value" / "Advanced Conditions": JavaScript and JSONLogic side by side,
        // both writing the same property. Only the JSONLogic editor stays, with a Chinese example.
        if (/Panel$/.test(String(c.key)) && c.type === "panel" && Array.isArray(c.components)) {
          var json = findJsonTextarea(c.components);
          if (json && HELP[json.key]) {
            c.components = [{ type: "htmlelement", tag: "div", content: HELP[json.key], key: c.key + "-help" }, json];
            return c;
          }
          if (!json && c.key !== "simple-conditional" && /Panel$/.test(c.key) && c.components.every(isJavaScriptSetting)) return null;
        }
        if (c.key === "json-validation-json" && Array.isArray(c.components)) {
          var rule = findJsonTextarea(c.components);
          if (rule) c.components = [{ type: "htmlelement", tag: "div", content: HELP["validate.json"], key: "json-validation-help" }, rule];
          return c;
        }
        if (Array.isArray(c.components)) c.components = tidySettings(c.components);
        return c;
      })
      .filter(function (c) {
        // A tab (or panel) left without settings goes too (editgrid's templates tab).
        return c && !(Array.isArray(c.components) && c.components.length === 0 && (c.type === undefined || c.key === "templates"));
      });
  }

  /** Published forms other than this one: what a nested form may embed (loaded with the page). */
  var embeddable = [];

  /**
   * The nested form's 表单 tab: Form.io lists the forms of a Form.io project (GET <project>/form) and their revisions;
   * here the designer picks one of the platform's published forms by key, and optionally a revision (the server pins
   * the published one when none is given, and copies its components in).
   */
  function nestedFormSettings(list) {
    return (list || []).reduce(function (out, c) {
      if (!c) return out;
      if (["revision", "lazyLoad", "useOriginalRevision", "reference"].indexOf(c.key) !== -1) return out;
      if (c.key === "form" && c.type === "select") {
        out.push({
          type: "select",
          input: true,
          key: "form",
          label: "要嵌入的表单",
          tooltip: "只能嵌入本平台已发布的表单；它的字段会显示在这里，数据随本表单一起提交。",
          dataSrc: "values",
          widget: "choicesjs",
          searchEnabled: true,
          validate: { required: true },
          data: {
            values: embeddable.map(function (f) {
              return { label: f.title + "（" + f.key + "）", value: f.key };
            }),
          },
          weight: c.weight,
        });
        out.push({
          type: "number",
          input: true,
          key: "revision",
          label: "版本",
          description: "留空则使用保存时的发布版本（保存时固定下来）",
          validate: { min: 1, integer: true },
          weight: (c.weight || 0) + 1,
        });
        return out;
      }
      if (Array.isArray(c.components)) c.components = nestedFormSettings(c.components);
      out.push(c);
      return out;
    }, []);
  }

  // Every settings dialog is built by the component class's static editForm(): wrapping it once per class tidies the
  // dialogs of every type, including types the server adds later, without a per-type list.
  Object.keys(Formio.Components.components).forEach(function (type) {
    var component = Formio.Components.components[type];
    if (!component || typeof component.editForm !== "function" || component.editForm.xyTidy) return;
    var original = component.editForm;
    var tidy = function () {
      var form = original.apply(this, arguments);
      if (form && Array.isArray(form.components)) form.components = tidySettings(form.components);
      if (type === "form" && form && Array.isArray(form.components)) form.components = nestedFormSettings(form.components);
      return form;
    };
    tidy.xyTidy = true;
    component.editForm = tidy;
  });

  // ---- The definition that is saved ----

  /** Properties whose value is logic: JSONLogic as an object, JavaScript as a string. */
  var LOGIC_PATHS = [
    ["calculateValue"],
    ["customDefaultValue"],
    ["customConditional"],
    ["conditional", "json"],
    ["validate", "json"],
    ["validate", "custom"],
    ["custom"],
    ["conditionalAddButton"],
    ["nextPage"],
    ["data", "custom"],
    ["data", "json"],
    ["datePicker", "disableFunction"],
    ["errors"],
  ];
  var LOGIC_NAMES = {
    calculateValue: ["数据", "JSONLogic 计算值"],
    customDefaultValue: ["数据", "JSONLogic 默认值"],
    "conditional.json": ["条件", "JSONLogic 显示条件"],
    "validate.json": ["校验", "JSONLogic 校验"],
    errors: ["校验", "自定义错误"],
  };

  function labelOf(c) {
    var text = String(c.label || c.title || c.legend || "").replace(/<[^>]*>/g, "");
    return text.trim() || c.key || TYPE_NAMES[c.type] || "未命名组件";
  }

  /** The start of a problem, worded as the server words its refusals: 组件“营业面积”（area）在“数据”页签： */
  function where(c, tab) {
    var key = typeof c.key === "string" && c.key ? "（" + c.key + "）" : "";
    return "组件“" + labelOf(c) + "”" + key + "在“" + tab + "”页签：";
  }

  function children(c) {
    var out = [];
    if (Array.isArray(c.components)) out = out.concat(c.components);
    (Array.isArray(c.columns) ? c.columns : []).forEach(function (col) {
      if (col && Array.isArray(col.components)) out = out.concat(col.components);
    });
    (Array.isArray(c.rows) ? c.rows : []).forEach(function (row) {
      (Array.isArray(row) ? row : []).forEach(function (cell) {
        if (cell && Array.isArray(cell.components)) out = out.concat(cell.components);
      });
    });
    return out;
  }

  /**
   * Prepares the builder's components for the server: the empty strings Form.io writes into every logic setting
   * ("no logic") are removed, JSONLogic typed as text is parsed, and what cannot be saved is named with the
   * component's label and the settings tab it is on.
   */
  function cleanComponents(components) {
    var problems = [];
    (function walk(list) {
      (list || []).forEach(function (c) {
        if (!c || typeof c !== "object") return;
        LOGIC_PATHS.forEach(function (path) {
          var holder = c;
          for (var i = 0; i < path.length - 1; i++) holder = holder && typeof holder === "object" ? holder[path[i]] : undefined;
          var last = path[path.length - 1];
          if (!holder || typeof holder !== "object" || typeof holder[last] !== "string") return;
          var text = holder[last].trim();
          if (text === "") {
            delete holder[last];
            return;
          }
          var name = LOGIC_NAMES[path.join(".")];
          if (!name) return; // JavaScript: the server names it
          try {
            var parsed = JSON.parse(text);
            if (parsed && typeof parsed === "object") {
              holder[last] = parsed;
              return;
            }
          } catch (e) {
            /* reported below */
          }
          problems.push(where(c, name[0]) + name[1] + "不是有效的 JSONLogic（JSON 对象），请修改或清空");
        });
        if (Array.isArray(c.logic)) {
          c.logic.forEach(function (logic) {
            if (logic && logic.trigger && typeof logic.trigger.javascript === "string" && !logic.trigger.javascript.trim())
              delete logic.trigger.javascript;
            (logic && Array.isArray(logic.actions) ? logic.actions : []).forEach(function (action) {
              ["value", "customAction", "schemaDefinition"].forEach(function (p) {
                if (action && typeof action[p] === "string" && !action[p].trim()) delete action[p];
              });
            });
          });
        }
        // Tab panes take their key from the tab's label through lodash camelCase (Chinese stays Chinese).
        if (c.type === "tabs" && Array.isArray(c.components)) {
          var paneKeys = {};
          c.components.forEach(function (pane, i) {
            if (!pane) return;
            if (typeof pane.key !== "string" || !KEY_RE.test(pane.key)) pane.key = keyFromLabel(pane.label, "tab" + (i + 1));
            while (paneKeys[pane.key]) pane.key = pane.key.replace(/\d*$/, String(i + 1));
            paneKeys[pane.key] = true;
          });
        }
        if (typeof c.key === "string" && c.key && !KEY_RE.test(c.key))
          problems.push(where(c, "接口") + "键名“" + c.key + "”无效：" + KEY_MESSAGE);
        walk(children(c));
        if (c.type === "tabs" && Array.isArray(c.components))
          c.components.forEach(function (pane) {
            walk(pane && pane.components);
          });
      });
    })(components);
    return problems;
  }

  // ---- Display: single page or wizard ----

  var DISPLAYS = Array.isArray(platform.displays) ? platform.displays : ["form", "wizard"];

  /** Components for a wizard: top-level components outside a panel are put on a page of their own. */
  function asPages(components) {
    var out = [];
    var loose = [];
    var flush = function () {
      if (!loose.length) return;
      var n = out.length + 1;
      out.push({ type: "panel", title: "第 " + n + " 页", label: "第 " + n + " 页", key: "page" + n, input: false, components: loose });
      loose = [];
    };
    (components || []).forEach(function (c) {
      if (c && c.type === "panel") {
        flush();
        out.push(c);
      } else if (c && !(c.type === "button" && c.action === "submit")) {
        loose.push(c);
      }
    });
    flush();
    return out;
  }

  function currentDisplay() {
    return displaySelect && displaySelect.value === "wizard" ? "wizard" : "form";
  }

  function currentDefinition() {
    var form = builder ? builder.form : { components: [] };
    var components = clone(form.components || []);
    var display = currentDisplay();
    return { display: display, components: display === "wizard" ? asPages(components) : components };
  }

  // ---- The page ----

  function say(kind, message, details) {
    status.className = "alert alert-" + kind;
    status.textContent = "";
    var p = document.createElement("p");
    p.className = "mb-0";
    p.textContent = message;
    status.appendChild(p);
    var lines = (details || [])
      .map(function (d) {
        return typeof d === "string" ? d : d && typeof d.message === "string" ? d.message : "";
      })
      .filter(Boolean);
    if (lines.length) {
      var ul = document.createElement("ul");
      ul.className = "mb-0 mt-2";
      lines.forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        ul.appendChild(li);
      });
      status.appendChild(ul);
    }
    if (status.scrollIntoView) status.scrollIntoView({ block: "nearest" });
  }

  /** Outlines, in the builder, the components a refusal names (the server sends Form.io's component id). */
  function markRefused(details) {
    document.querySelectorAll("#builder .xy-refused").forEach(function (el) {
      el.classList.remove("xy-refused", "border", "border-danger", "border-2", "rounded");
    });
    (details || []).forEach(function (d) {
      var el = d && d.componentId ? document.getElementById(String(d.componentId)) : null;
      var box = el && el.closest ? el.closest(".builder-component") || el : null;
      if (box) box.classList.add("xy-refused", "border", "border-danger", "border-2", "rounded");
    });
  }

  var builderOptions = window.xyFormio.options({
    noDefaultSubmitButton: true,
    builder: palette(),
  });
  var SUBMIT = { type: "button", label: "提交", key: "submit", action: "submit", disableOnInvalid: false, input: true };

  function load(definition) {
    var target = document.getElementById("builder");
    target.textContent = "";
    root.removeAttribute("data-ready");
    var display = definition.display === "wizard" && DISPLAYS.indexOf("wizard") !== -1 ? "wizard" : "form";
    if (displaySelect) displaySelect.value = display;
    var components = definition.components || [];
    if (display === "wizard") components = asPages(components);
    else if (!components.length) components = [clone(SUBMIT)];
    var form = { display: display, components: components };
    return Formio.builder(target, form, Object.assign({}, builderOptions, { display: display })).then(function (b) {
      builder = b;
      root.setAttribute("data-ready", "1");
      root.setAttribute("data-display", display);
      return b;
    });
  }

  if (displaySelect) {
    if (DISPLAYS.indexOf("wizard") === -1) {
      var wizardOption = displaySelect.querySelector('option[value="wizard"]');
      if (wizardOption) wizardOption.remove();
      displaySelect.disabled = true;
    }
    displaySelect.addEventListener("change", function () {
      var components = builder ? clone(builder.form.components || []) : [];
      var display = currentDisplay();
      var hasButton = components.some(function (c) {
        return c && c.type === "button";
      });
      if (display === "form" && !hasButton) components.push(clone(SUBMIT));
      load({ display: display, components: components }).then(function () {
        say(
          "info",
          display === "wizard"
            ? "已改为分步表单：每个面板是一页，申请人逐页填写，每页校验通过后才能进入下一页。"
            : "已改为单页表单：原来的每一页成为一个面板。",
        );
      });
    });
  }

  var formUrl = root.getAttribute("data-form-url");
  var definitionLoaded = formUrl
    ? window
        .xyFetch(formUrl)
        .then(function (res) {
          return res.json();
        })
        .then(function (body) {
          return body.data.definition;
        })
    : Promise.resolve({ display: "form", components: [] });
  var formsLoaded =
    accepted.indexOf("form") === -1
      ? Promise.resolve()
      : window
          .xyFetch("/api/forms?size=100")
          .then(function (res) {
            return res.ok ? res.json() : { data: [] };
          })
          .then(function (body) {
            embeddable = (body.data || []).filter(function (f) {
              return f.publishedRevision && f.key !== formKey;
            });
          })
          .catch(function () {
            embeddable = [];
          });
  Promise.all([definitionLoaded, formsLoaded])
    .then(function (loaded) {
      return load(loaded[0]);
    })
    .catch(function () {
      say("danger", "表单设计器加载失败，请刷新页面重试");
    });

  function saveForm() {
    var title = document.getElementById("form-title").value.trim();
    var definition = currentDefinition();
    var problems = cleanComponents(definition.components);
    if (!title) problems.unshift("请填写表单名称");
    var body = Object.assign(definition, { title: title });
    var url = "/api/forms/" + encodeURIComponent(formKey || "");
    var method = "PUT";
    if (isNew) {
      body.key = document.getElementById("form-key").value.trim();
      if (!/^[a-z][a-z0-9-]{1,99}$/.test(body.key))
        problems.unshift("请填写表单键名：小写英文字母开头，只用小写字母、数字和连字符，例如 food-business-commitment");
      var dep = document.getElementById("form-department");
      if (dep && dep.value) body.department = dep.value;
      url = "/api/forms";
      method = "POST";
    }
    if (problems.length) {
      say("danger", "表单还不能保存，请先修改：", problems);
      return Promise.resolve();
    }
    say("info", "正在保存……");
    return window.xyFetch(url, { method: method, body: body }).then(
      function (res) {
        return res.json().then(
          function (json) {
            if (res.ok) {
              say("success", "已保存为第 " + json.data.revision + " 版。发布后，新的申请才会使用这一版。");
              window.location.assign("/admin/forms/" + encodeURIComponent(json.data.formKey) + "?revision=" + json.data.revision);
            } else {
              say("danger", (json.error && json.error.message) || "保存失败", json.error && json.error.details);
              markRefused(json.error && json.error.details);
            }
          },
          function () {
            say("danger", "保存失败（" + res.status + "），请稍后重试");
          },
        );
      },
      function () {
        say("danger", "网络连接失败，表单未保存");
      },
    );
  }

  function publish(button) {
    var revision = Number(button.getAttribute("data-revision"));
    if (button.getAttribute("data-confirm") && !window.confirm(button.getAttribute("data-confirm"))) return;
    window
      .xyFetch("/api/forms/" + encodeURIComponent(formKey) + "/publish", { method: "POST", body: { revision: revision } })
      .then(function (res) {
        return res.json().then(function (json) {
          if (res.ok) window.location.reload();
          else say("danger", (json.error && json.error.message) || "发布失败", json.error && json.error.details);
        });
      });
  }

  root.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-action]") : null;
    if (!target) return;
    if (target.getAttribute("data-action") === "save-form") saveForm();
    if (target.getAttribute("data-action") === "publish-revision") publish(target);
  });

  root.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.getAttribute("data-action") !== "import-form" || !input.files || !input.files[0])
      return;
    input.files[0].text().then(function (text) {
      var json;
      try {
        json = JSON.parse(text);
      } catch (e) {
        say("danger", "导入的文件不是有效的 JSON");
        return;
      }
      if (!json || !Array.isArray(json.components)) {
        say("danger", "导入的文件不是 Form.io 表单（缺少 components）");
        return;
      }
      if (json.title) document.getElementById("form-title").value = json.title;
      var keyInput = document.getElementById("form-key");
      if (keyInput && json.key && !keyInput.value) keyInput.value = json.key;
      load({ display: json.display === "wizard" ? "wizard" : "form", components: json.components }).then(function () {
        say("info", "已导入到设计器，检查后点击“保存为新版本”。");
      });
    });
    input.value = "";
  });

  /** For tests and the console: the key a label would get. */
  window.xyFormDesigner = { keyFromLabel: keyFromLabel };
})();
