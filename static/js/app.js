/* Huzhu (互助): progressive enhancement only — every action also works without JavaScript. */
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // POST a form with fetch and hand its JSON to apply(form, button, data); an error answer
  // shows its message; anything unexpected falls back to a normal submit. Other scripts use
  // it as window.Huzhu.postForm (ideas' votes).
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
        showToast(result.data && result.data.error ? result.data.error.message : "操作失败");
        return;
      }
      apply(form, button, result.data);
    }).catch(function () {
      button.disabled = false;
      form.submit(); // let the server handle it the old-fashioned way
    });
  }

  // Like buttons: update the count in place.
  function onLikeSubmit(event) {
    var form = event.target;
    if (event.defaultPrevented) return;
    if (!form.classList || !form.classList.contains("like-form") || !window.fetch) return;
    event.preventDefault();
    postForm(form, function (f, button, data) { applyLike(f, data.liked, data.like_count); });
  }

  function applyLike(form, liked, count) {
    var button = form.querySelector("button");
    form.querySelector('input[name="like"]').value = liked ? "0" : "1";
    button.classList.toggle("is-liked", liked);
    button.setAttribute("aria-pressed", liked ? "true" : "false");
    var label = button.querySelector(".like-label");
    if (label) label.textContent = liked ? "已赞" : "赞";
    var counter = button.querySelector(".like-count");
    if (counter) counter.textContent = String(count);
  }

  function showToast(message) {
    var box = document.querySelector(".flashes");
    if (!box) {
      box = document.createElement("div");
      box.className = "flashes";
      var main = document.getElementById("main");
      main.insertBefore(box, main.firstChild);
    }
    var alert = document.createElement("div");
    alert.className = "alert alert-error";
    alert.setAttribute("role", "alert");
    alert.textContent = message;
    box.appendChild(alert);
    window.scrollTo({ top: 0, behavior: "smooth" });
  }

  // data-confirm asks once before acting (the delete pages confirm on the server): on a
  // button or link when it is clicked, on a form when it is submitted. This is the only
  // place that asks; other scripts see a cancelled submit as defaultPrevented.
  function onConfirmClick(event) {
    var control = event.target.closest("button[data-confirm], a[data-confirm], input[data-confirm]");
    if (control && !window.confirm(control.getAttribute("data-confirm"))) event.preventDefault();
  }

  function onConfirmSubmit(event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }

  // Close the user menu when clicking elsewhere.
  function onDocumentClick(event) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
    onConfirmClick(event);
  }

  document.addEventListener("submit", onConfirmSubmit);
  document.addEventListener("submit", onLikeSubmit);
  document.addEventListener("click", onDocumentClick);
  // Phones: the main navigation folds behind a 菜单 button (without JavaScript it simply
  // wraps, whole words per line).
  function setUpNavToggle() {
    var header = document.querySelector(".site-header");
    var toggle = header ? header.querySelector(".nav-toggle") : null;
    if (!toggle) return;
    header.classList.add("has-nav-toggle");
    toggle.addEventListener("click", function () {
      var open = header.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpNavToggle();
    // A "back" button only makes sense when there is somewhere to go back to.
    document.querySelectorAll("[data-back]").forEach(function (button) {
      if (window.history.length > 1) button.hidden = false;
      button.addEventListener("click", function () { window.history.back(); });
    });
  });
  window.Huzhu = { postForm: postForm, toast: showToast, csrfToken: csrfToken };
})();
