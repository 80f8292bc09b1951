// Draws a deployed BPMN diagram with the bpmn-js viewer (served from /vendor/bpmn-js) and marks an instance's
// completed, current and failed activities. Data: <div data-bpmn-viewer data-url="...diagram.json">, whose JSON is
// { xml, hasDiagram, completed: [ids], current: [ids], incident: [ids] }.
(function () {
  "use strict";

  function showProblem(container, message) {
    container.classList.add("d-none");
    var box = container.parentElement && container.parentElement.querySelector("[data-viewer-error]");
    if (box) {
      box.textContent = message;
      box.classList.remove("d-none");
    }
    // Open the element list so the person still sees the process.
    var details = container.parentElement && container.parentElement.querySelector("details");
    if (details) details.open = true;
  }

  function mark(viewer, ids, marker) {
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    var marked = [];
    (ids || []).forEach(function (id) {
      if (registry.get(id)) {
        canvas.addMarker(id, marker);
        marked.push(id);
      }
    });
    return marked;
  }

  // Screen pixels kept free around the fitted diagram: the bpmn.io logo sits in the bottom-right corner, so the
  // bottom keeps room for it and no label is drawn under it.
  var MARGIN = 16;
  var LOGO_ROOM = 64;

  // Fits the diagram to its box; a box without size (hidden, or mid-resize) keeps the last zoom instead of a
  // non-finite scale.
  function fit(canvas, container) {
    if (!container.clientWidth || !container.clientHeight) return;
    try {
      canvas.zoom("fit-viewport", "auto");
      var box = canvas.viewbox();
      var inner = box.inner;
      var width = container.clientWidth - 2 * MARGIN;
      var height = container.clientHeight - MARGIN - LOGO_ROOM;
      if (!inner || width <= 0 || height <= 0 || !inner.width || !inner.height) return;
      var scale = Math.min(width / inner.width, height / inner.height, 1);
      if (!isFinite(scale) || scale <= 0) return;
      var outerWidth = container.clientWidth / scale;
      var outerHeight = container.clientHeight / scale;
      canvas.viewbox({
        x: inner.x - (outerWidth - inner.width) / 2,
        y: inner.y - MARGIN / scale,
        width: outerWidth,
        height: outerHeight,
      });
    } catch (err) {
      void err;
    }
  }

  function render(container) {
    if (typeof window.BpmnJS !== "function") {
      showProblem(container, "流程图组件未能加载，请刷新页面后重试。");
      return;
    }
    fetch(container.getAttribute("data-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (res) {
        if (!res.ok) throw new Error("读取流程图失败（HTTP " + res.status + "）");
        return res.json();
      })
      .then(function (data) {
        if (!data.hasDiagram) {
          showProblem(container, "此流程文件不含图形信息（BPMNDI），无法绘制流程图；请查看下面的元素列表。");
          return null;
        }
        container.innerHTML = "";
        var viewer = new window.BpmnJS({ container: container });
        return viewer.importXML(data.xml).then(function () {
          var canvas = viewer.get("canvas");
          fit(canvas, container);
          var done = mark(viewer, data.completed, "xy-completed");
          var current = mark(viewer, data.current, "xy-current");
          var failed = mark(viewer, data.incident, "xy-incident");
          container.setAttribute("data-completed", done.join(" "));
          container.setAttribute("data-current", current.join(" "));
          container.setAttribute("data-incident", failed.join(" "));
          container.setAttribute("data-rendered", "true");
          window.addEventListener("resize", function () {
            fit(canvas, container);
          });
        });
      })
      .catch(function (err) {
        var text = err && err.message ? String(err.message) : String(err);
        if (/no diagram to display|BPMNDiagram|no diagram/i.test(text)) {
          showProblem(container, "此流程文件不含可绘制的图形信息（BPMNDI），无法绘制流程图；请查看下面的元素列表。");
        } else {
          showProblem(container, "流程图无法显示：" + text);
        }
      });
  }

  document.querySelectorAll("[data-bpmn-viewer]").forEach(render);
})();
