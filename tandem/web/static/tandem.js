// Tandem's pages: the few behaviours htmx does not have. No framework, nothing loaded from elsewhere.
(function () {
  "use strict";

  // Enter sends the message box's form; Shift+Enter (or an IME composition) types a new line.
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || !box.matches("textarea[data-enter-sends]")) {
      return;
    }
    event.preventDefault();
    if (box.value.trim() && box.form) {
      box.form.requestSubmit();
    }
  });

  document.addEventListener("click", function (event) {
    // "Use draft": the AI's draft goes into the reply box, to send as it is or to edit first.
    var use = event.target.closest("[data-use-draft]");
    if (use) {
      var draft = document.querySelector(use.getAttribute("data-use-draft"));
      var reply = document.getElementById("reply-text");
      if (draft && reply) {
        reply.value = draft.textContent.trim();
        var flag = document.getElementById("used-draft");
        if (flag) {
          flag.value = "true";
        }
        reply.focus();
        reply.setSelectionRange(reply.value.length, reply.value.length);
      }
      return;
    }
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss && dismiss.parentElement) {
      dismiss.parentElement.remove();
    }
  });

  // A conversation opens at its latest message.
  function showLatest() {
    document.querySelectorAll(".transcript").forEach(function (list) {
      list.scrollTop = list.scrollHeight;
    });
  }
  document.addEventListener("DOMContentLoaded", showLatest);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target.querySelector && event.target.querySelector(".transcript")) {
      showLatest();
    }
  });

  // A message the page already shows is not added again: after the stream reconnects from the page's
  // starting point, events up to the last one seen are dropped (by their position, the event id).
  document.addEventListener("htmx:sseBeforeMessage", function (event) {
    var message = event.detail;
    if (!message || message.type !== "message" || !message.lastEventId) {
      return;
    }
    var live = event.target.closest("[data-last-seq]");
    var seq = Number(message.lastEventId);
    if (!live || !seq) {
      return;
    }
    if (seq <= Number(live.getAttribute("data-last-seq"))) {
      event.preventDefault();
      return;
    }
    live.setAttribute("data-last-seq", String(seq));
  });
})();
