// Dashboard charts. Data comes from <script type="application/json"> elements (json_script),
// so no inline script is needed and the page works under a strict Content-Security-Policy.
(function () {
  "use strict";

  var PALETTE = ["#d63939", "#0b57d0", "#f59f00", "#2fb344", "#ae3ec9"];

  function segmentChart(element) {
    var source = document.getElementById(element.dataset.chartSource);
    if (!source || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    if (!data.some(function (row) { return row.value > 0; })) {
      // Say why instead of leaving a blank box (the sentence comes translated from the page).
      var note = document.createElement("p");
      note.className = "gecrm-chart-empty-text";
      note.textContent = element.dataset.empty || document.body.dataset.chartEmpty || "";
      element.replaceChildren(note);
      element.classList.add("gecrm-chart-empty");
      return;
    }
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      color: PALETTE,
      textStyle: { fontFamily: window.getComputedStyle(element).fontFamily },
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0, icon: "circle" },
      series: [
        {
          type: "pie",
          radius: ["45%", "72%"],
          center: ["50%", "45%"],
          avoidLabelOverlap: true,
          itemStyle: { borderColor: "#fff", borderWidth: 2, borderRadius: 4 },
          label: { formatter: "{b}\n{c}" },
          data: data.map(function (row) {
            return { name: row.name, value: row.value, code: row.code };
          }),
        },
      ],
    });
    chart.on("click", function (params) {
      if (element.dataset.listUrl && params.data && params.data.code) {
        window.location.href = element.dataset.listUrl + "?segment=" + encodeURIComponent(params.data.code);
      }
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-chart-source='segment-data']").forEach(segmentChart);
  });
})();
