/* Huzhu (互助) live updates over Socket.IO: the bell, notifications, new replies, presence.
 * Loaded for logged-in users only (templates/base.html). Events: docs/deploy.md.
 * Other scripts reach the connection through window.HuzhuRealtime or the "huzhu:realtime"
 * DOM event, e.g. document.addEventListener("huzhu:realtime", e => e.detail.socket.on(...)). */
(function () {
  "use strict";
  if (typeof window.io !== "function") return;

  var socket = window.io({ transports: ["websocket", "polling"], withCredentials: true });
  var topicId = parseInt(document.body.getAttribute("data-topic-id") || "", 10) || null;

  window.HuzhuRealtime = { socket: socket, topicId: topicId };
  document.dispatchEvent(new CustomEvent("huzhu:realtime", { detail: window.HuzhuRealtime }));

  // --- the bell ---------------------------------------------------------------------------
  function setUnread(count) {
    document.querySelectorAll("[data-unread-count]").forEach(function (badge) {
      badge.textContent = String(count);
      badge.hidden = !count;
      var bell = badge.closest(".header-bell");
      if (bell) bell.setAttribute("aria-label", count ? "通知（" + count + " 条未读）" : "通知");
    });
  }

  function toastBox() {
    var box = document.querySelector(".live-toasts");
    if (!box) {
      box = document.createElement("div");
      box.className = "live-toasts";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    return box;
  }

  function toast(text, url) {
    var item = document.createElement(url ? "a" : "div");
    item.className = "live-toast";
    item.textContent = text;
    if (url) item.href = url;
    toastBox().appendChild(item);
    setTimeout(function () { item.classList.add("is-leaving"); }, 6000);
    setTimeout(function () { item.remove(); }, 6600);
  }

  socket.on("unread_count", function (data) {
    if (data && typeof data.count === "number") setUnread(data.count);
  });

  socket.on("notification", function (data) {
    if (data && data.text) toast(data.text, data.url);
  });

  socket.on("error", function (data) {
    if (window.console) console.warn("realtime:", data && data.message);
  });

  // --- the open topic ---------------------------------------------------------------------
  function joinTopic() {
    if (!topicId) return;
    socket.emit("join_topic", { topic_id: topicId }, function (ack) {
      if (ack && ack.ok) showPresence(ack.count); // at once; later changes come as "presence"
    });
  }
  socket.on("connect", joinTopic); // also after every reconnect

  function presenceBadge() {
    var badge = document.querySelector("[data-presence]");
    if (!badge) {
      var facts = document.querySelector(".topic-facts");
      if (!facts) return null;
      badge = document.createElement("span");
      badge.className = "presence";
      badge.setAttribute("data-presence", "");
      facts.appendChild(badge);
    }
    return badge;
  }

  function showPresence(count) {
    var badge = presenceBadge();
    if (!badge || typeof count !== "number") return;
    badge.textContent = count + " 人正在浏览";
    badge.hidden = !count;
  }

  socket.on("presence", function (data) {
    if (data && data.topic_id === topicId) showPresence(data.count);
  });

  function onLastPage() {
    return !document.querySelector(".replies .pager a[rel=next]");
  }

  function updateReplyCounts(count) {
    if (typeof count !== "number") return;
    var heading = document.querySelector(".replies > .section-title");
    if (heading) heading.textContent = count + " 条回复";
    var fact = document.querySelector(".topic-facts span");
    if (fact && /回复$/.test(fact.textContent)) fact.textContent = count + " 回复";
  }

  function insertReply(html) {
    var section = document.querySelector("section.replies");
    if (!section) return null;
    var holder = document.createElement("div");
    holder.innerHTML = html; // rendered and sanitized by the server (forum/realtime.py)
    var article = holder.querySelector("article");
    if (!article) return null;
    var empty = section.querySelector(".small-empty");
    if (empty) empty.remove();
    var pager = section.querySelector(".pager");
    section.insertBefore(article, pager);
    article.classList.add("is-new");
    return article;
  }

  // The pushed copy is the same for every reader; its like button is the anonymous link, so
  // point it at the reply's own page, where the real button (with this user's state) is.
  function fixLikeLink(article, url) {
    article.querySelectorAll("a.btn-like").forEach(function (link) {
      link.href = url;
      link.removeAttribute("title");
    });
  }

  socket.on("reply_created", function (data) {
    if (!data || data.topic_id !== topicId || !data.reply) return;
    if (document.getElementById("post-" + data.reply.id)) return; // already shown
    updateReplyCounts(data.reply_count);
    var article = onLastPage() ? insertReply(data.reply.html) : null;
    if (article) {
      fixLikeLink(article, data.reply.url);
      return;
    }
    var name = data.reply.author ? data.reply.author.display_name : "有人";
    toast(name + " 发表了新回复，点击查看", data.reply.url);
  });
})();
