// The reviewer inbox (/tasks): on wide screens (>= 1200 px) a task opens in a right-hand pane beside the list; j / k
// move through the list, Enter opens, Esc closes the pane, ? shows the shortcuts. Narrow screens open the task page.
// The same file runs inside the pane (layouts/pane.hbs), where it keeps links to other pages out of the frame.
(function () {
  "use strict";
  var body = document.body;

  if (body && body.getAttribute("data-layout") === "pane") {
    // Inside the pane: task pages stay in the frame, anything else (a case, the archive) opens in the whole window.
    document.addEventListener("click", function (event) {
      var a = event.target instanceof Element ? event.target.closest("a[href]") : null;
      if (!a || a.target) return;
      var href = a.getAttribute("href") || "";
      if (href.charAt(0) === "#" || /^\/tasks\/[^/?#]+(\?|#|$)/.test(href)) return;
      a.target = "_top";
    });
    if (window.parent !== window) {
      var done = document.querySelector("[data-refresh-list]");
      window.parent.postMessage({ type: done ? "inbox-refresh" : "inbox-shown", path: location.pathname }, location.origin);
    }
    return;
  }

  var split = document.querySelector("[data-inbox]");
  if (!split) return;
  var pane = document.getElementById("inbox-pane");
  var frame = pane ? pane.querySelector("iframe") : null;
  var fullLink = pane ? pane.querySelector("[data-pane-full]") : null;
  var wide = window.matchMedia("(min-width: 1200px)");
  var current = -1;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll('[data-testid="task-row"]'));
  }

  function select(index) {
    var list = rows();
    if (!list.length) return null;
    current = Math.max(0, Math.min(list.length - 1, index));
    list.forEach(function (row, n) {
      row.classList.toggle("inbox-row-current", n === current);
      if (n === current) row.setAttribute("aria-selected", "true");
      else row.removeAttribute("aria-selected");
    });
    var row = list[current];
    row.scrollIntoView({ block: "nearest" });
    return row;
  }

  function paneOpen() {
    return split.classList.contains("pane-open");
  }

  function openTask(row) {
    var id = row.getAttribute("data-task-id");
    if (!id) return;
    var list = rows();
    select(list.indexOf(row));
    if (!wide.matches || !frame) {
      location.href = "/tasks/" + encodeURIComponent(id);
      return;
    }
    split.classList.add("pane-open");
    frame.src = "/tasks/" + encodeURIComponent(id) + "?pane=1";
    if (fullLink) fullLink.setAttribute("href", "/tasks/" + encodeURIComponent(id));
  }

  function closePane() {
    split.classList.remove("pane-open");
    if (frame) frame.removeAttribute("src");
  }

  // A click on a task's name opens it in the pane on wide screens (Ctrl / Cmd / middle click: a new tab); 办理 opens
  // the task's own page.
  split.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("[data-pane-close]")) {
      event.preventDefault();
      closePane();
      return;
    }
    var link = target.closest('[data-testid="task-row"] td:first-child a');
    if (!link || !wide.matches || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    var row = link.closest('[data-testid="task-row"]');
    if (!row) return;
    event.preventDefault();
    openTask(row);
  });

  function typing(el) {
    return !!el && el instanceof Element && !!el.closest("input, select, textarea, [contenteditable], .dropdown-menu");
  }

  var help = document.querySelector('[data-testid="shortcuts-help"]');
  var tooltip = help && window.bootstrap ? window.bootstrap.Tooltip.getOrCreateInstance(help) : null;

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "j" || event.key === "k") {
      event.preventDefault();
      var row = select(current < 0 ? 0 : current + (event.key === "j" ? 1 : -1));
      if (row && paneOpen()) openTask(row);
    } else if (event.key === "Enter") {
      var focused = document.activeElement;
      if (focused && focused !== document.body && focused.closest("a, button")) return; // the link or button does its own thing
      var list = rows();
      if (current >= 0 && list[current]) {
        event.preventDefault();
        openTask(list[current]);
      }
    } else if (event.key === "Escape" && paneOpen()) {
      closePane();
    } else if (event.key === "?" && tooltip) {
      tooltip.toggle();
    }
  });

  // After an action in the pane that came back to the list (转办, 交回) the list and its counts are fetched again.
  function refreshList() {
    fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (res) {
        return res.ok ? res.text() : Promise.reject(new Error(String(res.status)));
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        ["inbox-list"].forEach(function (id) {
          var fresh = doc.getElementById(id);
          var here = document.getElementById(id);
          if (fresh && here) here.innerHTML = fresh.innerHTML;
        });
        var counts = doc.querySelector('[data-testid="counts"]');
        var hereCounts = document.querySelector('[data-testid="counts"]');
        if (counts && hereCounts) hereCounts.innerHTML = counts.innerHTML;
        current = -1;
      })
      .catch(function () {
        location.reload();
      });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== location.origin || !event.data || typeof event.data !== "object") return;
    if (event.data.type === "inbox-refresh") refreshList();
    if (event.data.type === "inbox-shown" && fullLink) fullLink.setAttribute("href", event.data.path);
  });

  if (frame) {
    // Where the server could not tell a framed request (no Sec-Fetch-Dest), a task page that arrived with the full
    // layout (the next task after a decision) is asked for again as the pane's page.
    frame.addEventListener("load", function () {
      try {
        var doc = frame.contentDocument;
        if (!doc || !doc.body || doc.body.getAttribute("data-layout") === "pane") return;
        var path = frame.contentWindow.location.pathname;
        if (/^\/tasks\/[^/]+$/.test(path)) frame.src = path + "?pane=1";
      } catch (e) {
        /* another origin: never the case here */
      }
    });
  }
})();
