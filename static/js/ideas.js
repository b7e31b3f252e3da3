/* 金点子: progressive enhancement only — every form also works without JavaScript. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function toast(message) {
    var box = document.querySelector(".flashes");
    if (!box) {
      box = document.createElement("div");
      box.className = "flashes";
      var main = document.getElementById("main");
      main.insertBefore(box, main.firstChild);
    }
    var alert = document.createElement("div");
    alert.className = "alert alert-warning";
    alert.setAttribute("role", "status");
    alert.textContent = message;
    box.appendChild(alert);
  }

  // POST a form with fetch and hand its JSON to apply(); fall back to a normal submit.
  function postForm(form, apply) {
    var button = form.querySelector("button");
    if (button.disabled) return;
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) throw new Error("not json");
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      button.disabled = false;
      if (!result.ok) {
        toast(result.data && result.data.error ? result.data.error.message : "操作失败");
        return;
      }
      apply(form, button, result.data);
    }).catch(function () {
      button.disabled = false;
      form.submit();
    });
  }

  function applyVote(form, button, data) {
    form.querySelector('input[name="vote"]').value = data.voted ? "0" : "1";
    button.classList.toggle("is-voted", data.voted);
    button.setAttribute("aria-pressed", data.voted ? "true" : "false");
    var label = button.querySelector(".vote-label");
    if (label) label.textContent = data.voted ? "已赞" : "点赞";
    var counter = button.querySelector(".vote-count");
    if (counter) counter.textContent = String(data.vote_count);
  }

  function applyRoundVote(form, button, data) {
    form.querySelector('input[name="vote"]').value = data.voted ? "0" : "1";
    button.classList.toggle("is-voted", data.voted);
    button.setAttribute("aria-pressed", data.voted ? "true" : "false");
    button.textContent = data.voted ? "已投票" : "投一票";
    var row = form.closest("tr");
    var cell = row ? row.querySelector(".round-votes") : null;
    if (cell) cell.textContent = String(data.vote_count);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    if (!window.fetch) return;
    if (form.classList.contains("vote-form")) {
      event.preventDefault();
      postForm(form, applyVote);
    } else if (form.classList.contains("round-vote-form")) {
      event.preventDefault();
      postForm(form, applyRoundVote);
    }
  });
})();
