// A trip's itinerary: its stops as points on a longitude/latitude grid, joined in order from and
// back to the home city. No map outline (DESIGN.md, Maps).
(function () {
  "use strict";
  var box = document.getElementById("trip-chart");
  var source = document.getElementById("trip-chart-data");
  if (!box || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(box);
  chart.setOption({
    grid: { left: 50, right: 20, top: 20, bottom: 40 },
    xAxis: { type: "value", scale: true, name: "经度", nameLocation: "middle", nameGap: 25 },
    yAxis: { type: "value", scale: true, name: "纬度" },
    tooltip: { trigger: "item", formatter: function (p) { return p.name || ""; } },
    series: [
      { type: "line", data: data.route, symbol: "none", lineStyle: { type: "dashed" }, z: 1 },
      {
        type: "scatter",
        data: data.points.map(function (p) {
          return { name: p.name, value: p.value, itemStyle: p.home ? { color: "#c0392b" } : undefined };
        }),
        symbolSize: 12,
        label: { show: true, position: "right", formatter: function (p) { return p.name; } },
        z: 2
      }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
