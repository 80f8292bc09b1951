// Form.io setup shared by the builder and the renderer: every library from this server, Chinese, no eval.
(function () {
  "use strict";
  var Formio = window.Formio;
  if (!Formio) return;
  var origin = window.location.origin;
  // The API base Form.io would otherwise call (api.form.io) and the CDN it loads libraries from (cdn.form.io).
  Formio.setBaseUrl(origin);
  Formio.setProjectUrl(origin);
  Formio.cdn.setBaseUrl(origin + "/vendor/formio");
  var local = {
    ace: "/vendor/ace",
    flatpickr: "/vendor/flatpickr",
    "flatpickr-formio": "/vendor/flatpickr",
    quill: "/vendor/quill",
    bootstrap: "/vendor/bootstrap",
    bootstrap5: "/vendor/bootstrap",
    "bootstrap-icons": "/vendor/bootstrap-icons",
  };
  Object.keys(local).forEach(function (lib) {
    Formio.cdn.setOverrideUrl(lib, { cdn: origin + local[lib], lib: "", version: "" });
  });
  // The date picker asks for its Chinese texts as <flatpickr base>/l10n/flatpickr-zh-CN.js, a file only Form.io's CDN
  // has (flatpickr ships l10n/zh.js). Form.io loads nothing when window["flatpickr-zh-CN"] exists, and flatpickr takes
  // the locale from its own table: register it there as soon as Form.io has loaded flatpickr.
  var flatpickrZh = {
    weekdays: {
      shorthand: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
      longhand: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    },
    months: {
      shorthand: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
      longhand: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
    },
    rangeSeparator: " 至 ",
    weekAbbreviation: "周",
    scrollTitle: "滚动切换",
    toggleTitle: "点击切换 12/24 小时制",
    time_24hr: true,
  };
  window["flatpickr-zh-CN"] = flatpickrZh;
  var addFlatpickrZh = function (fp) {
    if (fp && fp.l10ns && !fp.l10ns["zh-CN"]) fp.l10ns["zh-CN"] = Object.assign({}, fp.l10ns["default"], flatpickrZh);
  };
  if (window.flatpickr) addFlatpickrZh(window.flatpickr);
  else {
    var flatpickrLib;
    Object.defineProperty(window, "flatpickr", {
      configurable: true,
      enumerable: true,
      get: function () {
        return flatpickrLib;
      },
      set: function (value) {
        flatpickrLib = value;
        addFlatpickrZh(value);
      },
    });
  }

  // Before it shows a date with a time, Form.io fetches moment-timezone's whole zone table from its CDN
  // (<cdn>/moment-timezone/data/packed/latest.json). The platform's dates are Beijing time: load that zone and UTC
  // (packed data of moment-timezone 0.5.48, tz 2025b, the version bundled in formio.full.min.js) and mark the table as
  // loaded, so nothing is fetched. A viewer in another zone sees dates converted by the browser's own clock.
  var moment = Formio.Utils && Formio.Utils.moment;
  if (moment && moment.tz && typeof moment.tz.load === "function" && !moment.zonesLoaded) {
    moment.tz.load({
      version: "2025b",
      zones: [
        "Asia/Shanghai|LMT CST CDT|-85.H -80 -90|012121212121212121212121212121|-2M0U5.H Iuo5.H 18n0 OjB0 Rz0 11d0 1wL0 A10 8HX0 1G10 Tz0 1ip0 1jX0 1cN0 11b0 1oN0 aL0 1tU30 Rb0 1o10 11z0 1qN0 WL0 1qN0 11z0 1o10 11z0 1o10 11z0|23e6",
        "Etc/UTC|UTC|0|0||",
      ],
      links: ["Asia/Shanghai|Asia/Chongqing", "Asia/Shanghai|Asia/Harbin", "Asia/Shanghai|PRC", "Etc/UTC|UTC", "Etc/UTC|Etc/Universal"],
    });
    moment.zonesLoaded = true;
  }

  // Form JavaScript is refused when a form is saved; the renderer never evaluates code either, so the page
  // works under a CSP without 'unsafe-eval' ({{ data.x }} interpolation stays path-only).
  if (Formio.Evaluator) Formio.Evaluator.noeval = true;

  // A refused upload answers { error: { message } } in Chinese; Form.io would show that JSON (or "Unable to upload
  // file" when the network fails) under the file field. Show the message instead.
  var urlStorage = Formio.Providers && Formio.Providers.getProvider("storage", "url");
  if (urlStorage) {
    var uploadMessage = function (response) {
      var text = typeof response === "string" ? response : response && typeof response.response === "string" ? response.response : "";
      try {
        var body = JSON.parse(text);
        var error = body && body.error;
        if (error && error.details && error.details[0] && error.details[0].message) return error.details[0].message;
        if (error && error.message) return error.message;
      } catch (e) {
        /* not our JSON answer */
      }
      if (response && response.type === "abort") return "上传已取消";
      return "上传失败，请检查网络后重试";
    };
    // The CSRF header was put into the component's options when the form was mounted; after logging in again (an
    // expired session) the page has a new token: send the current one.
    var currentToken = function (args) {
      var token = window.xyFormio.csrfToken();
      return Array.prototype.map.call(args, function (arg) {
        if (typeof arg === "string" && arg.charAt(0) === "{" && arg.indexOf("X-CSRF-Token") >= 0) {
          try {
            var parsed = JSON.parse(arg);
            if (parsed && parsed.headers) parsed.headers["X-CSRF-Token"] = token;
            return JSON.stringify(parsed);
          } catch (e) {
            return arg;
          }
        }
        if (arg && typeof arg === "object" && arg.headers && arg.headers["X-CSRF-Token"] !== undefined) {
          return Object.assign({}, arg, { headers: Object.assign({}, arg.headers, { "X-CSRF-Token": token }) });
        }
        return arg;
      });
    };
    var chineseUrlStorage = function (formio) {
      var provider = urlStorage(formio);
      var upload = provider.uploadFile;
      provider.uploadFile = function () {
        return upload.apply(provider, currentToken(arguments)).catch(function (response) {
          throw uploadMessage(response);
        });
      };
      var remove = provider.deleteFile;
      if (remove) {
        provider.deleteFile = function () {
          return remove.apply(provider, currentToken(arguments)).catch(function (response) {
            var message = uploadMessage(response);
            throw message === "上传失败，请检查网络后重试" ? "删除失败，请检查网络后重试" : message;
          });
        };
      }
      return provider;
    };
    chineseUrlStorage.title = urlStorage.title;
    Formio.Providers.addProvider("storage", "url", chineseUrlStorage);
  }

  // File component: sizes in Chinese units, and a refused upload is said once (its Chinese reason above the list) instead
  // of staying in the list as a row with a remove button; the reason goes with the next upload.
  var FileComponent = Formio.Components && Formio.Components.components && Formio.Components.components.file;
  if (FileComponent && FileComponent.prototype) {
    var sizeText = function (bytes) {
      var n = Number(bytes);
      if (!isFinite(n) || n < 0) return "";
      if (n < 1024) return Math.round(n) + " 字节";
      var units = ["KB", "MB", "GB", "TB"];
      var value = n / 1024,
        i = 0;
      while (value >= 1024 && i < units.length - 1) {
        value /= 1024;
        i++;
      }
      return (value >= 100 ? Math.round(value) : Math.round(value * 10) / 10) + " " + units[i];
    };
    FileComponent.prototype.fileSize = sizeText;
    var escapeHtml = function (text) {
      return String(text).replace(/[&<>"']/g, function (ch) {
        return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
      });
    };
    var renderTemplate = FileComponent.prototype.renderTemplate;
    FileComponent.prototype.renderTemplate = function (name) {
      var html = renderTemplate.apply(this, arguments);
      if (name !== "file" || !this.xyRefused || !this.xyRefused.length) return html;
      var items = this.xyRefused
        .map(function (r) {
          return "<li><strong>" + escapeHtml(r.name) + "</strong>：" + escapeHtml(r.message) + "</li>";
        })
        .join("");
      return (
        '<div class="alert alert-danger py-2 px-3 small mb-2" role="alert" data-testid="upload-refused"><p class="mb-1">以下文件未上传：</p><ul class="mb-0">' +
        items +
        "</ul></div>" +
        html
      );
    };
    // Form.io announces the end of a failed upload with a rejected promise nobody waits for (an uncaught error in
    // the page); the refusal is shown above, so mark it handled.
    var emit = FileComponent.prototype.emit;
    FileComponent.prototype.emit = function (event, value) {
      if (event === "fileUploadingEnd" && value && typeof value.catch === "function") value.catch(function () {});
      return emit.apply(this, arguments);
    };
    var syncFiles = FileComponent.prototype.syncFiles;
    FileComponent.prototype.syncFiles = function () {
      var self = this;
      self.xyRefused = [];
      var settle = function () {
        var sync = self.filesToSync || { filesToUpload: [], filesToDelete: [] };
        var refused = (sync.filesToUpload || []).filter(function (f) {
          return f && f.status === "error";
        });
        var failedRemovals = (sync.filesToDelete || []).filter(function (f) {
          return f && f.status === "error";
        });
        self.xyRefused = refused.concat(failedRemovals).map(function (f) {
          return { name: f.originalName || f.name || "", message: self.t(String(f.message || "上传失败")) };
        });
        sync.filesToUpload = (sync.filesToUpload || []).filter(function (f) {
          return refused.indexOf(f) < 0;
        });
        sync.filesToDelete = (sync.filesToDelete || []).filter(function (f) {
          return failedRemovals.indexOf(f) < 0;
        });
        if (self.xyRefused.length && typeof self.redraw === "function") self.redraw();
      };
      var result = syncFiles.apply(this, arguments);
      if (result && typeof result.then === "function") {
        return result.then(
          function (value) {
            settle();
            return value;
          },
          function (err) {
            settle();
            throw err;
          },
        );
      }
      settle();
      return result;
    };
  }

  // The component types and validation messages come from the server (/forms/platform.js, server/forms): one source.
  var platform = window.XY_FORMIO_PLATFORM || { inputTypes: [], layoutTypes: [], errors: {}, jsonLogicOperators: [] };

  // JSONLogic runs only the platform's operators (server/forms/jsonLogic.ts, served in /forms/platform.js; without it,
  // none). Form.io registers lodash functions as operators (_invoke, _method, ...) that call Function with a form's
  // strings, and exposes its json-logic-js instance nowhere; but the dispatch asks operations.hasOwnProperty(op), so
  // one evaluation with a watching hasOwnProperty (put back at once) finds the operations. Everything off the list is
  // removed, `var` reads own properties only, and the dispatch refuses anything off the list from then on.
  var jsonLogicLocked = (function lockJsonLogic() {
    var allowed = platform.jsonLogicOperators || [];
    var hasOwn = Object.prototype.hasOwnProperty;
    var protoKeys = ["__proto__", "constructor", "prototype"];
    var isAllowed = function (name) {
      return allowed.indexOf(name) !== -1;
    };
    var operations = null;
    var descriptor = Object.getOwnPropertyDescriptor(Object.prototype, "hasOwnProperty");
    Object.defineProperty(Object.prototype, "hasOwnProperty", {
      configurable: true,
      enumerable: false,
      writable: true,
      value: function (key) {
        if (!operations && hasOwn.call(this, "missing_some") && hasOwn.call(this, "==")) operations = this;
        return hasOwn.call(this, key);
      },
    });
    try {
      Formio.Utils.checkJsonConditional({ key: "xy-probe" }, { var: "" }, {}, {}, {}, null);
    } catch (e) {
      /* the probe only looks */
    } finally {
      Object.defineProperty(Object.prototype, "hasOwnProperty", descriptor);
    }
    if (!operations) return false;
    Object.keys(operations).forEach(function (name) {
      if (!isAllowed(name)) delete operations[name];
    });
    operations["var"] = function (path, fallback) {
      var notFound = fallback === undefined ? null : fallback;
      var value = this;
      if (path === undefined || path === null || path === "") return value;
      var keys = String(path).split(".");
      for (var i = 0; i < keys.length; i++) {
        if (value === null || value === undefined) return notFound;
        if ((typeof value !== "object" && typeof value !== "string") || protoKeys.indexOf(keys[i]) !== -1) return notFound;
        if (!hasOwn.call(value, keys[i])) return notFound;
        value = value[keys[i]];
        if (value === undefined) return notFound;
      }
      return typeof value === "function" ? notFound : value;
    };
    operations["in"] = function (needle, haystack) {
      if (typeof haystack === "string") return haystack.indexOf(String(needle)) !== -1;
      if (Array.isArray(haystack)) return haystack.indexOf(needle) !== -1;
      return false;
    };
    Object.defineProperty(operations, "hasOwnProperty", {
      value: function (key) {
        return isAllowed(key) && hasOwn.call(this, key);
      },
    });
    return true;
  })();
  if (!jsonLogicLocked) console.error("未能将 Form.io 的 JSONLogic 限制为平台允许的运算符");
  var zh = Object.assign(window.XY_FORMIO_ZH_CN || {}, platform.errors);
  var attrs = window.XY_FORMIO_ZH_CN_ATTRS || {};
  function translateAttributes(rootEl) {
    if (!rootEl || !rootEl.querySelectorAll) return;
    ["aria-label", "title"].forEach(function (name) {
      rootEl.querySelectorAll("[" + name + "]").forEach(function (el) {
        var value = el.getAttribute(name);
        if (Object.prototype.hasOwnProperty.call(attrs, value)) el.setAttribute(name, attrs[value]);
      });
    });
    // Choices.js (select widget) writes its own English remove button.
    rootEl.querySelectorAll(".choices__button").forEach(function (el) {
      if (el.textContent === "Remove item") el.textContent = "删除";
      var label = el.getAttribute("aria-label") || "";
      if (/^Remove item/.test(label)) el.setAttribute("aria-label", label.replace(/^Remove item:?/, "删除"));
    });
  }
  new MutationObserver(function (mutations) {
    mutations.forEach(function (m) {
      m.addedNodes.forEach(function (node) {
        if (node.nodeType === 1) translateAttributes(node.parentNode || node);
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  window.xyFormio = {
    language: "zh-CN",
    /** Whether Form.io's JSONLogic was locked to the platform's operators (server/forms/jsonLogic.ts). */
    jsonLogicLocked: jsonLogicLocked,
    /** Component types the platform accepts: data-holding ones and layout ones (server/forms/definition.ts). */
    inputTypes: platform.inputTypes,
    layoutTypes: platform.layoutTypes,
    i18n: { "zh-CN": zh },
    /** Options for Formio.createForm / Formio.builder: Chinese, no alerts from Form.io's own API. */
    options: function (extra) {
      return Object.assign({ language: "zh-CN", i18n: { language: "zh-CN", "zh-CN": zh }, noeval: true, sanitize: true }, extra || {});
    },
    csrfToken: function () {
      var meta = document.querySelector('meta[name="csrf-token"]');
      return meta ? meta.content : "";
    },
    /** File components store through our upload endpoint and send the session's CSRF header. */
    prepareComponents: function (components) {
      var token = window.xyFormio.csrfToken();
      (function walk(list) {
        (list || []).forEach(function (c) {
          if (!c || typeof c !== "object") return;
          // A multi-select as the Choices widget Form.io bundles (chips, search, remove buttons): the native
          // <select multiple> is a clipped box that needs Ctrl-click, and shows one choice when read-only.
          if (c.type === "select" && c.multiple && c.widget !== "choicesjs") c.widget = "choicesjs";
          if (c.type === "file") {
            c.storage = "url";
            c.url = "/api/uploads";
            c.options = JSON.stringify({ headers: { "X-CSRF-Token": token, Accept: "application/json" } });
          }
          walk(c.components);
          (Array.isArray(c.columns) ? c.columns : []).forEach(function (col) {
            walk(col && col.components);
          });
          (Array.isArray(c.rows) ? c.rows : []).forEach(function (row) {
            (Array.isArray(row) ? row : []).forEach(function (cell) {
              walk(cell && cell.components);
            });
          });
        });
      })(components);
      return components;
    },
  };
})();
