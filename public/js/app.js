// Page behaviour shared by every screen (no inline scripts: the CSP allows only this origin's files).
(function () {
  "use strict";
  // Confirm before destructive actions: <form data-confirm="确定要删除吗？">
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-action]") : null;
    if (!target) return;
    if (target.getAttribute("data-action") === "back") history.back();
    if (target.getAttribute("data-action") === "print") window.print();
  });
  // fetch() wrapper for JSON calls from pages: sends the CSRF token of this session.
  window.xyFetch = function (url, options) {
    options = options || {};
    var meta = document.querySelector('meta[name="csrf-token"]');
    var headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    if (meta && meta.content) headers["X-CSRF-Token"] = meta.content;
    if (options.body && typeof options.body !== "string" && !(options.body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(options.body);
    }
    return fetch(url, Object.assign({}, options, { headers: headers, credentials: "same-origin" }));
  };
})();
