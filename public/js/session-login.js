// Logging in again in place when the session has expired (form pages and the letter to sign): a dialog with the
// login form, posted to /login with fetch, so the page and what was typed stay. After the login the page takes the
// new session's CSRF token, and whoever asked (the draft autosave, the signature) carries on.
(function () {
  "use strict";
  var pending = null;

  function parseHtml(text) {
    return new DOMParser().parseFromString(text, "text/html");
  }

  /** The page's forms and scripts send the new session's token from now on. */
  function useToken(token) {
    if (!token) return;
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (!meta) {
      meta = document.createElement("meta");
      meta.name = "csrf-token";
      document.head.appendChild(meta);
    }
    meta.content = token;
    document.querySelectorAll('input[name="_csrf"]').forEach(function (input) {
      input.value = token;
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    if (text) node.textContent = text;
    return node;
  }

  function buildDialog() {
    var modal = el("div", { class: "modal fade", tabindex: "-1", "aria-labelledby": "xy-relogin-title", "data-testid": "relogin-dialog" });
    modal.setAttribute("data-bs-backdrop", "static");
    var dialog = el("div", { class: "modal-dialog modal-dialog-centered" });
    var content = el("form", { class: "modal-content", novalidate: "" });
    var header = el("div", { class: "modal-header" });
    header.appendChild(el("h2", { class: "modal-title h5", id: "xy-relogin-title" }, "登录已过期，请重新登录"));
    var body = el("div", { class: "modal-body" });
    body.appendChild(
      el(
        "p",
        { class: "small text-muted" },
        "为了账号安全，长时间未操作后需要重新登录。您已填写的内容保存在本机，登录后会继续保存并提交，不会丢失。",
      ),
    );
    var error = el("div", { class: "alert alert-danger d-none", role: "alert", "data-role": "relogin-error" });
    body.appendChild(error);
    var user = el("div", { class: "mb-3" });
    user.appendChild(el("label", { class: "form-label", for: "xy-relogin-username" }, "用户名"));
    user.appendChild(
      el("input", {
        class: "form-control",
        id: "xy-relogin-username",
        name: "username",
        autocomplete: "username",
        required: "",
        maxlength: "64",
      }),
    );
    var pass = el("div", { class: "mb-1" });
    pass.appendChild(el("label", { class: "form-label", for: "xy-relogin-password" }, "密码"));
    pass.appendChild(
      el("input", {
        class: "form-control",
        id: "xy-relogin-password",
        name: "password",
        type: "password",
        autocomplete: "current-password",
        required: "",
        maxlength: "128",
      }),
    );
    body.appendChild(user);
    body.appendChild(pass);
    var footer = el("div", { class: "modal-footer" });
    var leave = el(
      "a",
      { class: "btn btn-link", href: "/login?next=" + encodeURIComponent(location.pathname + location.search) },
      "前往登录页",
    );
    var submit = el("button", { class: "btn btn-primary", type: "submit" }, "登录并继续");
    footer.appendChild(leave);
    footer.appendChild(submit);
    content.appendChild(header);
    content.appendChild(body);
    content.appendChild(footer);
    dialog.appendChild(content);
    modal.appendChild(dialog);
    document.body.appendChild(modal);
    return { modal: modal, form: content, error: error, submit: submit };
  }

  function showDialog(parts) {
    if (window.bootstrap && window.bootstrap.Modal) {
      var instance = window.bootstrap.Modal.getOrCreateInstance(parts.modal);
      instance.show();
      return function () {
        instance.hide();
      };
    }
    parts.modal.classList.add("show", "d-block");
    return function () {
      parts.modal.classList.remove("show", "d-block");
    };
  }

  /** Logs in with the dialog's form: resolves with the new token, rejects with the login page's Chinese message. */
  function login(username, password) {
    var next = location.pathname + location.search;
    return fetch("/login?next=" + encodeURIComponent(next), { credentials: "same-origin" })
      .then(function (res) {
        return res.text();
      })
      .then(function (html) {
        var doc = parseHtml(html);
        var loginToken = doc.querySelector('input[name="_csrf"]');
        // Still logged in (another tab logged in again): /login went on to the page itself.
        var pageToken = doc.querySelector('meta[name="csrf-token"]');
        if (!loginToken && pageToken && pageToken.content) return { token: pageToken.content };
        var body = new URLSearchParams();
        body.set("_csrf", loginToken ? loginToken.value : "");
        body.set("next", next);
        body.set("username", username);
        body.set("password", password);
        return fetch("/login", {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: body.toString(),
        }).then(function (res) {
          return res.text().then(function (text) {
            var page = parseHtml(text);
            var meta = page.querySelector('meta[name="csrf-token"]');
            if (res.ok && meta && meta.content) return { token: meta.content };
            var message = page.querySelector('[data-testid="login-error"]');
            throw new Error((message && message.textContent.trim()) || "登录失败，请稍后重试");
          });
        });
      });
  }

  /**
   * Shows the login dialog (once, however many callers ask) and resolves when the person has logged in again; the
   * page's CSRF token is then the new session's.
   */
  function relogin() {
    if (pending) return pending;
    pending = new Promise(function (resolve) {
      var parts = buildDialog();
      var hide = showDialog(parts);
      var name = parts.form.querySelector('[name="username"]');
      setTimeout(function () {
        name.focus();
      }, 300);
      parts.form.addEventListener("submit", function (event) {
        event.preventDefault();
        var username = name.value.trim();
        var password = parts.form.querySelector('[name="password"]').value;
        if (!username || !password) {
          parts.error.textContent = "请输入用户名和密码";
          parts.error.classList.remove("d-none");
          return;
        }
        parts.submit.disabled = true;
        parts.error.classList.add("d-none");
        login(username, password).then(
          function (result) {
            useToken(result.token);
            hide();
            setTimeout(function () {
              parts.modal.remove();
            }, 500);
            pending = null;
            document.dispatchEvent(new CustomEvent("xy:logged-in-again"));
            resolve(result.token);
          },
          function (err) {
            parts.submit.disabled = false;
            parts.error.textContent = (err && err.message) || "登录失败，请稍后重试";
            parts.error.classList.remove("d-none");
          },
        );
      });
    });
    return pending;
  }

  /** Whether the server still knows this session: GET /api/me answers 401 once it has expired. */
  function sessionAlive() {
    return fetch("/api/me", { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (res) {
        return res.text().then(
          function () {
            return res.status !== 401;
          },
          function () {
            return res.status !== 401;
          },
        );
      },
      function () {
        return true; // offline: let the request itself fail and say so
      },
    );
  }

  /** An answer that means "log in again": 401, or the CSRF refusal a request of an expired session gets. */
  function expiredAnswer(status, body) {
    if (status === 401) return Promise.resolve(true);
    if (status !== 403) return Promise.resolve(false);
    var code = body && body.error && body.error.code;
    if (code && code !== "invalid_csrf_token") return Promise.resolve(false);
    return sessionAlive().then(function (alive) {
      return !alive;
    });
  }

  window.xySession = { relogin: relogin, sessionAlive: sessionAlive, expiredAnswer: expiredAnswer };

  // Signing the letter (a plain form POST): first make sure the session is alive; if it is not, log in again in
  // place and then submit the same signature (the draft the letter was made from is kept on the server).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-relogin") || form.xyChecked) return;
    if (event.defaultPrevented) return;
    event.preventDefault();
    var button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    sessionAlive()
      .then(function (alive) {
        return alive ? null : relogin();
      })
      .then(function () {
        form.xyChecked = true;
        if (button) button.disabled = false;
        if (typeof form.requestSubmit === "function") form.requestSubmit(button || undefined);
        else form.submit();
      });
  });
})();
