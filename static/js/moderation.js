/* Huzhu moderation pages: the live queue ("N 条新内容，点击刷新"), canned-reply templates
 * filled into the reply box, and the quality dashboard's charts (Chart.js, vendored).
 * No inline scripts: everything hangs off data- attributes. */
(function () {
  "use strict";

  // --- live queue ------------------------------------------------------------------------
  function watchQueue(realtime) {
    var queue = document.querySelector("[data-live-queue]");
    var notice = document.getElementById("mod-live-notice");
    if (!queue || !notice || !realtime || !realtime.socket) return;
    var seen = {};
    var count = 0;
    var urgent = 0;
    realtime.socket.on("queue_item", function (item) {
      if (!item || seen[item.post_id]) return;
      seen[item.post_id] = true;
      if (document.getElementById("item-" + item.post_id)) return; // already on the page
      count += 1;
      var counter = notice.querySelector("[data-live-count]");
      if (counter) counter.textContent = String(count);
      if (item.tier === "urgent") {
        urgent += 1;
        var urgentNote = notice.querySelector("[data-live-urgent]");
        if (urgentNote) {
          urgentNote.textContent = "（其中 " + urgent + " 条紧急）";
          urgentNote.hidden = false;
        }
      }
      notice.hidden = false;
    });
  }

  if (window.HuzhuRealtime) {
    watchQueue(window.HuzhuRealtime);
  } else {
    document.addEventListener("huzhu:realtime", function (e) { watchQueue(e.detail); });
  }

  // --- canned replies --------------------------------------------------------------------
  document.addEventListener("change", function (event) {
    var select = event.target.closest("[data-canned-select]");
    if (!select) return;
    var form = select.closest("form");
    var body = form && form.querySelector("textarea[name=body]");
    var template = document.querySelector('template[data-canned-body="' + select.value + '"]');
    if (body && template) body.value = template.content.textContent.trim();
  });

  // --- dashboard charts ------------------------------------------------------------------
  function chart(canvas, config) {
    if (canvas && typeof window.Chart === "function") return new window.Chart(canvas, config);
    return null;
  }

  function drawDashboard(root, data) {
    var find = function (name) { return root.querySelector('[data-chart="' + name + '"]'); };
    var dist = data.satisfaction.distribution;
    chart(find("satisfaction"), {
      type: "bar",
      data: { labels: ["1 分", "2 分", "3 分", "4 分", "5 分"],
              datasets: [{ label: "评价数", data: ["1", "2", "3", "4", "5"].map(function (k) { return dist[k] || 0; }),
                           backgroundColor: "#e0a000" }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
    chart(find("queue"), {
      type: "line",
      data: { labels: data.queue.days, datasets: [{ label: "待处理", data: data.queue.sizes, borderColor: "#c0392b", tension: 0.2 }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
    var palette = ["#1f5fa8", "#c0392b", "#1d7a35", "#a85a00", "#6b2fa8", "#008b8b", "#555"];
    chart(find("negative"), {
      type: "line",
      data: { labels: data.negative_rate.weeks,
              datasets: data.negative_rate.series.map(function (s, i) {
                return { label: s.tribe, data: s.rates.map(function (r) { return r === null ? null : Math.round(r * 1000) / 10; }),
                         borderColor: palette[i % palette.length], spanGaps: true };
              }) },
      options: { scales: { y: { beginAtZero: true, max: 100, ticks: { callback: function (v) { return v + "%"; } } } } }
    });
  }

  function loadDashboard() {
    var root = document.querySelector("[data-dashboard-src]");
    if (!root || !window.fetch) return;
    fetch(root.getAttribute("data-dashboard-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data) drawDashboard(root, data); })
      .catch(function (err) { if (window.console) console.warn("dashboard:", err); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", loadDashboard);
  } else {
    loadDashboard();
  }
})();
