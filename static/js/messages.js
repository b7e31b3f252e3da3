/* Private messages (私信), live: the header's unread count, and new messages appended to an
   open conversation without reload. Progressive enhancement — without JavaScript or a socket
   the pages work as plain forms and links.

   The socket is the one realtime.js opens (window.HuzhuRealtime.socket, announced by the
   "huzhu:realtime" DOM event); this script listens on it for the server's `message` event:
     {conversation_id, message: {id, sender: {username, display_name, avatar_initials,
      avatar_hue}, body_html (sanitized on the server), created_at}}                        */
(function () {
  "use strict";

  var conversation = null;   // the open conversation's <section>, if any
  var pendingRead = null;    // a message id to mark read once the page is visible

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function setUnread(count) {
    var badge = document.querySelector("[data-unread-messages]");
    if (!badge) return;
    count = Math.max(0, count | 0);
    badge.textContent = String(count);
    badge.hidden = count === 0;
    var link = badge.closest(".header-messages");
    if (link) link.setAttribute("aria-label", count ? "私信（" + count + " 条未读）" : "私信");
  }

  function currentUnread() {
    var badge = document.querySelector("[data-unread-messages]");
    return badge ? parseInt(badge.textContent, 10) || 0 : 0;
  }

  function belongsToOpenConversation(data) {
    if (!conversation || conversation.getAttribute("data-live") !== "1") return false;
    var known = conversation.getAttribute("data-conversation-id");
    if (known) return String(data.conversation_id) === known;
    // A conversation that had no messages yet: the other user's first message opens it.
    var sender = data.message && data.message.sender && data.message.sender.username;
    return sender === conversation.getAttribute("data-other");
  }

  function avatar(sender) {
    var span = document.createElement("span");
    span.className = "avatar avatar-sm";
    span.setAttribute("aria-hidden", "true");
    span.style.setProperty("--hue", String(sender.avatar_hue || 210));
    span.textContent = sender.avatar_initials || "?";
    return span;
  }

  function appendMessage(data) {
    var message = data.message;
    if (document.getElementById("msg-" + message.id)) return false; // already shown
    var mine = message.sender.username === conversation.getAttribute("data-me");
    var item = document.createElement("li");
    item.className = "message is-new " + (mine ? "mine" : "theirs");
    item.id = "msg-" + message.id;
    item.setAttribute("data-message-id", String(message.id));
    var bubble = document.createElement("div");
    bubble.className = "message-bubble";
    var meta = document.createElement("div");
    meta.className = "message-meta";
    var name = document.createElement("span");
    name.className = "dn";
    name.textContent = mine ? "我" : message.sender.display_name;
    var time = document.createElement("time");
    time.setAttribute("datetime", message.created_at || "");
    time.textContent = "刚刚";
    meta.appendChild(name);
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(time);
    var body = document.createElement("div");
    body.className = "message-body";
    body.innerHTML = message.body_html; // sanitized by the server (forum/rendering.py)
    bubble.appendChild(meta);
    bubble.appendChild(body);
    item.appendChild(avatar(message.sender));
    item.appendChild(bubble);
    var list = document.getElementById("message-list");
    list.appendChild(item);
    var empty = document.getElementById("conversation-empty");
    if (empty) empty.remove();
    if (!conversation.getAttribute("data-conversation-id")) {
      conversation.setAttribute("data-conversation-id", String(data.conversation_id));
    }
    item.scrollIntoView({ block: "nearest" });
    return !mine;
  }

  function markRead(messageId) {
    if (!window.fetch || !conversation) return;
    if (document.visibilityState === "hidden") {
      pendingRead = messageId;
      return;
    }
    pendingRead = null;
    var form = new FormData();
    form.append("up_to", String(messageId));
    fetch(conversation.getAttribute("data-read-url"), {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (data && typeof data.unread_count === "number") setUnread(data.unread_count);
    }).catch(function () { /* the next page load shows the right count */ });
  }

  function onMessage(data) {
    if (!data || !data.message || !data.message.sender) return;
    var link = document.querySelector(".header-messages");
    var me = link ? link.getAttribute("data-me") : null;
    if (conversation && belongsToOpenConversation(data)) {
      if (appendMessage(data)) markRead(data.message.id);
      return;
    }
    if (data.message.sender.username !== me) setUnread(currentUnread() + 1);
  }

  function attach(socket) {
    if (!socket || socket.__huzhuMessages) return;
    socket.__huzhuMessages = true;
    socket.on("message", onMessage);
  }

  function findSocket() {
    // realtime.js (loaded after this script) opens the one connection and announces it;
    // if it never loads, private messages are simply not live.
    if (window.HuzhuRealtime && window.HuzhuRealtime.socket) {
      attach(window.HuzhuRealtime.socket);
      return;
    }
    document.addEventListener("huzhu:realtime", function (event) {
      attach(event.detail && event.detail.socket);
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && pendingRead) markRead(pendingRead);
  });

  function start() {
    conversation = document.getElementById("conversation");
    var newest = document.querySelector("#message-list .message:last-child");
    if (newest) newest.scrollIntoView({ block: "nearest" });
    findSocket();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
