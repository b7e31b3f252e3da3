// Similar questions while writing a new topic (templates/search/_similar_composer.html):
// as the title is typed, GET /api/v1/search/similar and list up to five topics, solved ones
// with the first line of their accepted answer; and a topic page's 相关话题
// (templates/search/_related.html). Text only (no innerHTML), no inline code.
(function () {
  "use strict";
  var DELAY_MS = 350;
  var MIN_CHARS = 2;

  function topicUrl(template, id) {
    return template.replace(/0$/, String(id));
  }

  function render(root, list, items) {
    var template = root.getAttribute("data-topic-url");
    while (list.firstChild) list.removeChild(list.firstChild);
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "similar-item";
      var link = document.createElement("a");
      link.href = topicUrl(template, item.topic_id);
      link.target = "_blank";
      link.rel = "noopener";
      if (item.solved) {
        var badge = document.createElement("span");
        badge.className = "badge badge-solved";
        badge.textContent = "已解决";
        link.appendChild(badge);
      }
      link.appendChild(document.createTextNode(item.title));
      li.appendChild(link);
      if (item.accepted_excerpt) {
        var excerpt = document.createElement("p");
        excerpt.className = "similar-excerpt muted";
        excerpt.textContent = "最佳答案：" + item.accepted_excerpt;
        li.appendChild(excerpt);
      }
      list.appendChild(li);
    });
    root.hidden = items.length === 0;
  }

  function attach(root) {
    var form = root.closest("form");
    var input = form && form.querySelector("input[name=title]");
    var list = root.querySelector("[data-similar-list]");
    if (!input || !list) return;
    var timer = null;
    var asked = "";
    var latest = 0;
    function ask() {
      var title = input.value.trim();
      if (title === asked) return;
      asked = title;
      if (title.length < MIN_CHARS) { render(root, list, []); return; }
      var ticket = ++latest;
      var url = root.getAttribute("data-similar-url") + "?title=" + encodeURIComponent(title);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (resp) { return resp.ok ? resp.json() : { items: [] }; })
        .then(function (data) { if (ticket === latest) render(root, list, data.items || []); })
        .catch(function () { /* no suggestions is fine: the form still works */ });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
    if (input.value.trim()) ask();
  }

  // A topic page's 相关话题: asked once, the URL already names the topic.
  function related(root) {
    var list = root.querySelector("[data-similar-list]");
    fetch(root.getAttribute("data-similar-url"),
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (resp) { return resp.ok ? resp.json() : { items: [] }; })
      .then(function (data) { render(root, list, data.items || []); })
      .catch(function () { /* no block is fine */ });
  }

  function init() {
    document.querySelectorAll("[data-similar-root]").forEach(attach);
    document.querySelectorAll("[data-related-root]").forEach(related);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
