// Credit record import: uploads the file with the chosen mode, then polls the job's progress until it finishes.
(function () {
  "use strict";
  var form = document.getElementById("credit-import-form");
  var jobBox = document.getElementById("import-job");

  function show(id, on) {
    var el = document.getElementById(id);
    if (el) el.classList.toggle("d-none", !on);
  }

  function render(job) {
    var bar = document.getElementById("import-bar");
    if (bar) {
      bar.style.width = job.percent + "%";
      bar.parentElement.setAttribute("aria-valuenow", String(job.percent));
    }
    var phase = document.getElementById("import-phase");
    if (phase) phase.textContent = job.phaseLabel;
    var count = document.getElementById("import-count");
    if (count) count.textContent = job.total ? job.processed + " / " + job.total + " 行" : "";
    if (!job.done) return;
    var result = document.getElementById("import-result");
    result.textContent = job.message || "";
    result.className = "alert mt-3 " + (job.failed ? "alert-danger" : job.badRows ? "alert-warning" : "alert-success");
    var table = document.getElementById("import-problems");
    var body = table.querySelector("tbody");
    body.textContent = "";
    job.problems.forEach(function (p) {
      var tr = document.createElement("tr");
      [String(p.row), p.field, p.message].forEach(function (text) {
        var td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    show("import-problems", job.problems.length > 0);
  }

  function poll(url) {
    window
      .xyFetch(url)
      .then(function (res) {
        return res.json();
      })
      .then(function (body) {
        if (!body.data) throw new Error((body.error && body.error.message) || "无法读取进度");
        render(body.data);
        if (!body.data.done) setTimeout(poll, 500, url);
      })
      .catch(function (err) {
        var result = document.getElementById("import-result");
        result.textContent = "读取进度失败：" + err.message;
        result.className = "alert alert-danger mt-3";
      });
  }

  if (form) {
    var mode = "dry-run";
    form.addEventListener("click", function (event) {
      var button = event.target instanceof Element ? event.target.closest("button[name=mode]") : null;
      if (button) mode = button.value;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var confirmButton = form.querySelector("[data-confirm-import]");
      if (mode === "import" && confirmButton && !window.confirm(confirmButton.getAttribute("data-confirm-import"))) return;
      var data = new FormData(form);
      data.set("mode", mode);
      show("import-progress", true);
      show("import-result", false);
      show("import-problems", false);
      document.getElementById("import-phase").textContent = "正在上传…";
      window
        .xyFetch(form.action, { method: "POST", body: data })
        .then(function (res) {
          return res.json().then(function (body) {
            if (!res.ok) throw new Error((body.error && body.error.message) || "上传失败");
            return body.data;
          });
        })
        .then(function (job) {
          render(job);
          if (!job.done) poll("/admin/credit/imports/" + job.id);
        })
        .catch(function (err) {
          show("import-progress", false);
          var result = document.getElementById("import-result");
          result.textContent = err.message;
          result.className = "alert alert-danger mt-3";
        });
    });
  }
  if (jobBox && !jobBox.getAttribute("data-done")) poll(jobBox.getAttribute("data-job-url"));
})();
