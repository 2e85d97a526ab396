// Charts of the financial pages (customer 360, KPI dashboard and reports), drawn with ECharts.
// Each chart is an element with data-gecrm-chart="<kind>" and data-source="<id>": the id of a
// <script type="application/json"> element (Django's json_script) holding the data, so the page
// needs no inline script under its strict Content-Security-Policy. Labels come translated from
// the server; numbers are formatted for the page's language.
(function () {
  "use strict";

  var BLUE = "#0b57d0";
  var ORANGE = "#f76707";
  var GREEN = "#2fb344";
  var RED = "#d63939";
  var GREY = "#adb5bd";
  var PALETTE = [BLUE, ORANGE, "#4299e1", "#f59f00", GREEN, "#ae3ec9", RED, "#17a2b8"];
  var LANG = document.documentElement.lang || "zh-hans";
  var LOCALE = LANG.toLowerCase().indexOf("zh") === 0 ? "zh-CN" : LANG;

  var moneyFull = new Intl.NumberFormat(LOCALE, { style: "currency", currency: "CNY", minimumFractionDigits: 2 });
  var moneyShort = new Intl.NumberFormat(LOCALE, { notation: "compact", maximumFractionDigits: 1 });
  var percent = new Intl.NumberFormat(LOCALE, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });

  function format(kind, value, full) {
    if (value === null || value === undefined || Number.isNaN(value)) {
      return "—";
    }
    if (kind === "ratio") {
      return percent.format(value);
    }
    if (kind === "count") {
      return String(value);
    }
    return full ? moneyFull.format(value) : moneyShort.format(value);
  }

  function axisTooltip(kinds) {
    return function (params) {
      var rows = [params[0].axisValueLabel];
      params.forEach(function (p) {
        var kind = kinds[p.seriesIndex] || "money";
        var value = Array.isArray(p.value) ? p.value[p.value.length - 1] : p.value;
        rows.push(p.marker + p.seriesName + "：" + format(kind, value, true));
      });
      return rows.join("<br>");
    };
  }

  // Revenue trend: own subtree solid (left axis), whole group dashed and lighter (right axis,
  // so that a small branch's curve is not flattened by its group's); total blue, ICT orange.
  function trend(data) {
    var names = data.axes || [];
    var axes = [0, 1].slice(0, names.length || 1).map(function (i) {
      return {
        type: "value",
        name: names[i] || "",
        position: i === 0 ? "left" : "right",
        splitLine: { show: i === 0 },
        axisLabel: { formatter: function (v) { return format("money", v); } },
      };
    });
    return {
      color: PALETTE,
      grid: { left: 8, right: 16, top: names.length ? 56 : 40, bottom: 8, containLabel: true },
      legend: { top: 0, icon: "roundRect" },
      tooltip: { trigger: "axis", formatter: axisTooltip(data.series.map(function () { return "money"; })) },
      xAxis: { type: "category", data: data.months, boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: axes,
      series: data.series.map(function (s) {
        var group = s.scope === "group";
        var colour = s.kind === "ict" ? (group ? "#ffa94d" : ORANGE) : (group ? "#74c0fc" : BLUE);
        return {
          name: s.name,
          type: "line",
          yAxisIndex: group && names.length ? 1 : 0,
          data: s.data,
          smooth: true,
          symbol: group ? "none" : "circle",
          symbolSize: 5,
          itemStyle: { color: colour },
          lineStyle: { color: colour, width: group ? 1.5 : 2.5, type: group ? "dashed" : "solid" },
          areaStyle: !group && s.kind === "total" ? { color: colour, opacity: 0.08 } : undefined,
        };
      }),
    };
  }

  // Product mix: a horizontal bar per product, ICT products highlighted.
  function mix(data) {
    var labels = data.labels.slice().reverse();
    var values = data.values.slice().reverse();
    var ict = data.ict.slice().reverse();
    return {
      grid: { left: 8, right: 24, top: 28, bottom: 8, containLabel: true },
      legend: {
        top: 0,
        data: [
          { name: data.legend.ict, itemStyle: { color: ORANGE } },
          { name: data.legend.other, itemStyle: { color: BLUE } },
        ],
        selectedMode: false,
      },
      tooltip: {
        trigger: "item",
        formatter: function (p) { return p.name + "：" + format("money", p.value, true); },
      },
      xAxis: { type: "value", axisLabel: { formatter: function (v) { return format("money", v); } } },
      yAxis: { type: "category", data: labels, axisLabel: { width: 110, overflow: "truncate" } },
      series: [
        {
          name: data.legend.other,
          type: "bar",
          barMaxWidth: 18,
          data: values.map(function (v, i) {
            return { value: v, itemStyle: { color: ict[i] ? ORANGE : BLUE, borderRadius: [0, 3, 3, 0] } };
          }),
        },
        // An empty series so that the legend shows the ICT colour too.
        { name: data.legend.ict, type: "bar", data: [] },
      ],
    };
  }

  // Generic bars/lines over categories, one or two value axes (money, ratio or count).
  // data: {categories, series: [{name, data, type, format, axis, colour, stack}], axes: [{format, name}], horizontal}
  function bars(data) {
    var axes = (data.axes || [{ format: "money" }]).map(function (axis, i) {
      return {
        type: "value",
        name: axis.name || "",
        position: i === 0 ? (data.horizontal ? "bottom" : "left") : (data.horizontal ? "top" : "right"),
        splitLine: { show: i === 0 },
        axisLabel: { formatter: function (v) { return format(axis.format, v); } },
      };
    });
    var category = {
      type: "category",
      data: data.categories,
      axisLabel: data.horizontal ? { width: 170, overflow: "truncate" } : { interval: 0, rotate: data.categories.length > 8 ? 35 : 0, width: 90, overflow: "truncate" },
    };
    if (data.horizontal) {
      category.inverse = true;
    }
    var kinds = data.series.map(function (s) { return s.format || "money"; });
    return {
      color: PALETTE,
      grid: { left: 8, right: 16, top: 48, bottom: 8, containLabel: true },
      legend: { top: 0, icon: "roundRect" },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, formatter: axisTooltip(kinds) },
      xAxis: data.horizontal ? axes : category,
      yAxis: data.horizontal ? category : axes,
      series: data.series.map(function (s) {
        var series = {
          name: s.name,
          type: s.type || "bar",
          data: s.data,
          barMaxWidth: 22,
          stack: s.stack,
          symbolSize: s.type === "scatter" ? 10 : 7,
        };
        if (data.horizontal) {
          series.xAxisIndex = s.axis || 0;
        } else {
          series.yAxisIndex = s.axis || 0;
        }
        if (s.colour) {
          series.itemStyle = { color: s.colour };
          series.lineStyle = { color: s.colour };
        }
        if (s.dashed) {
          series.lineStyle = { color: s.colour, type: "dashed" };
        }
        return series;
      }),
    };
  }

  var KINDS = { trend: trend, mix: mix, bars: bars };

  function hasNumber(values, zeroCounts) {
    return (values || []).some(function (v) {
      var value = Array.isArray(v) ? v[v.length - 1] : v;
      if (value && typeof value === "object") {
        value = value.value;
      }
      return typeof value === "number" && !Number.isNaN(value) && (zeroCounts || value !== 0);
    });
  }

  // No figure to draw: no categories, or no number at all (zeros count only where they are a
  // ratio or a count — a zero share is a finding, zero money everywhere is no data).
  function isEmpty(kind, data) {
    if (kind === "mix") {
      return !(data.labels || []).length || !hasNumber(data.values, false);
    }
    if (kind === "trend") {
      return !(data.months || []).length || !(data.series || []).some(function (s) { return hasNumber(s.data, false); });
    }
    if (!(data.categories || []).length) {
      return true;
    }
    return !(data.series || []).some(function (s) {
      return hasNumber(s.data, (s.format || "money") !== "money");
    });
  }

  // Say why a chart is empty instead of leaving a blank box: the container's data-empty, else
  // the page's default sentence (base template, translated by the server).
  function showEmpty(element) {
    var note = document.createElement("p");
    note.className = "gecrm-chart-empty-text";
    note.textContent = element.dataset.empty || document.body.dataset.chartEmpty || "";
    element.replaceChildren(note);
    element.classList.add("gecrm-chart-empty");
    element.removeAttribute("role");
    element.dataset.rendered = "empty";
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.source);
    var build = KINDS[element.dataset.gecrmChart];
    if (!source || !build || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (isEmpty(element.dataset.gecrmChart, data)) {
      showEmpty(element);
      return;
    }
    element.dataset.rendered = "pending";
    // Canvas text uses a web font only once it is loaded: load the page's font (the vendored
    // Noto Sans SC slices where the system has no CJK font) for the characters of the data first.
    var font = window.getComputedStyle(element).fontFamily;
    var loading = document.fonts && document.fonts.load
      ? document.fonts.load("12px " + font, source.textContent).catch(function () { return null; })
      : Promise.resolve();
    loading.then(function () {
      var chart = window.echarts.init(element, null, { renderer: "canvas", locale: LOCALE === "zh-CN" ? "ZH" : "EN" });
      var option = build(data);
      option.textStyle = Object.assign({ fontFamily: font }, option.textStyle || {});
      chart.setOption(option);
      element.dataset.rendered = "true";
      watchSize(element, chart);
    });
  }

  function watchSize(element, chart) {
    if (window.ResizeObserver) {
      new window.ResizeObserver(function () { chart.resize(); }).observe(element);
    } else {
      window.addEventListener("resize", function () { chart.resize(); });
    }
  }

  function drawAll(root) {
    (root || document).querySelectorAll("[data-gecrm-chart]").forEach(function (element) {
      if (!element.dataset.rendered) {
        draw(element);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  // Panels loaded by htmx draw their charts when they arrive.
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();

// A select marked data-autosubmit submits its form when changed (month and year pickers).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target && target.matches && target.matches("select[data-autosubmit]") && target.form) {
    target.form.submit();
  }
});
