// Rewards: the check-in button works without a page reload (the form still works without JS).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
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
      if (balance) balance.textContent = data.balance;
      if (streak) streak.textContent = data.streak;
      button.textContent = "今日已签到";
      if (message) message.textContent = data.message;
    }).catch(function (err) {
      button.disabled = false;
      if (message) message.textContent = err.message || "签到失败，请稍后再试";
    });
  });
})();
