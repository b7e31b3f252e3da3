// Rewards: the check-in button works without a page reload (the form still works without JS).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // The new 签到 row at the top of 积分明细 (the table is made when the list was empty).
  function addHistoryRow(entry) {
    var table = document.querySelector("table.rw-history");
    if (!table) {
      var card = document.getElementById("rw-history-card");
      if (!card) return;
      var empty = card.querySelector(".empty");
      if (empty) empty.remove();
      table = document.createElement("table");
      table.className = "table rw-history";
      var head = table.createTHead().insertRow();
      ["时间", "事项", "积分"].forEach(function (text, i) {
        var th = document.createElement("th");
        th.textContent = text;
        if (i === 2) th.className = "right";
        head.appendChild(th);
      });
      table.appendChild(document.createElement("tbody"));
      card.appendChild(table);
    }
    var row = table.tBodies[0].insertRow(0);
    var when = row.insertCell(), what = row.insertCell(), amount = row.insertCell();
    when.className = "muted small";
    when.textContent = entry.time;
    what.textContent = entry.label;
    amount.className = "right rw-amount " + (entry.amount > 0 ? "rw-plus" : (entry.amount < 0 ? "rw-minus" : ""));
    amount.textContent = (entry.amount > 0 ? "+" : "") + entry.amount;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-rw-checkin]");
    if (!form || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button");
    var message = form.querySelector(".rw-checkin-message");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {"Accept": "application/json", "X-CSRFToken": csrfToken()}
    }).then(function (resp) {
      return resp.json().then(function (data) { return {ok: resp.ok, data: data}; });
    }).then(function (result) {
      if (!result.ok) throw new Error((result.data.error || {}).message || "签到失败");
      var data = result.data;
      var balance = document.getElementById("rw-balance");
      var streak = document.getElementById("rw-streak");
      var lifetime = document.getElementById("rw-lifetime");
      if (balance) balance.textContent = data.balance;
      if (lifetime && data.lifetime !== undefined) lifetime.textContent = data.lifetime;
      if (streak) streak.textContent = data.streak;
      if (data.entry) addHistoryRow(data.entry);
      button.textContent = "今日已签到";
      if (message) message.textContent = data.message;
    }).catch(function (err) {
      button.disabled = false;
      if (message) message.textContent = err.message || "签到失败，请稍后再试";
    });
  });
})();
