// The reusable form renderer (templates/partials/form-renderer.hbs): mounts a Form.io form from the
// data attributes, checks data shape like the server does, submits as JSON with the CSRF header, shows
// the server's Chinese errors next to the fields, and saves drafts while the person types.
(function () {
  "use strict";
  var PROTO = ["__proto__", "constructor", "prototype"];

  function isObject(v) {
    return typeof v === "object" && v !== null && !Array.isArray(v);
  }
  function label(c) {
    return (c.label && String(c.label).trim()) || c.key;
  }
  function children(c) {
    var out = [].concat(Array.isArray(c.components) ? c.components : []);
    (Array.isArray(c.columns) ? c.columns : []).forEach(function (col) {
      out = out.concat((col && col.components) || []);
    });
    (Array.isArray(c.rows) ? c.rows : []).forEach(function (row) {
      (Array.isArray(row) ? row : []).forEach(function (cell) {
        out = out.concat((cell && cell.components) || []);
      });
    });
    return out;
  }
  var INPUTS = window.xyFormio.inputTypes;
  function choiceValues(c) {
    var list = c.type === "select" ? (c.data && c.data.values) || [] : c.values || [];
    return list.map(function (o) {
      return String(o && o.value);
    });
  }
  function scalarProblem(c, v) {
    var l = label(c);
    switch (c.type) {
      case "textfield":
      case "textarea":
      case "email":
      case "url":
      case "phoneNumber":
      case "signature":
        return typeof v === "string" ? null : l + "必须是文本";
      case "number":
      case "currency":
        return typeof v === "number" && isFinite(v) ? null : l + "必须是数字";
      case "checkbox":
        return typeof v === "boolean" ? null : l + "必须是“是”或“否”（true / false）";
      case "select":
      case "radio":
        if (!(typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && isFinite(v)))) return l + "必须是单个选项值";
        return v === "" || choiceValues(c).indexOf(String(v)) >= 0 ? null : l + "的取值不在可选范围内";
      case "datetime":
        return typeof v === "string" && (v === "" || (/^\d{4}-\d{2}-\d{2}/.test(v) && !isNaN(Date.parse(v)))) ? null : l + "不是有效的日期";
      default:
        return null;
    }
  }
  /** The same shape rules as server/forms/validate.ts (checkTypes): [{ path, message }]. */
  function shapeErrors(components, data, prefix, errors) {
    (components || []).forEach(function (c) {
      if (!c || typeof c !== "object") return;
      var isInput = INPUTS.indexOf(c.type) >= 0 && c.input !== false && typeof c.key === "string";
      if (!isInput) {
        shapeErrors(children(c), data, prefix, errors);
        return;
      }
      var path = prefix ? prefix + "." + c.key : c.key;
      if (!Object.prototype.hasOwnProperty.call(data, c.key)) return;
      var v = data[c.key];
      if (v === null || v === undefined) return;
      var l = label(c),
        p = null;
      if (c.type === "datagrid") {
        if (!Array.isArray(v)) p = l + "必须是表格行的列表";
        else if (!v.every(isObject)) p = l + "的每一行必须是对象";
        else
          v.forEach(function (row, i) {
            shapeErrors(children(c), row, path + "[" + i + "]", errors);
          });
      } else if (c.type === "container") {
        if (!isObject(v)) p = l + "必须是对象";
        else shapeErrors(children(c), v, path, errors);
      } else if (c.type === "selectboxes") {
        if (!isObject(v)) p = l + "必须是选项对象";
        else
          Object.keys(v).forEach(function (k) {
            if (!p && choiceValues(c).indexOf(k) < 0) p = l + "包含不在可选范围内的选项“" + k + "”";
            if (!p && typeof v[k] !== "boolean") p = l + "的每个选项必须是 true 或 false";
          });
      } else if (c.type === "file") {
        if (
          !Array.isArray(v) ||
          !v.every(function (f) {
            return isObject(f) && typeof f.url === "string" && /\/api\/uploads\/[0-9a-f-]{36}$/.test(f.url);
          })
        )
          p = l + "只能引用通过本平台上传的文件";
      } else if (c.multiple) {
        if (!Array.isArray(v)) p = l + "必须是列表";
        else
          v.some(function (x) {
            p = scalarProblem(c, x);
            return p;
          });
      } else {
        p = scalarProblem(c, v);
      }
      if (p) errors.push({ path: path, message: p });
    });
    return errors;
  }
  /** Row limits of data grids, which the renderer does not check (the server does, in checkAfterCore). */
  function rowLimitErrors(components, data, prefix, errors) {
    (components || []).forEach(function (c) {
      if (!c || typeof c !== "object") return;
      var isInput = INPUTS.indexOf(c.type) >= 0 && c.input !== false && typeof c.key === "string";
      if (!isInput) {
        rowLimitErrors(children(c), data, prefix, errors);
        return;
      }
      var path = prefix ? prefix + "." + c.key : c.key;
      var v = data ? data[c.key] : undefined;
      if (c.type === "datagrid" && Array.isArray(v)) {
        var min = Number((c.validate && c.validate.minLength) || 0),
          max = Number((c.validate && c.validate.maxLength) || 0);
        if (min > 0 && v.length < min) errors.push({ path: path, message: label(c) + "至少需要 " + min + " 行" });
        if (max > 0 && v.length > max) errors.push({ path: path, message: label(c) + "最多只能有 " + max + " 行" });
        v.forEach(function (row, i) {
          rowLimitErrors(children(c), row, path + "[" + i + "]", errors);
        });
      } else if (c.type === "container" && isObject(v)) {
        rowLimitErrors(children(c), v, path, errors);
      }
    });
    return errors;
  }

  // Fields bound to the acting subject (docs/forms.md, "Fields bound to the subject"; server/forms/subjectFields.ts):
  // a top-level field with properties.subjectField name/code/type, or keyed subjectName/subjectCode/subjectType.
  var SUBJECT_KEYS = { subjectName: "name", subjectCode: "code", subjectType: "type" };
  var SUBJECT_TYPES = ["textfield", "hidden", "textarea", "select", "radio"];
  function subjectFieldOf(c) {
    var named = c.properties && typeof c.properties === "object" ? c.properties.subjectField : undefined;
    if (typeof named === "string") return ["name", "code", "type"].indexOf(named) >= 0 ? named : null;
    return Object.prototype.hasOwnProperty.call(SUBJECT_KEYS, c.key) ? SUBJECT_KEYS[c.key] : null;
  }
  function subjectBoundComponents(components, out) {
    (components || []).forEach(function (c) {
      if (!c || typeof c !== "object") return;
      var isInput = INPUTS.indexOf(c.type) >= 0 && c.input !== false && typeof c.key === "string";
      if (!isInput) {
        subjectBoundComponents(children(c), out);
        return;
      }
      var field = SUBJECT_TYPES.indexOf(c.type) >= 0 ? subjectFieldOf(c) : null;
      if (field) out.push({ component: c, field: field });
    });
    return out;
  }
  /** The subject's values go into the bound fields, which become read-only (the server refuses other values). */
  function bindSubject(el, components, data) {
    var subject = {
      name: el.getAttribute("data-subject-name") || "",
      code: el.getAttribute("data-subject-code") || "",
      type: el.getAttribute("data-subject-type") || "",
    };
    if (!subject.name && !subject.code) return data;
    var out = Object.assign({}, data);
    subjectBoundComponents(components, []).forEach(function (b) {
      if (!subject[b.field]) return;
      out[b.component.key] = subject[b.field];
      b.component.disabled = true;
      if (!b.component.description) b.component.description = "按承诺主体自动填写，不能修改。";
    });
    return out;
  }

  // What was typed is kept in this browser until the server has saved it as a draft (an expired session, no
  // network): the page restores it from here, and sends it again.
  function localKey(draftUrl) {
    return "xy-draft:" + draftUrl;
  }
  function readLocal(draftUrl) {
    try {
      var entry = JSON.parse(window.localStorage.getItem(localKey(draftUrl)) || "null");
      return entry && isObject(entry.data) ? entry : null;
    } catch (e) {
      return null;
    }
  }
  function writeLocal(draftUrl, data, revision) {
    try {
      window.localStorage.setItem(localKey(draftUrl), JSON.stringify({ data: data, revision: revision, at: Date.now() }));
    } catch (e) {
      /* storage full or disabled: the server draft is all there is */
    }
  }
  function clearLocal(draftUrl) {
    try {
      window.localStorage.removeItem(localKey(draftUrl));
    } catch (e) {
      /* nothing kept */
    }
  }
  function draftStatus(text, kind) {
    var status = document.querySelector('[data-role="draft-status"]');
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("text-danger", kind === "danger");
    status.classList.toggle("text-muted", kind !== "danger");
  }
  function clock() {
    var now = new Date();
    return String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
  }
  /** Whether an answer means the session has expired (window.xySession from session-login.js decides). */
  function expired(status, body) {
    if (!window.xySession) return Promise.resolve(false);
    return window.xySession.expiredAnswer(status, body);
  }

  function unsafeKeys(value) {
    var stack = [[value, "", 0]];
    while (stack.length) {
      var item = stack.pop(),
        v = item[0],
        path = item[1],
        depth = item[2];
      if (typeof v !== "object" || v === null) continue;
      if (depth >= 32) return [{ path: path || "data", message: "数据嵌套不能超过 32 层" }];
      var keys = Object.keys(v);
      for (var i = 0; i < keys.length; i++) {
        var child = path ? path + "." + keys[i] : keys[i];
        if (PROTO.indexOf(keys[i]) >= 0) return [{ path: child, message: "不允许使用键名“" + keys[i] + "”" }];
        stack.push([v[keys[i]], child, depth + 1]);
      }
    }
    return [];
  }

  function showErrors(el, form, message, details) {
    var box = el.querySelector('[data-role="errors"]');
    if (!box) return;
    box.textContent = "";
    if (!message) {
      box.classList.add("d-none");
      return;
    }
    var p = document.createElement("p");
    p.className = "mb-1 fw-semibold";
    p.textContent = message;
    box.appendChild(p);
    if (details && details.length) {
      var ul = document.createElement("ul");
      ul.className = "mb-0";
      details.forEach(function (d) {
        var li = document.createElement("li");
        li.textContent = d.message;
        li.setAttribute("data-path", d.path);
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    box.classList.remove("d-none");
    if (form && details) {
      form.setServerErrors({
        details: details.map(function (d) {
          return { path: d.path.replace(/\[(\d+)\]/g, ".$1"), message: d.message, level: "error" };
        }),
      });
      form.showErrors(form.serverErrors || [], true);
    }
  }

  /**
   * A wizard (display: wizard, one panel a page) gets a progress bar above it: 第 n / m 步, the page's title and every
   * page's title, the current one marked. Form.io's own navigation validates the page before it moves on.
   */
  function wizardProgress(el, form) {
    if (!form || !Array.isArray(form.pages) || !form.pages.length) return;
    var box = document.createElement("div");
    box.className = "xy-wizard-progress mb-3";
    box.setAttribute("data-testid", "wizard-progress");
    var head = document.createElement("div");
    head.className = "d-flex justify-content-between small mb-1";
    var step = document.createElement("span");
    step.className = "fw-semibold";
    step.setAttribute("data-role", "wizard-step");
    var percent = document.createElement("span");
    percent.className = "text-muted";
    head.appendChild(step);
    head.appendChild(percent);
    var bar = document.createElement("div");
    bar.className = "progress";
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-label", "填写进度");
    bar.setAttribute("aria-valuemin", "0");
    var fill = document.createElement("div");
    fill.className = "progress-bar";
    bar.appendChild(fill);
    var titles = document.createElement("ol");
    titles.className = "list-inline small text-muted mt-1 mb-0";
    titles.setAttribute("aria-label", "各步骤");
    box.appendChild(head);
    box.appendChild(bar);
    box.appendChild(titles);
    el.insertBefore(box, el.firstChild);
    var titleOf = function (page, i) {
      var c = (page && page.component) || {};
      return String(c.title || c.label || "第 " + (i + 1) + " 步").replace(/<[^>]*>/g, "");
    };
    var update = function () {
      var pages = form.pages || [];
      var index = Math.max(0, Math.min(Number(form.page) || 0, pages.length - 1));
      var ratio = pages.length ? Math.round(((index + 1) / pages.length) * 100) : 0;
      step.textContent = "第 " + (index + 1) + " / " + pages.length + " 步：" + titleOf(pages[index], index);
      percent.textContent = ratio + "%";
      fill.style.width = ratio + "%";
      bar.setAttribute("aria-valuemax", String(pages.length));
      bar.setAttribute("aria-valuenow", String(index + 1));
      bar.setAttribute("aria-valuetext", step.textContent);
      titles.textContent = "";
      pages.forEach(function (page, i) {
        var li = document.createElement("li");
        li.className = "list-inline-item" + (i === index ? " fw-semibold text-primary" : "");
        if (i === index) li.setAttribute("aria-current", "step");
        li.textContent = i + 1 + ". " + titleOf(page, i);
        titles.appendChild(li);
      });
    };
    ["wizardPageSelected", "nextPage", "prevPage", "render", "change"].forEach(function (name) {
      form.on(name, function () {
        setTimeout(update, 0);
      });
    });
    update();
  }

  function verdictEvent(el, detail) {
    el.dispatchEvent(new CustomEvent("xy:verdict", { detail: detail, bubbles: true }));
  }

  function post(url, data, again) {
    return window
      .xyFetch(url, { method: "POST", body: { data: data } })
      .then(function (res) {
        return res.json().then(
          function (body) {
            return { status: res.status, body: body };
          },
          function () {
            return { status: res.status, body: {} };
          },
        );
      })
      .then(function (answer) {
        if (answer.status < 400 || again) return answer;
        return expired(answer.status, answer.body).then(function (isExpired) {
          if (!isExpired) return answer;
          draftStatus("登录已过期，请重新登录；填写的内容已保存在本机，登录后继续", "danger");
          return window.xySession.relogin().then(function () {
            return post(url, data, true);
          });
        });
      });
  }

  function mount(el) {
    if (el.xyMounted) return el.xyMounted;
    var target = el.querySelector('[data-role="form"]');
    var readOnly = el.getAttribute("data-read-only") === "true";
    var submitUrl = el.getAttribute("data-submit-url") || "";
    var validateUrl = el.getAttribute("data-validate-url") || "";
    var draftUrl = el.getAttribute("data-draft-url") || "";
    var redirect = el.getAttribute("data-redirect") || "";
    var initial = {};
    try {
      initial = JSON.parse(el.getAttribute("data-submission") || "{}") || {};
    } catch (e) {
      initial = {};
    }

    el.xyMounted = window
      .xyFetch(el.getAttribute("data-form-url"))
      .then(function (res) {
        if (!res.ok) throw new Error("表单加载失败（" + res.status + "）");
        return res.json();
      })
      .then(function (body) {
        var definition = body.data.definition;
        el.xyDefinition = definition;
        el.xyRevision = body.data.revision;
        window.xyFormio.prepareComponents(definition.components);
        var local = draftUrl && !readOnly ? readLocal(draftUrl) : null;
        if (local) initial = local.data;
        if (!readOnly) initial = bindSubject(el, definition.components, initial);
        el.xyRestoredLocally = !!local;
        target.textContent = "";
        return window.Formio.createForm(target, definition, window.xyFormio.options({ readOnly: readOnly, noAlerts: true, hooks: {} }));
      })
      .then(function (form) {
        el.xyForm = form;
        form.nosubmit = true;
        if (el.xyDefinition.display === "wizard") wizardProgress(el, form);
        var problems = shapeErrors(el.xyDefinition.components, initial, "", []);
        return form.setSubmission({ data: problems.length ? {} : initial }).then(function () {
          if (problems.length) showErrors(el, null, "已保存的数据与表单不符，请重新填写", problems);
          wire(el, form, { submitUrl: submitUrl, validateUrl: validateUrl, draftUrl: draftUrl, redirect: redirect, readOnly: readOnly });
          el.dispatchEvent(new CustomEvent("xy:form-ready", { bubbles: true }));
          return form;
        });
      })
      .catch(function (err) {
        target.textContent = "";
        var alert = document.createElement("div");
        alert.className = "alert alert-danger";
        alert.textContent = (err && err.message) || "表单加载失败，请刷新页面重试";
        target.appendChild(alert);
        throw err;
      });
    return el.xyMounted;
  }

  function wire(el, form, opts) {
    if (opts.readOnly) return;
    var url = opts.submitUrl || opts.validateUrl;
    // Errors the server returned stay attached to Form.io components and would block the next submit even
    // after the person fixed the value (e.g. switched from 退回补正 to 通过): clear them on change and re-run
    // the field logic, so a field made required by one choice is optional again after another.
    form.on("change", function () {
      if (form.serverErrors && form.serverErrors.length && typeof form.clearServerErrors === "function") form.clearServerErrors();
      setTimeout(function () {
        if (form.checkConditions) form.checkConditions(form.data);
      }, 0);
    });
    form.on("submit", function (submission) {
      showErrors(el, form, "");
      var limits = rowLimitErrors(el.xyDefinition.components, submission.data, "", []);
      if (limits.length) {
        form.emit("submitError", limits);
        showErrors(el, form, "提交的内容有误，请按提示修改", limits);
        return;
      }
      if (!url) {
        form.emit("submitDone", submission);
        return;
      }
      post(url, submission.data).then(
        function (res) {
          if (res.status >= 200 && res.status < 300) {
            if (opts.draftUrl) clearLocal(opts.draftUrl);
            form.emit("submitDone", submission);
            verdictEvent(el, { ok: true, data: res.body.data, status: res.status });
            if (opts.redirect) window.location.assign(opts.redirect);
            else if (res.body && res.body.redirect) window.location.assign(res.body.redirect);
          } else {
            var error = (res.body && res.body.error) || { message: "提交失败（" + res.status + "）", details: [] };
            form.emit("submitError", error);
            showErrors(el, form, error.message, error.details);
            verdictEvent(el, { ok: false, error: error, status: res.status });
          }
        },
        function () {
          form.emit("submitError", "network");
          showErrors(el, form, "网络连接失败，请稍后重试");
        },
      );
    });
    if (opts.draftUrl) {
      var timer = null;
      var saving = false;
      var again = false;
      // Tell the page what happened to the draft (portal.js shows it): saved, or not saved.
      var settled = function (ok) {
        el.dispatchEvent(new CustomEvent(ok ? "xy:draft-saved" : "xy:draft-failed", { bubbles: true }));
      };
      var save = function () {
        if (saving) {
          again = true;
          return;
        }
        saving = true;
        var data = form.submission.data;
        // Kept in this browser first: the copy goes when the server has the draft.
        writeLocal(opts.draftUrl, data, el.xyRevision);
        var done = function () {
          saving = false;
          if (again) {
            again = false;
            save();
          }
        };
        window.xyFetch(opts.draftUrl, { method: "PUT", body: { data: data, revision: el.xyRevision } }).then(
          function (res) {
            if (res.ok) {
              // Read to the end: the answer is complete before the page says saved (and may navigate away).
              return res.text().then(
                function () {
                  var current = readLocal(opts.draftUrl);
                  if (current && JSON.stringify(current.data) === JSON.stringify(data)) clearLocal(opts.draftUrl);
                  settled(true);
                  done();
                },
                function () {
                  settled(false);
                  done();
                },
              );
            }
            res
              .json()
              .catch(function () {
                return {};
              })
              .then(function (body) {
                return expired(res.status, body);
              })
              .then(function (isExpired) {
                if (!isExpired) {
                  // The server answered and refused the content (not lost, not expired): nothing to send again.
                  if (res.status >= 400 && res.status < 500) clearLocal(opts.draftUrl);
                  settled(false);
                  return done();
                }
                draftStatus("登录已过期（" + clock() + "），填写的内容已保存在本机；请重新登录后继续", "danger");
                el.dispatchEvent(new CustomEvent("xy:session-expired", { bubbles: true }));
                window.xySession.relogin().then(function () {
                  draftStatus("已重新登录，正在保存草稿……");
                  saving = false;
                  save();
                });
              });
          },
          function () {
            settled(false);
            done();
          },
        );
      };
      form.on("change", function (event) {
        if (!event || !event.changed) return;
        clearTimeout(timer);
        timer = setTimeout(save, 1500);
      });
      // A copy this browser kept (the server had not taken it): say so and send it now.
      if (el.xyRestoredLocally) {
        draftStatus("已恢复本机保存的填写内容，正在保存草稿……");
        setTimeout(save, 0);
      }
    }
  }

  /**
   * What the browser says about data without sending it: the server's shape rules, then the real
   * Form.io renderer's validation. Resolves { ok, data } or { ok: false, details }.
   */
  function clientVerdict(el, data) {
    return mount(el).then(function (form) {
      var early = unsafeKeys(data);
      if (!early.length && !isObject(data)) early = [{ path: "data", message: "提交的数据必须是 JSON 对象" }];
      if (!early.length) early = shapeErrors(el.xyDefinition.components, data, "", []);
      if (early.length) return { ok: false, details: early };
      return form
        .setSubmission({ data: JSON.parse(JSON.stringify(data)) })
        .then(function () {
          // Let conditions settle on the new data before validating, as they would while a person types.
          return new Promise(function (resolve) {
            setTimeout(resolve, 0);
          });
        })
        .then(function () {
          if (form.checkConditions) form.checkConditions(form.data);
          var errors = (form.validate(form.submission.data, { dirty: true, silentCheck: false, process: "submit" }) || []).map(
            function (e) {
              return { path: (e.context && e.context.path) || (e.path || []).join("."), message: e.message };
            },
          );
          errors = errors.concat(rowLimitErrors(el.xyDefinition.components, form.submission.data, "", []));
          if (errors.length) return { ok: false, details: errors };
          return { ok: true, data: JSON.parse(JSON.stringify(form.submission.data)) };
        });
    });
  }

  window.xyFormRenderer = { mount: mount, clientVerdict: clientVerdict, shapeErrors: shapeErrors };
  document.querySelectorAll("[data-form-renderer]").forEach(function (el) {
    mount(el).catch(function () {});
  });

  // The preview page shows the server's verdict beside the form.
  document.addEventListener("xy:verdict", function (event) {
    var box = document.querySelector('[data-role="server-verdict"]');
    if (!box) return;
    var d = event.detail;
    box.textContent = "";
    var head = document.createElement("p");
    head.className = d.ok ? "text-success fw-semibold" : "text-danger fw-semibold";
    head.textContent = d.ok ? "服务器校验通过" : "服务器校验未通过：" + d.error.message;
    box.appendChild(head);
    if (d.ok) {
      var pre = document.createElement("pre");
      pre.className = "small bg-light p-2 mb-0";
      pre.textContent = JSON.stringify(d.data, null, 2);
      box.appendChild(pre);
    } else {
      var ul = document.createElement("ul");
      (d.error.details || []).forEach(function (x) {
        var li = document.createElement("li");
        li.textContent = x.path + "：" + x.message;
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
  });
})();
