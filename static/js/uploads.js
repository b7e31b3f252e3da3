/* Image attachments for every composer (textarea[data-composer]): a "添加图片" button,
   paste and drag-drop. Each image is sent to POST /uploads (checked, re-encoded and stripped
   of EXIF on the server) and its Markdown is inserted at the cursor. The composer toolbar's
   image button calls window.HuzhuUploads.pick(textarea). No inline script: CSP-safe. */
(function () {
  "use strict";

  var MAX_BYTES = 5 * 1024 * 1024;
  var TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function statusFor(textarea) {
    var holder = textarea.parentNode.querySelector(".upload-status");
    if (!holder) {
      holder = document.createElement("p");
      holder.className = "upload-status";
      holder.setAttribute("role", "status");
      holder.setAttribute("aria-live", "polite");
      textarea.insertAdjacentElement("afterend", holder);
    }
    return holder;
  }

  function say(textarea, text, isError) {
    var holder = statusFor(textarea);
    holder.textContent = text;
    holder.classList.toggle("is-error", Boolean(isError));
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart || 0;
    var end = textarea.selectionEnd || 0;
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    var glue = before && !/\n$/.test(before) ? "\n" : "";
    textarea.value = before + glue + text + "\n" + after;
    var caret = (before + glue + text + "\n").length;
    textarea.setSelectionRange(caret, caret);
    textarea.dispatchEvent(new Event("input", { bubbles: true })); // drafts notice the change
    textarea.focus();
  }

  function upload(textarea, file) {
    // A first check here saves a round trip; the server decides (content, not the name).
    if (TYPES.indexOf(file.type) === -1) {
      say(textarea, "只能上传 PNG、JPEG、GIF 或 WebP 图片", true);
      return Promise.resolve();
    }
    if (file.size > MAX_BYTES) {
      say(textarea, "图片太大了：最大 5 MB", true);
      return Promise.resolve();
    }
    var form = new FormData();
    form.append("file", file, file.name || "image");
    say(textarea, "正在上传图片…", false);
    return fetch("/uploads", {
      method: "POST",
      body: form,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        if (!result.ok) {
          var error = result.body && result.body.error;
          say(textarea, (error && error.message) || "上传失败，请稍后再试", true);
          return;
        }
        insertAtCursor(textarea, result.body.markdown);
        say(textarea, "图片已上传", false);
      })
      .catch(function () {
        say(textarea, "上传失败：网络连接有问题，请稍后再试", true);
      });
  }

  function uploadAll(textarea, files) {
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      chain = chain.then(function () { return upload(textarea, file); });
    });
    return chain;
  }

  function pick(textarea) {
    var input = document.createElement("input");
    input.type = "file";
    input.accept = TYPES.join(",");
    input.multiple = true;
    input.addEventListener("change", function () {
      uploadAll(textarea, input.files);
    });
    input.click();
  }

  function bind(textarea) {
    if (textarea.dataset.uploadsBound) return;
    textarea.dataset.uploadsBound = "1";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-quiet btn-small upload-button";
    button.textContent = "添加图片";
    button.setAttribute("aria-label", "添加图片（也可以粘贴或拖入图片）");
    button.addEventListener("click", function () { pick(textarea); });
    statusFor(textarea).insertAdjacentElement("beforebegin", button);

    textarea.addEventListener("paste", function (event) {
      var items = (event.clipboardData && event.clipboardData.files) || [];
      if (items.length) {
        event.preventDefault();
        uploadAll(textarea, items);
      }
    });
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) {
        event.preventDefault();
        textarea.classList.add("is-drop-target");
      }
    });
    textarea.addEventListener("dragleave", function () {
      textarea.classList.remove("is-drop-target");
    });
    textarea.addEventListener("drop", function (event) {
      textarea.classList.remove("is-drop-target");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        event.preventDefault();
        uploadAll(textarea, event.dataTransfer.files);
      }
    });
  }

  window.HuzhuUploads = { pick: pick, upload: uploadAll, bind: bind };

  function bindAll() {
    document.querySelectorAll("textarea[data-composer]").forEach(bind);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bindAll);
  } else {
    bindAll();
  }
})();
