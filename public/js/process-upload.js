// Uploads a .bpmn file from /admin/processes. The request goes through xyFetch with FormData: the CSRF token
// travels in the X-CSRF-Token header, because the CSRF check runs before the server parses a multipart body.
// On refusal the form keeps the chosen file, so the person can fix it in the modeler and upload again.
(function () {
  "use strict";
  var form = document.getElementById("process-upload");
  var result = document.getElementById("upload-result");
  if (!form || !result) return;
  var fileInput = form.querySelector('input[type="file"]');
  var button = form.querySelector('button[type="submit"]');

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function problemList(items, className) {
    var list = el("ul", "mb-0 " + (className || ""));
    items.forEach(function (p) {
      var li = el("li");
      // The runtime's messages name their element already; add the id only when one does not.
      if (p.element && String(p.message).indexOf(p.element) === -1) {
        li.appendChild(el("span", "problem-element badge text-bg-light border me-1", p.element));
      }
      li.appendChild(document.createTextNode(p.message));
      list.appendChild(li);
    });
    return list;
  }

  // Modeling-style findings (labels, diagram information) can be many: folded, with their count.
  function warningDetails(warnings, summaryText) {
    var details = el("details", "mt-2 small");
    details.appendChild(el("summary", null, summaryText));
    details.appendChild(problemList(warnings, "mt-1"));
    return details;
  }

  function show(kind, title, fileName, build) {
    result.innerHTML = "";
    var box = el("div", "alert alert-" + kind);
    box.setAttribute("role", kind === "danger" ? "alert" : "status");
    box.appendChild(el("div", "fw-semibold", title));
    if (fileName && title.indexOf(fileName) === -1) box.appendChild(el("div", "small text-muted mb-1", "文件：" + fileName));
    if (build) build(box);
    result.appendChild(box);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = fileInput && fileInput.files && fileInput.files[0];
    if (!file) {
      show("warning", "请选择要上传的 .bpmn 文件");
      return;
    }
    var fileName = file.name;
    button.disabled = true;
    show("info", "正在上传并校验…", fileName);
    window
      .xyFetch(form.getAttribute("action"), { method: "POST", body: new FormData(form) })
      .then(function (res) {
        return res
          .json()
          .catch(function () {
            return { error: { message: "服务器返回了无法识别的内容（HTTP " + res.status + "）" } };
          })
          .then(function (body) {
            return { ok: res.ok, status: res.status, body: body };
          });
      })
      .then(function (answer) {
        var body = answer.body || {};
        if (answer.ok) {
          show("success", "部署成功", fileName, function (box) {
            var list = el("ul", "mb-1");
            (body.definitions || []).forEach(function (d) {
              var li = el("li");
              var a = el("a", null, (d.name || d.key) + "（" + d.key + "）版本 " + d.version);
              a.href = d.href;
              li.appendChild(a);
              list.appendChild(li);
            });
            if (!(body.definitions || []).length) list.appendChild(el("li", null, "内容与已部署的版本相同，没有生成新版本。"));
            box.appendChild(list);
            if ((body.warnings || []).length)
              box.appendChild(warningDetails(body.warnings, body.warnings.length + " 条提示（不影响部署）"));
            var reload = el("a", "btn btn-sm btn-outline-success mt-2", "刷新列表");
            reload.href = window.location.pathname;
            box.appendChild(reload);
          });
          return;
        }
        var error = body.error || {};
        show("danger", error.message || "部署失败（HTTP " + answer.status + "）", fileName, function (box) {
          var details = (error.details || []).filter(function (d) {
            return d && d.message;
          });
          if (details.length) {
            box.appendChild(el("div", "mt-1", "请在建模工具中修正以下问题后重新上传："));
            box.appendChild(problemList(details));
          }
          if ((body.warnings || []).length)
            box.appendChild(warningDetails(body.warnings, "另有 " + body.warnings.length + " 条提示（不阻止部署）"));
        });
      })
      .catch(function () {
        show("danger", "网络错误，文件没有上传，请检查网络后重试。", fileName);
      })
      .then(function () {
        button.disabled = false;
      });
  });
})();
