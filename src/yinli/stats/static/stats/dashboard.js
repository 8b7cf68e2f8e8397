// The dashboard (驾驶舱): each chart panel fetches its own small JSON and draws itself with
// ECharts, so one slow panel never holds the page. A click on a chart element opens the project
// list filtered to exactly the projects that element counts (the `url` of its row).
(function () {
  "use strict";

  var S = JSON.parse(document.getElementById("dashboard-strings").textContent);
  var charts = [];
  var COLOURS = ["#1f3a5f", "#b4232a", "#3d7ab8", "#e0a030", "#5a9e6f", "#8a6bb0", "#c46a3a", "#4fa3a5"];

  function fmt(value) {
    if (value === null || value === undefined) return "—";
    return String(value);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function go(url) {
    if (url) window.location.href = url;
  }

  function rowTooltip(row) {
    var lines = [row.name, S.count + "：" + fmt(row.count)];
    if (row.count_share_pct !== undefined) lines[1] += "（" + fmt(row.count_share_pct) + "%）";
    if (row.investment_yi !== undefined) {
      var line = S.investment + "：" + fmt(row.investment_yi);
      if (row.investment_share_pct !== undefined) line += "（" + fmt(row.investment_share_pct) + "%）";
      lines.push(line);
    }
    return lines.join("<br>");
  }

  // Ranked horizontal bars: project count, with the investment in the label and the tooltip.
  function barOption(data) {
    var rows = data.rows.slice();
    if (data.order !== "given") {
      rows.sort(function (a, b) { return b.count - a.count || b.investment_yi - a.investment_yi; });
    }
    rows.reverse(); // ECharts draws the first category at the bottom
    return {
      color: COLOURS,
      grid: { left: 8, right: 110, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) { return rowTooltip(rows[p.dataIndex]); } },
      xAxis: { type: "value", minInterval: 1, axisLabel: { hideOverlap: true } },
      yAxis: {
        type: "category",
        data: rows.map(function (r) { return r.name; }),
        axisLabel: { width: 110, overflow: "truncate" },
      },
      series: [{
        type: "bar",
        name: S.count,
        data: rows.map(function (r) { return { value: r.count, url: r.url }; }),
        label: {
          show: true,
          position: "right",
          formatter: function (p) {
            var r = rows[p.dataIndex];
            return r.investment_yi !== undefined ? r.count + " · " + fmt(r.investment_yi) + S.unit_yi : String(r.count);
          },
        },
        cursor: "pointer",
      }],
    };
  }

  function pieOption(data) {
    return {
      color: COLOURS,
      tooltip: { trigger: "item", formatter: function (p) { return rowTooltip(data.rows[p.dataIndex]); } },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie",
        radius: ["35%", "65%"],
        center: ["50%", "45%"],
        data: data.rows.map(function (r) { return { name: r.name, value: r.count, url: r.url }; }),
        label: { formatter: "{b}\n{c}（{d}%）" },
        cursor: "pointer",
      }],
    };
  }

  // This year's months against the same months of last year: bars for the count, lines for
  // the investment.
  function trendOption(data) {
    var months = data.months;
    var series = function (name, key, type, previous, axis) {
      return {
        name: name,
        type: type,
        yAxisIndex: axis,
        data: months.map(function (m) {
          var item = previous ? m.previous : m;
          return { value: item[key], url: item.url };
        }),
        cursor: "pointer",
        smooth: false,
      };
    };
    return {
      color: ["#1f3a5f", "#9fb3c8", "#b4232a", "#e6a3a6"],
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: months.map(function (m) { return m.name; }) },
      yAxis: [
        { type: "value", name: S.count, minInterval: 1 },
        { type: "value", name: S.unit_yi, splitLine: { show: false } },
      ],
      series: [
        series(data.series + " " + S.count, "count", "bar", false, 0),
        series(data.previous_series + " " + S.count, "count", "bar", true, 0),
        series(data.series + " " + S.investment, "investment_yi", "line", false, 1),
        series(data.previous_series + " " + S.investment, "investment_yi", "line", true, 1),
      ],
    };
  }

  // Sources as points at their coordinates on a plain longitude/latitude grid (no outline map).
  // Chinese cities (six-digit codes) first: with foreign ones the mainland shrinks to a corner,
  // so foreign sources join only when the reader asks (or when there is nothing else).
  function isDomestic(row) { return /^\d{6}$/.test(row.code || ""); }

  function scatterOption(data, worldwide) {
    var rows = data.rows.filter(function (r) { return worldwide || isDomestic(r); });
    if (!rows.length) rows = data.rows;
    var max = Math.max.apply(null, rows.map(function (r) { return r.count; }).concat([1]));
    var range = function (key) {
      var values = rows.map(function (r) { return r[key]; });
      var low = Math.min.apply(null, values), high = Math.max.apply(null, values);
      var pad = Math.max(2, (high - low) * 0.06); // room for the points and their names
      return { min: Math.floor(low - pad), max: Math.ceil(high + pad) };
    };
    var lng = range("lng"), lat = range("lat");
    return {
      animation: false,
      color: ["#b4232a"],
      grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
      tooltip: { trigger: "item", formatter: function (p) { return rowTooltip(p.data.row); } },
      xAxis: {
        type: "value", name: S.longitude, min: lng.min, max: lng.max, axisLine: { onZero: false },
        splitLine: { lineStyle: { type: "dashed" } },
      },
      yAxis: {
        type: "value", name: S.latitude, min: lat.min, max: lat.max, axisLine: { onZero: false },
        splitLine: { lineStyle: { type: "dashed" } },
      },
      series: [{
        type: "scatter",
        data: rows.map(function (r) {
          return { value: [r.lng, r.lat, r.count], name: r.short_name || r.name, url: r.url, row: r };
        }),
        symbolSize: function (v) { return 8 + 28 * Math.sqrt(v[2] / max); },
        label: { show: true, position: "right", formatter: "{b}", fontSize: 11 },
        labelLayout: { hideOverlap: true },
        cursor: "pointer",
      }],
    };
  }

  function scatterToggle(panel, data, chart) {
    var foreign = data.rows.filter(function (r) { return !isDomestic(r); }).length;
    if (!foreign || foreign === data.rows.length) return;
    var box = el("div", "btn-group btn-group-sm mb-1 no-print");
    [[false, S.domestic], [true, S.worldwide]].forEach(function (pair) {
      var button = el("button", "btn " + (pair[0] ? "btn-outline-secondary" : "btn-secondary"), pair[1]);
      button.type = "button";
      button.dataset.worldwide = pair[0] ? "1" : "0";
      button.addEventListener("click", function () {
        chart.setOption(scatterOption(data, pair[0]), { notMerge: true });
        box.querySelectorAll("button").forEach(function (b) {
          b.className = "btn " + (b === button ? "btn-secondary" : "btn-outline-secondary");
        });
      });
      box.appendChild(button);
    });
    panel.querySelector(".chart").before(box);
  }

  // Follow-through rates in percent.
  function ratesOption(data) {
    return {
      color: COLOURS,
      grid: { left: 8, right: 50, top: 8, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: function (p) { var r = data.rows[p.dataIndex]; return r.name + "：" + fmt(r.pct) + "%"; },
      },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: data.rows.map(function (r) { return r.name; }) },
      series: [{
        type: "bar",
        data: data.rows.map(function (r) { return { value: r.pct === null ? 0 : r.pct, url: r.url }; }),
        label: { show: true, position: "right", formatter: function (p) { return fmt(data.rows[p.dataIndex].pct) + "%"; } },
        cursor: "pointer",
      }],
    };
  }

  function height(data) {
    if (data.kind === "bar") return Math.max(200, data.rows.length * 26 + 40);
    if (data.kind === "scatter") return 380;
    if (data.kind === "rates") return 200;
    return 300;
  }

  function extras(panel, data) {
    var box = panel.querySelector(".panel-extra");
    box.textContent = "";
    if (data.total_rows && data.total_rows > data.rows.length) {
      box.appendChild(el("div", "text-muted", S.more_rows.replace("%(shown)s", data.rows.length).replace("%(total)s", data.total_rows)));
    }
    if (data.apart) {
      var line = el("div", "apart");
      line.appendChild(el("span", "text-muted", S.apart + "："));
      data.apart.forEach(function (r, i) {
        var a = el("a", null, r.name + " " + r.count + "（" + fmt(r.count_share_pct) + "%）");
        a.href = r.url;
        if (i) line.appendChild(document.createTextNode("　"));
        line.appendChild(a);
      });
      box.appendChild(line);
    }
    if (data.leads) {
      box.appendChild(el("div", null, S.leads + "：" + data.leads.count + "，" + S.converted + " " +
        data.leads.signed_count + "（" + fmt(data.leads.conversion_pct) + "%）"));
      var m = data.median_days;
      box.appendChild(el("div", "text-muted", S.median_days + "：" + S.lead_to_signed + " " + fmt(m.lead_to_signed) +
        "，" + S.signed_to_started + " " + fmt(m.signed_to_started) + "，" + S.started_to_producing + " " + fmt(m.started_to_producing)));
    }
    if (data.without_coordinates) {
      box.appendChild(el("div", "text-muted", S.without_coordinates + "：" + data.without_coordinates));
    }
    if (data.window) {
      box.appendChild(el("div", "text-muted", S.window + "：" + data.window.label));
    }
  }

  function draw(panel, data) {
    var box = panel.querySelector(".chart");
    panel.querySelector(".panel-definition").textContent = data.definition.label;
    panel.dataset.version = data.definition.version;
    var rows = data.kind === "trend" ? data.months : data.rows;
    var empty = !rows.length || (data.kind !== "trend" && data.kind !== "rates" &&
      rows.every(function (r) { return !r.count; }));
    if (empty) {
      box.appendChild(el("p", "text-muted text-center py-4 mb-0", S.empty));
      extras(panel, data);
      return;
    }
    box.style.height = height(data) + "px";
    var chart = echarts.init(box, null, { renderer: "canvas" });
    var option = {
      bar: barOption, pie: pieOption, trend: trendOption, scatter: scatterOption, rates: ratesOption,
    }[data.kind](data);
    option.animation = false; // quicker first paint, and a printed page shows the final state
    chart.setOption(option);
    chart.on("click", function (p) { go(p.data && p.data.url); });
    charts.push(chart);
    if (data.kind === "scatter") scatterToggle(panel, data, chart);
    extras(panel, data);
  }

  function load(panel) {
    fetch(panel.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        panel.querySelector(".panel-loading").remove();
        draw(panel, data);
        panel.dataset.loaded = "1";
      })
      .catch(function () {
        var loading = panel.querySelector(".panel-loading");
        loading.textContent = S.failed;
        loading.classList.add("text-danger");
        panel.dataset.loaded = "error";
      });
  }

  // The headline tiles: an HTML fragment rendered by the server (stats:tiles).
  function loadTiles(box) {
    return fetch(box.dataset.url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        box.innerHTML = html;
        box.removeAttribute("aria-busy");
        box.dataset.loaded = "1";
      })
      .catch(function () {
        var loading = box.querySelector(".tiles-loading");
        if (loading) {
          loading.textContent = S.failed;
          loading.classList.add("text-danger");
        }
        box.removeAttribute("aria-busy");
        box.dataset.loaded = "error";
      });
  }

  function resizeAll() {
    charts.forEach(function (chart) { chart.resize(); });
  }

  // Printing: each chart becomes a picture that scales to the A4 column (a canvas keeps its
  // screen size); the pictures go once printing is over.
  function pictures() {
    charts.forEach(function (chart) {
      var box = chart.getDom();
      var img = box.parentNode.querySelector("img.chart-print");
      if (!img) {
        img = el("img", "chart-print");
        img.alt = box.getAttribute("aria-label") || "";
        box.parentNode.insertBefore(img, box.nextSibling);
      }
      img.src = chart.getDataURL({ pixelRatio: 2, backgroundColor: "#fff" });
    });
  }

  // The tiles first (the figures a reader looks for), then every panel at once.
  var tiles = document.querySelector("#tiles[data-url]");
  var panelsLoad = function () {
    document.querySelectorAll(".chart-panel[data-url]").forEach(load);
  };
  if (tiles) loadTiles(tiles).then(panelsLoad);
  else panelsLoad();
  window.addEventListener("resize", resizeAll);
  window.addEventListener("beforeprint", pictures);
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("img.chart-print").forEach(function (img) { img.remove(); });
  });
})();
