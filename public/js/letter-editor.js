// The 信用承诺书 template editor on the item page: Quill (BSD-3-Clause, served from node_modules under /vendor/quill)
// edits the letter as rich text, a picker inserts placeholders ({{subject.name}}, {{data.<field of the item's form>}}),
// and a preview renders the template with sample data on the server (the same renderer and sanitizer as a signed
// letter). The <textarea name="letterTemplate"> stays the field that is submitted; 源代码 edits it directly.
(function () {
  "use strict";
  var root = document.querySelector("[data-letter-editor]");
  var textarea = document.getElementById("letterTemplate");
  if (!root || !textarea) return;
  var rich = root.querySelector("[data-letter-rich]");
  var notice = root.querySelector("[data-letter-notice]");
  var picker = root.querySelector("[data-letter-placeholder]");
  var insertButton = root.querySelector("[data-letter-insert]");
  var preview = root.querySelector("[data-letter-preview]");
  var previewState = root.querySelector("[data-letter-preview-state]");
  var problemsBox = root.querySelector("[data-letter-problems]");
  var formKeySelect = document.getElementById("formKey");
  var nameInput = document.getElementById("name");
  var departmentSelect = document.getElementById("departmentCode");

  root.querySelector("[data-letter-picker-card]").classList.remove("d-none");
  root.querySelector("[data-letter-preview-card]").classList.remove("d-none");

  var quill = null;
  // Which side was edited last: the rich editor writes the source on every change; typing in the source re-reads it.
  var richUsable = false;

  function show(el, on) {
    el.classList.toggle("d-none", !on);
  }

  // What Quill cannot keep as written (tables, #if / #each blocks between tags) is edited as source only.
  function needsSource(html) {
    return /<table|\{\{[#^/]/i.test(html);
  }

  function richHtml() {
    if (quill.getLength() <= 1) return "";
    return quill.getSemanticHTML().replace(/&nbsp;/g, " ");
  }

  // The source without what may run (scripts, event handlers, frames): the rich editor only ever gets this. An inert
  // document parses it, so nothing in it runs; the server sanitizes whatever is saved in any case.
  function inert(html) {
    // Event handler attributes go before parsing: the page's CSP would report each one the parser meets.
    var text = html.replace(/(<[^>]*?)\son[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, "$1");
    while (text !== html) {
      html = text;
      text = html.replace(/(<[^>]*?)\son[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, "$1");
    }
    var doc = new DOMParser().parseFromString("<body>" + text + "</body>", "text/html");
    doc.body.querySelectorAll("script, style, iframe, object, embed, link, meta, form, img, svg, math").forEach(function (el) {
      el.remove();
    });
    doc.body.querySelectorAll("*").forEach(function (el) {
      Array.prototype.slice.call(el.attributes).forEach(function (attr) {
        if (/^on/i.test(attr.name) || (attr.name === "href" && !/^(https?:|mailto:|#|\/)/i.test(attr.value.trim())))
          el.removeAttribute(attr.name);
      });
    });
    return doc.body.innerHTML;
  }

  // The source into the rich editor (silently: the source stays exactly as written until the rich side is edited).
  function sourceToRich() {
    if (!quill) return;
    richUsable = !needsSource(textarea.value);
    quill.enable(richUsable);
    show(notice, !richUsable);
    if (!richUsable) {
      notice.textContent = "此模板含表格或条件 / 循环块（{{#if}}、{{#each}}），富文本编辑会改动其结构：请在下方源代码中修改。";
      return;
    }
    quill.setContents([], "silent");
    quill.clipboard.dangerouslyPasteHTML(0, inert(textarea.value || ""), "silent");
  }

  if (window.Quill) {
    quill = new window.Quill(root.querySelector("[data-letter-quill]"), {
      theme: "snow",
      modules: { toolbar: root.querySelector("[data-letter-toolbar]") },
      placeholder: "在此编写承诺内容，可从右侧插入承诺人、申请表字段等占位符",
    });
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    quill.root.setAttribute("aria-label", "承诺书正文（富文本编辑）");
    quill.root.setAttribute("aria-describedby", "letterTemplateHeading");
    quill.on("text-change", function (_delta, _old, source) {
      if (source === "silent" || !richUsable) return;
      textarea.value = richHtml();
      schedulePreview();
    });
    show(rich, true);
    textarea.rows = 4;
    sourceToRich();
  }

  textarea.addEventListener("input", function () {
    sourceToRich();
    schedulePreview();
  });

  // The picker: the 承诺人, the 承诺书 and the fields of the form chosen above.
  function loadPlaceholders() {
    var url = root.getAttribute("data-placeholders-url") + "?formKey=" + encodeURIComponent(formKeySelect ? formKeySelect.value : "");
    window
      .xyFetch(url)
      .then(function (res) {
        return res.ok ? res.json() : Promise.reject(new Error(String(res.status)));
      })
      .then(function (body) {
        picker.innerHTML = "";
        var first = document.createElement("option");
        first.value = "";
        first.textContent = "选择占位符";
        picker.appendChild(first);
        body.data.groups.forEach(function (group) {
          var og = document.createElement("optgroup");
          og.label = group.group;
          if (!group.items.length) {
            var none = document.createElement("option");
            none.disabled = true;
            none.textContent = "（所选申请表没有可用字段）";
            og.appendChild(none);
          }
          group.items.forEach(function (item) {
            var o = document.createElement("option");
            o.value = item.token;
            o.textContent = item.label + "  " + item.token;
            og.appendChild(o);
          });
          picker.appendChild(og);
        });
        schedulePreview();
      })
      .catch(function () {
        picker.innerHTML = '<option value="">读取占位符失败，请刷新页面重试</option>';
      });
  }

  function insertPlaceholder(token) {
    if (!token) return;
    if (quill && richUsable && lastFocus !== "source") {
      var range = quill.getSelection(true) || { index: Math.max(0, quill.getLength() - 1), length: 0 };
      quill.deleteText(range.index, range.length, "user");
      quill.insertText(range.index, token, "user");
      quill.setSelection(range.index + token.length, 0, "user");
    } else {
      var start = textarea.selectionStart || 0;
      var end = textarea.selectionEnd || start;
      textarea.value = textarea.value.slice(0, start) + token + textarea.value.slice(end);
      textarea.focus();
      textarea.setSelectionRange(start + token.length, start + token.length);
      sourceToRich();
      schedulePreview();
    }
  }

  var lastFocus = "rich";
  textarea.addEventListener("focus", function () {
    lastFocus = "source";
  });
  if (quill)
    quill.on("selection-change", function (range) {
      if (range) lastFocus = "rich";
    });

  insertButton.addEventListener("click", function () {
    insertPlaceholder(picker.value);
    picker.value = "";
  });
  if (formKeySelect) formKeySelect.addEventListener("change", loadPlaceholders);
  if (nameInput) nameInput.addEventListener("input", schedulePreview);

  // The live preview, a moment after the last change.
  var timer = null;
  var sequence = 0;
  function schedulePreview() {
    if (timer) clearTimeout(timer);
    previewState.textContent = "更新中……";
    timer = setTimeout(renderPreview, 400);
  }

  function renderPreview() {
    var mine = ++sequence;
    var template = textarea.value;
    window
      .xyFetch(root.getAttribute("data-preview-url"), {
        method: "POST",
        body: {
          letterTemplate: template,
          formKey: formKeySelect ? formKeySelect.value : undefined,
          itemName: nameInput ? nameInput.value : undefined,
          departmentCode: departmentSelect ? departmentSelect.value : undefined,
        },
      })
      .then(function (res) {
        return res.json().then(function (body) {
          return { ok: res.ok, body: body };
        });
      })
      .then(function (answer) {
        if (mine !== sequence) return;
        var problems = answer.ok ? answer.body.data.problems : (answer.body.error && answer.body.error.details) || [];
        if (!answer.ok && !problems.length) problems = [{ message: (answer.body.error && answer.body.error.message) || "无法预览" }];
        problemsBox.textContent = "";
        problems.forEach(function (p) {
          var line = document.createElement("div");
          line.textContent = p.message;
          problemsBox.appendChild(line);
        });
        show(problemsBox, problems.length > 0);
        // Sanitized on the server by the renderer of signed letters.
        if (answer.ok) preview.innerHTML = answer.body.data.html;
        previewState.textContent = answer.ok ? "已更新" : "模板有误";
      })
      .catch(function () {
        if (mine === sequence) previewState.textContent = "预览失败，请检查网络";
      });
  }

  loadPlaceholders();
})();
