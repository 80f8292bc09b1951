// 监管报表: draws the two charts of /admin/supervision/reports with the locally served Apache ECharts.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent || "[]");
  if (!window.echarts || !data.length) return;
  var labels = data.map(function (r) {
    return r.label;
  });
  var grades = ["A", "B", "C", "D"];
  var charts = [];
  function draw(el, option) {
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
    el.setAttribute("data-rendered", "true");
  }
  var coverage = document.querySelector('[data-chart="coverage"]');
  if (coverage)
    draw(coverage, {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: {
        top: 0,
        data: grades.map(function (g) {
          return g + " 类";
        }),
      },
      grid: { left: 48, right: 16, bottom: 72, top: 64 },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, width: 150, overflow: "break", lineHeight: 14 } },
      yAxis: { type: "value", max: 100, name: "%" },
      series: grades.map(function (g) {
        return {
          name: g + " 类",
          type: "bar",
          data: data.map(function (r) {
            return r.coverage[g] === null ? 0 : r.coverage[g];
          }),
        };
      }),
    });
  var results = document.querySelector('[data-chart="results"]');
  if (results)
    draw(results, {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["未发现问题", "责令整改", "立案查处", "待检查", "逾期"] },
      grid: { left: 48, right: 16, bottom: 72, top: 64 },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, width: 150, overflow: "break", lineHeight: 14 } },
      yAxis: { type: "value", name: "件", minInterval: 1 },
      series: [
        {
          name: "未发现问题",
          type: "bar",
          stack: "r",
          data: data.map(function (r) {
            return r.results.none;
          }),
        },
        {
          name: "责令整改",
          type: "bar",
          stack: "r",
          data: data.map(function (r) {
            return r.results.rectify;
          }),
        },
        {
          name: "立案查处",
          type: "bar",
          stack: "r",
          data: data.map(function (r) {
            return r.results["case"];
          }),
        },
        {
          name: "待检查",
          type: "bar",
          stack: "r",
          data: data.map(function (r) {
            return r.inspections - r.results.none - r.results.rectify - r.results["case"];
          }),
        },
        {
          name: "逾期",
          type: "line",
          data: data.map(function (r) {
            return r.overdue;
          }),
          itemStyle: { color: "#dc3545" },
        },
      ],
    });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) {
      c.resize();
    });
  });
})();
