// The chat page's script: checked in, no build step. The page works without it; it follows the
// conversation's running run and appends its entries (the agent's replies, tool calls, handoffs)
// as they are recorded, shows the form to answer as the human agent when the run waits for one,
// and reloads when the run ends or pauses. Entries come as HTML the server rendered (and
// escaped); this script never builds markup from data.
(function () {
  "use strict";

  var EVENT_TYPES = ["RunStarted", "AgentUpdated", "ModelResponded", "MessageOutput", "ReasoningOutput",
    "ToolCalled", "ToolFinished", "HandoffRequested", "HandoffIgnored", "HandoffOccurred", "GuardrailChecked",
    "ApprovalRequested", "RunPaused", "RunCompleted", "RunFailed", "Nested"];

  function follow(list) {
    var run = list.getAttribute("data-run");
    var next = parseInt(list.getAttribute("data-next"), 10) || 0;
    var loading = false;
    var again = false;

    function append() {
      if (loading) { again = true; return Promise.resolve(); }
      loading = true;
      return fetch("/ui/chat/entries?run=" + encodeURIComponent(run) + "&from=" + next, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          var holder = document.createElement("ol");
          holder.innerHTML = html;
          Array.prototype.slice.call(holder.children).forEach(function (li) {
            var seq = parseInt(li.getAttribute("data-seq"), 10);
            if (!document.getElementById(li.id)) { list.appendChild(li); }
            if (seq + 1 > next) { next = seq + 1; }
          });
        })
        .finally(function () {
          loading = false;
          if (again) { again = false; append(); }
        });
    }

    var source = new EventSource("/api/runs/" + encodeURIComponent(run) + "/stream?from=" + next);
    EVENT_TYPES.forEach(function (type) {
      source.addEventListener(type, function (e) {
        var seq = parseInt(e.lastEventId, 10);
        if (!isNaN(seq) && seq >= next) { append(); }
      });
    });
    source.addEventListener("end", function () {
      source.close();
      // The run ended or paused: reload to show the answer, the approval to decide, or the error.
      append().then(function () { window.location.reload(); });
    });
  }

  // Whether the person is writing in the box: replacing it would lose what they wrote.
  function busy(box) {
    var fields = box.querySelectorAll("textarea, select");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i] === document.activeElement || (fields[i].tagName === "TEXTAREA" && fields[i].value !== "")) { return true; }
    }
    return false;
  }

  // While the run goes on, asks every two seconds whether it waits for a person, and shows the form.
  function watchWaiting(box) {
    var url = box.getAttribute("data-refresh");
    setInterval(function () {
      if (busy(box)) { return; }
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null && !busy(box)) { box.innerHTML = html; } })
        .catch(function () { /* the next poll tries again */ });
    }, 2000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var chat = document.getElementById("chat");
    if (chat && chat.getAttribute("data-live") === "true") { follow(chat); }
    var waiting = document.getElementById("chat-waiting");
    if (waiting && waiting.getAttribute("data-refresh")) { watchWaiting(waiting); }
  });
})();
