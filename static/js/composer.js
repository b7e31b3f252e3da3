/* Huzhu composer: Markdown toolbar, 编辑/预览 tabs, @mention autocomplete and autosaved
 * drafts for every [data-composer-root] (templates/forum/_composer.html).
 *
 * Progressive enhancement: without this script the textarea is a plain form field and the
 * server still restores a saved draft into it. No inline styles or scripts (strict CSP):
 * dynamic positions are set through element.style. Image upload is window.HuzhuUploads
 * (static/js/uploads.js) when present.
 */
(function () {
  "use strict";

  var SAVE_DELAY = 2500;      // ms after the last keystroke
  var SAVE_MAX_WAIT = 10000;  // ms: save at least this often while typing
  var KEEPALIVE_MAX = 60000;  // bytes: fetch keepalive bodies are limited to 64 KiB
  var MENTION_RE = /(^|[^A-Za-z0-9_\u4e00-\u9fff@.])@([A-Za-z0-9_\u4e00-\u9fff]{1,20})$/;
  var EMOJI = ["😀", "😂", "😊", "😍", "🤔", "😅", "😭", "😡", "👍", "👎", "👏", "🙏",
               "💪", "🎉", "❤️", "🔥", "✅", "❌", "⚠️", "❓", "💡", "📱", "📶", "💰",
               "🏠", "📧", "⏰", "🚀", "👀", "🌟"];

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function errorMessage(data, fallback) {
    return data && data.error && data.error.message ? data.error.message : fallback;
  }

  function request(url, method, payload, keepalive) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    };
    if (payload !== undefined) {
      options.body = JSON.stringify(payload);
      options.headers["Content-Type"] = "application/json";
    }
    if (keepalive && (!options.body || options.body.length * 3 < KEEPALIVE_MAX)) {
      options.keepalive = true;
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: response.ok, status: response.status, data: data };
      });
    });
  }

  // --- editing the textarea -------------------------------------------------------------

  function replaceSelection(textarea, text, selectFrom, selectTo) {
    // execCommand keeps the browser's undo history; setRangeText is the fallback.
    var start = textarea.selectionStart;
    textarea.focus();
    var done = false;
    try { done = document.execCommand("insertText", false, text); } catch (e) { done = false; }
    if (!done) {
      textarea.setRangeText(text, start, textarea.selectionEnd, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    if (selectFrom !== undefined) {
      textarea.setSelectionRange(start + selectFrom, start + selectTo);
    }
  }

  function wrap(textarea, before, after, placeholder) {
    var selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
    var inner = selected || placeholder;
    replaceSelection(textarea, before + inner + after, before.length, before.length + inner.length);
  }

  function prefixLines(textarea, prefix) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = textarea.selectionEnd;
    var lineEnd = value.indexOf("\n", end);
    end = lineEnd === -1 ? value.length : lineEnd;
    textarea.setSelectionRange(start, end);
    var lines = value.slice(start, end).split("\n");
    var text = lines.map(function (line, i) {
      return (typeof prefix === "function" ? prefix(i) : prefix) + line;
    }).join("\n");
    replaceSelection(textarea, text, text.length, text.length);
  }

  function insertAtCursor(textarea, text) {
    replaceSelection(textarea, text, text.length, text.length);
  }

  var ACTIONS = {
    bold: function (t) { wrap(t, "**", "**", "粗体文字"); },
    italic: function (t) { wrap(t, "*", "*", "斜体文字"); },
    ul: function (t) { prefixLines(t, "- "); },
    ol: function (t) { prefixLines(t, function (i) { return (i + 1) + ". "; }); },
    link: function (t) {
      var selected = t.value.slice(t.selectionStart, t.selectionEnd) || "链接文字";
      var text = "[" + selected + "](https://)";
      // Select "https://" so typing the address replaces it.
      replaceSelection(t, text, selected.length + 3, selected.length + 11);
    },
    image: function (t) {
      if (window.HuzhuUploads && typeof window.HuzhuUploads.pick === "function") {
        window.HuzhuUploads.pick(t);
      } else {
        replaceSelection(t, "![描述](https://)", 2, 4);
      }
    },
    quote: function (t) { prefixLines(t, "> "); },
    code: function (t) {
      var selected = t.value.slice(t.selectionStart, t.selectionEnd);
      if (selected.indexOf("\n") !== -1) wrap(t, "```\n", "\n```", "");
      else wrap(t, "`", "`", "代码");
    },
    mention: function (t) {
      var before = t.value.slice(0, t.selectionStart);
      insertAtCursor(t, (before && !/\s$/.test(before) ? " @" : "@"));
    }
  };

  var BUTTONS = [
    ["bold", "B", "粗体（Ctrl+B）"],
    ["italic", "I", "斜体（Ctrl+I）"],
    ["ul", "•", "无序列表"],
    ["ol", "1.", "有序列表"],
    ["link", "🔗", "链接（Ctrl+K）"],
    ["image", "🖼", "插入图片"],
    ["quote", "❝", "引用"],
    ["code", "</>", "代码"],
    ["mention", "@", "提及用户"],
    ["emoji", "😊", "插入表情"]
  ];

  // --- one composer ---------------------------------------------------------------------

  function Composer(root) {
    this.root = root;
    this.textarea = root.querySelector("textarea[data-composer]");
    this.form = this.textarea.form;
    this.key = root.getAttribute("data-draft-key");
    this.draftUrl = root.getAttribute("data-draft-url");
    this.previewUrl = root.getAttribute("data-preview-url");
    this.suggestUrl = root.getAttribute("data-suggest-url");
    this.status = root.querySelector("[data-composer-status]");
    this.titleInput = this.form ? this.form.querySelector('input[name="title"]') : null;
    this.tagsInput = this.form ? this.form.querySelector('input[name="tags"]') : null;
    this.saveTimer = null;
    this.firstChange = 0;
    this.submitting = false;
    this.saving = false;
    this.mention = null;
    this.restoreFields();
    this.lastSaved = this.state();
    this.buildToolbar();
    this.bind();
  }

  Composer.prototype.restoreFields = function () {
    if (this.root.getAttribute("data-restored") !== "1") return;
    var title = this.root.getAttribute("data-draft-title");
    var tags = this.root.getAttribute("data-draft-tags");
    if (this.titleInput && title && !this.titleInput.value.trim()) this.titleInput.value = title;
    if (this.tagsInput && tags && !this.tagsInput.value.trim()) this.tagsInput.value = tags;
    this.showDiscard();
  };

  Composer.prototype.state = function () {
    return JSON.stringify({
      body: this.textarea.value,
      title: this.titleInput ? this.titleInput.value : "",
      tags: this.tagsInput ? this.tagsInput.value : ""
    });
  };

  Composer.prototype.setStatus = function (text, isError) {
    if (!this.status) return;
    this.status.textContent = text;
    this.status.classList.toggle("composer-error", !!isError);
  };

  Composer.prototype.showDiscard = function () {
    if (!this.status || this.status.querySelector("button")) return;
    var self = this;
    var button = el("button", { type: "button", "class": "btn-link composer-discard" }, "丢弃草稿");
    button.addEventListener("click", function () { self.discard(); });
    this.status.appendChild(document.createTextNode(" "));
    this.status.appendChild(button);
  };

  // --- toolbar, tabs, emoji ---

  Composer.prototype.buildToolbar = function () {
    var self = this;
    var bar = el("div", { "class": "composer-toolbar", role: "toolbar",
                          "aria-label": "Markdown 格式工具栏" });
    var tabs = el("div", { "class": "composer-tabs", role: "tablist", "aria-label": "编辑或预览" });
    this.editTab = el("button", { type: "button", role: "tab", "aria-selected": "true",
                                  "class": "composer-tab" }, "编辑");
    this.previewTab = el("button", { type: "button", role: "tab", "aria-selected": "false",
                                     "class": "composer-tab" }, "预览");
    tabs.appendChild(this.editTab);
    tabs.appendChild(this.previewTab);
    var tools = el("div", { "class": "composer-tools" });
    BUTTONS.forEach(function (spec) {
      var button = el("button", { type: "button", "class": "composer-btn composer-btn-" + spec[0],
                                  "aria-label": spec[2], title: spec[2],
                                  "data-action": spec[0] }, spec[1]);
      tools.appendChild(button);
    });
    bar.appendChild(tabs);
    bar.appendChild(tools);
    tools.addEventListener("mousedown", function (event) {
      // Keep the textarea's selection when a toolbar button is pressed.
      if (event.target.closest("[data-action]")) event.preventDefault();
    });
    tools.addEventListener("click", function (event) {
      var button = event.target.closest("[data-action]");
      if (!button) return;
      var action = button.getAttribute("data-action");
      if (action === "emoji") { self.toggleEmoji(button); return; }
      self.showEdit();
      ACTIONS[action](self.textarea);
    });
    this.editTab.addEventListener("click", function () { self.showEdit(); self.textarea.focus(); });
    this.previewTab.addEventListener("click", function () { self.showPreview(); });

    this.preview = el("div", { "class": "composer-preview post-body", role: "tabpanel",
                               "aria-label": "预览", hidden: "" });
    var field = this.textarea.parentNode;
    field.insertBefore(bar, this.textarea);
    field.insertBefore(this.preview, this.textarea.nextSibling);
  };

  Composer.prototype.toggleEmoji = function (anchor) {
    var self = this;
    if (this.emojiPanel && !this.emojiPanel.hidden) { this.closeEmoji(); return; }
    if (!this.emojiPanel) {
      this.emojiPanel = el("div", { "class": "composer-emoji", role: "dialog",
                                    "aria-label": "选择表情" });
      EMOJI.forEach(function (emoji) {
        var b = el("button", { type: "button", "class": "composer-emoji-btn",
                               "aria-label": "插入 " + emoji }, emoji);
        b.addEventListener("mousedown", function (e) { e.preventDefault(); });
        b.addEventListener("click", function () {
          self.showEdit();
          insertAtCursor(self.textarea, emoji);
          self.closeEmoji();
        });
        self.emojiPanel.appendChild(b);
      });
      this.emojiPanel.addEventListener("keydown", function (e) {
        if (e.key === "Escape") { self.closeEmoji(); anchor.focus(); }
      });
      anchor.parentNode.parentNode.appendChild(this.emojiPanel);
    }
    this.emojiPanel.hidden = false;
    anchor.setAttribute("aria-expanded", "true");
    this.emojiAnchor = anchor;
  };

  Composer.prototype.closeEmoji = function () {
    if (!this.emojiPanel) return;
    this.emojiPanel.hidden = true;
    if (this.emojiAnchor) this.emojiAnchor.setAttribute("aria-expanded", "false");
  };

  Composer.prototype.showEdit = function () {
    this.editTab.setAttribute("aria-selected", "true");
    this.previewTab.setAttribute("aria-selected", "false");
    this.preview.hidden = true;
    this.textarea.hidden = false;
  };

  Composer.prototype.showPreview = function () {
    var self = this;
    this.closeEmoji();
    this.closeMentions();
    this.editTab.setAttribute("aria-selected", "false");
    this.previewTab.setAttribute("aria-selected", "true");
    this.preview.style.minHeight = this.textarea.offsetHeight + "px";
    this.textarea.hidden = true;
    this.preview.hidden = false;
    var body = this.textarea.value;
    if (!body.trim()) { this.preview.textContent = "（没有内容可预览）"; return; }
    if (body === this.previewedBody) return;  // unchanged: no request
    this.preview.textContent = "正在生成预览…";
    request(this.previewUrl, "POST", { body: body }).then(function (result) {
      if (!result.ok) {
        self.preview.textContent = errorMessage(result.data, "预览失败");
        return;
      }
      self.previewedBody = body;
      // Sanitized on the server by the same rules as published posts (forum/rendering.py).
      self.preview.innerHTML = result.data.html;
    }).catch(function () { self.preview.textContent = "网络错误，预览失败"; });
  };

  // --- events ---

  Composer.prototype.bind = function () {
    var self = this;
    var t = this.textarea;
    t.addEventListener("input", function () { self.changed(); self.updateMentions(); });
    [this.titleInput, this.tagsInput].forEach(function (input) {
      if (input) input.addEventListener("input", function () { self.changed(); });
    });
    t.addEventListener("keydown", function (event) { self.closeEmoji(); self.onKeydown(event); });
    t.addEventListener("blur", function () {
      // Late enough for a click on a suggestion to land; not if the box has focus again
      // (a blur and refocus while typing must not cancel the pending suggestions).
      setTimeout(function () { if (document.activeElement !== t) self.closeMentions(); }, 150);
    });
    if (this.form) {
      this.form.addEventListener("submit", function (event) {
        // Publishing discards the draft on the server; a save arriving after that would
        // bring it back, so none starts from now on and one in flight is waited for.
        self.submitting = true;
        clearTimeout(self.saveTimer);
        if (self.inflight && !event.defaultPrevented) {
          var form = self.form;
          event.preventDefault();
          self.inflight.then(function () { HTMLFormElement.prototype.submit.call(form); });
        }
      });
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") self.saveNow(true);
    });
    window.addEventListener("pagehide", function () { self.saveNow(true); });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) self.submitting = false;  // back from the bfcache
    });
    document.addEventListener("click", function (event) {
      if (self.emojiPanel && !self.emojiPanel.hidden && !self.emojiPanel.contains(event.target) &&
          !event.target.closest(".composer-btn-emoji")) {
        self.closeEmoji();
      }
    });
  };

  Composer.prototype.onKeydown = function (event) {
    if (this.mention && this.handleMentionKey(event)) return;
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
    var key = event.key.toLowerCase();
    var action = { b: "bold", i: "italic", k: "link" }[key];
    if (!action) return;
    event.preventDefault();
    ACTIONS[action](this.textarea);
  };

  // --- autosave ---

  Composer.prototype.changed = function () {
    var self = this;
    if (this.submitting) return;
    var now = Date.now();
    if (!this.saveTimer) this.firstChange = now;
    clearTimeout(this.saveTimer);
    var wait = Math.max(0, Math.min(SAVE_DELAY, this.firstChange + SAVE_MAX_WAIT - now));
    this.saveTimer = setTimeout(function () { self.saveNow(false); }, wait);
  };

  Composer.prototype.saveNow = function (leaving) {
    var self = this;
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (this.submitting || !this.draftUrl) return;
    var state = this.state();
    if (state === this.lastSaved) return;  // only when changed
    if (this.saving && !leaving) { this.changed(); return; }  // one request at a time
    var payload = JSON.parse(state);
    var empty = !payload.body.trim() && !payload.title.trim() && !payload.tags.trim();
    this.saving = true;
    var call = empty ? request(this.draftUrl, "DELETE", undefined, leaving)
                     : request(this.draftUrl, "PUT", payload, leaving);
    this.lastSaved = state;  // a failure below puts it back so the next change retries
    this.inflight = call.then(function (result) {
      self.saving = false;
      self.inflight = null;
      if (result.ok) {
        if (empty || result.data.discarded) self.setStatus("");
        else self.setStatus("草稿已保存 " + (result.data.saved_at_label || ""));
      } else {
        self.lastSaved = null;
        self.setStatus("草稿未保存：" + errorMessage(result.data, "保存失败"), true);
      }
    }).catch(function () {
      self.saving = false;
      self.inflight = null;
      self.lastSaved = null;
      if (!leaving) self.setStatus("草稿未保存：网络错误，稍后自动重试", true);
    });
  };

  Composer.prototype.discard = function () {
    var self = this;
    request(this.draftUrl, "DELETE").then(function (result) {
      if (!result.ok) { self.setStatus(errorMessage(result.data, "删除草稿失败"), true); return; }
      if (self.key.indexOf("edit:") === 0) { window.location.reload(); return; }
      self.textarea.value = "";
      self.lastSaved = self.state();
      self.setStatus("草稿已丢弃");
    });
  };

  // --- @mention autocomplete ---

  Composer.prototype.updateMentions = function () {
    var self = this;
    var t = this.textarea;
    var match = t.selectionStart === t.selectionEnd &&
      MENTION_RE.exec(t.value.slice(Math.max(0, t.selectionStart - 22), t.selectionStart));
    if (!match) { this.closeMentions(); return; }
    var query = match[2];
    clearTimeout(this.mentionTimer);
    this.mentionTimer = setTimeout(function () {
      fetch(self.suggestUrl + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (r) { return r.ok ? r.json() : { users: [] }; })
        .then(function (data) { self.showMentions(query, data.users || []); })
        .catch(function () { self.closeMentions(); });
    }, 120);
  };

  Composer.prototype.mentionList = function () {
    if (this.list) return this.list;
    var id = "composer-mentions-" + Math.random().toString(36).slice(2, 8);
    this.list = el("ul", { "class": "composer-mentions", role: "listbox", id: id,
                           "aria-label": "提及用户", hidden: "" });
    this.textarea.parentNode.insertBefore(this.list, this.textarea.nextSibling);
    this.textarea.setAttribute("aria-controls", id);
    this.textarea.setAttribute("aria-autocomplete", "list");
    return this.list;
  };

  Composer.prototype.showMentions = function (query, users) {
    var self = this;
    if (!users.length) { this.closeMentions(); return; }
    var list = this.mentionList();
    list.textContent = "";
    users.forEach(function (user, i) {
      var item = el("li", { role: "option", id: list.id + "-" + i, "aria-selected": "false",
                            "class": "composer-mention", "data-username": user.username });
      item.appendChild(el("b", {}, user.display_name));
      item.appendChild(el("span", { "class": "muted" }, " @" + user.username));
      item.addEventListener("mousedown", function (e) {
        e.preventDefault();
        self.insertMention(user.username);
      });
      list.appendChild(item);
    });
    // Place the list under the textarea's top-left, inside the field (no inline styles in
    // HTML: CSSOM is allowed by the policy).
    list.style.top = (this.textarea.offsetTop + this.textarea.offsetHeight) + "px";
    list.style.left = this.textarea.offsetLeft + "px";
    list.hidden = false;
    this.textarea.setAttribute("aria-expanded", "true");
    this.mention = { query: query, index: 0, users: users };
    this.highlight(0);
  };

  Composer.prototype.highlight = function (index) {
    var items = this.list.querySelectorAll("[role=option]");
    index = (index + items.length) % items.length;
    this.mention.index = index;
    Array.prototype.forEach.call(items, function (item, i) {
      item.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    this.textarea.setAttribute("aria-activedescendant", items[index].id);
  };

  Composer.prototype.handleMentionKey = function (event) {
    if (event.key === "ArrowDown") { this.highlight(this.mention.index + 1); }
    else if (event.key === "ArrowUp") { this.highlight(this.mention.index - 1); }
    else if (event.key === "Enter" || event.key === "Tab") {
      this.insertMention(this.mention.users[this.mention.index].username);
    } else if (event.key === "Escape") { this.closeMentions(); }
    else { return false; }
    event.preventDefault();
    return true;
  };

  Composer.prototype.insertMention = function (username) {
    var t = this.textarea;
    var query = this.mention ? this.mention.query : "";
    var end = t.selectionStart;
    t.setSelectionRange(end - query.length, end);
    this.closeMentions();
    replaceSelection(t, username + " ", username.length + 1, username.length + 1);
  };

  Composer.prototype.closeMentions = function () {
    clearTimeout(this.mentionTimer);
    this.mention = null;
    if (!this.list) return;
    this.list.hidden = true;
    this.textarea.setAttribute("aria-expanded", "false");
    this.textarea.removeAttribute("aria-activedescendant");
  };

  function init() {
    if (!window.fetch || !window.JSON) return;
    Array.prototype.forEach.call(document.querySelectorAll("[data-composer-root]"), function (root) {
      if (root.querySelector("textarea[data-composer]")) new Composer(root);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
