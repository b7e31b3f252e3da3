/* 金点子: progressive enhancement only — every form also works without JavaScript. */
(function () {
  "use strict";

  // The shared helpers of static/js/app.js (loaded first on every page).
  var postForm = window.Huzhu.postForm;

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
    // data-confirm is asked by static/js/app.js, once; a cancelled submit stops there.
    if (!form.classList || event.defaultPrevented) return;
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
