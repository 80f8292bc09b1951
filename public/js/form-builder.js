// The form designer page (templates/forms/builder.hbs): the Form.io builder in Chinese with only the
// components the server accepts, save as a new revision, publish a revision, import and export JSON.
(function () {
  "use strict";
  var root = document.getElementById("form-designer");
  if (!root || !window.Formio) return;
  var status = root.querySelector('[data-role="designer-status"]');
  var isNew = root.getAttribute("data-is-new") === "1";
  var formKey = root.getAttribute("data-form-key");
  var builder = null;

  function say(kind, message, details) {
    status.className = "alert alert-" + kind;
    status.textContent = "";
    var p = document.createElement("p");
    p.className = "mb-0";
    p.textContent = message;
    status.appendChild(p);
    if (details && details.length) {
      var ul = document.createElement("ul");
      ul.className = "mb-0 mt-2";
      details.forEach(function (d) {
        var li = document.createElement("li");
        li.textContent = d.message;
        ul.appendChild(li);
      });
      status.appendChild(ul);
    }
  }

  // Sections of the component settings where Form.io would take JavaScript: hidden, the server refuses them.
  var NO_JS = [
    {
      key: "data",
      components: [
        { key: "customDefaultValuePanel", ignore: true },
        { key: "calculateValuePanel", ignore: true },
        { key: "calculateServer", ignore: true },
        { key: "allowCalculateOverride", ignore: true },
        { key: "dataSrc", ignore: false },
      ],
    },
    {
      key: "validation",
      components: [
        { key: "custom-validation-js", ignore: true },
        { key: "unique", ignore: false },
      ],
    },
    { key: "conditional", components: [{ key: "customConditionalPanel", ignore: true }] },
  ];
  var TYPES = window.xyFormio.inputTypes.concat(window.xyFormio.layoutTypes);
  var editForm = {};
  TYPES.forEach(function (t) {
    editForm[t] = NO_JS;
  });

  function only(names) {
    var out = {};
    names.forEach(function (n) {
      out[n] = true;
    });
    return out;
  }
  var builderOptions = window.xyFormio.options({
    noDefaultSubmitButton: false,
    editForm: editForm,
    builder: {
      basic: {
        default: true,
        weight: 0,
        components: Object.assign(
          { password: false },
          only(["textfield", "textarea", "number", "checkbox", "selectboxes", "select", "radio", "button"]),
        ),
      },
      advanced: {
        weight: 10,
        components: Object.assign(
          { address: false, tags: false, survey: false, currency: true },
          only(["email", "url", "phoneNumber", "datetime", "day", "time", "signature"]),
        ),
      },
      layout: {
        weight: 20,
        components: Object.assign({}, only(["panel", "columns", "fieldset", "well", "table", "tabs", "content", "htmlelement"])),
      },
      data: { weight: 30, components: Object.assign({ datamap: false, editgrid: false }, only(["hidden", "container", "datagrid"])) },
      premium: {
        weight: 40,
        components: Object.assign({ form: false, resource: false, recaptcha: false, nestedform: false, custom: false }, only(["file"])),
      },
      resource: false,
    },
  });

  function currentDefinition() {
    var form = builder ? builder.form : { components: [] };
    return { display: "form", components: form.components || [] };
  }

  function load(definition) {
    var target = document.getElementById("builder");
    target.textContent = "";
    return window.Formio.builder(target, definition, builderOptions).then(function (b) {
      builder = b;
      root.setAttribute("data-ready", "1");
      return b;
    });
  }

  var formUrl = root.getAttribute("data-form-url");
  var start = formUrl
    ? window
        .xyFetch(formUrl)
        .then(function (res) {
          return res.json();
        })
        .then(function (body) {
          return body.data.definition;
        })
    : Promise.resolve({ display: "form", components: [] });
  start.then(load).catch(function () {
    say("danger", "表单设计器加载失败，请刷新页面重试");
  });

  function saveForm() {
    var title = document.getElementById("form-title").value.trim();
    var body = Object.assign(currentDefinition(), { title: title });
    var url = "/api/forms/" + encodeURIComponent(formKey || "");
    var method = "PUT";
    if (isNew) {
      body.key = document.getElementById("form-key").value.trim();
      var dep = document.getElementById("form-department");
      if (dep && dep.value) body.department = dep.value;
      url = "/api/forms";
      method = "POST";
    }
    say("info", "正在保存……");
    return window.xyFetch(url, { method: method, body: body }).then(
      function (res) {
        return res.json().then(function (json) {
          if (res.ok) {
            say("success", "已保存为第 " + json.data.revision + " 版。发布后，新的申请才会使用这一版。");
            window.location.assign("/admin/forms/" + encodeURIComponent(json.data.formKey) + "?revision=" + json.data.revision);
          } else {
            say("danger", (json.error && json.error.message) || "保存失败", json.error && json.error.details);
          }
        });
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
          else say("danger", (json.error && json.error.message) || "发布失败");
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
      load({ display: "form", components: json.components }).then(function () {
        say("info", "已导入到设计器，检查后点击“保存为新版本”。");
      });
    });
    input.value = "";
  });
})();
