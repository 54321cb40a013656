// The Baton web UI's main script: checked in, no build step. The pages work without it; it keeps
// the runs table and the approvals inbox current (not while a form in the inbox is being filled
// in) and appends a running run's new timeline entries as they are recorded.
// Entries come as HTML the server rendered (and escaped); this script never builds markup from data.
(function () {
  "use strict";

  // Whether the person is filling in a form in the box (the approvals inbox): a refresh would lose it.
  function busy(box) {
    var fields = box.querySelectorAll("textarea, select");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i] === document.activeElement || (fields[i].tagName === "TEXTAREA" && fields[i].value !== "")) { return true; }
    }
    return false;
  }

  function refreshRuns(box) {
    var url = box.getAttribute("data-refresh");
    setInterval(function () {
      if (busy(box)) { return; }
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null && !busy(box)) { box.innerHTML = html; } })
        .catch(function () { /* the next poll tries again */ });
    }, 3000);
  }

  var EVENT_TYPES = ["RunStarted", "AgentUpdated", "ModelResponded", "MessageOutput", "ReasoningOutput",
    "ToolCalled", "ToolFinished", "HandoffRequested", "HandoffIgnored", "HandoffOccurred", "GuardrailChecked",
    "ApprovalRequested", "RunPaused", "RunCompleted", "RunFailed", "Nested"];

  function followRun(list) {
    var run = list.getAttribute("data-run");
    var next = parseInt(list.getAttribute("data-next"), 10) || 0;
    var loading = false;
    var again = false;

    function append() {
      if (loading) { again = true; return Promise.resolve(); }
      loading = true;
      return fetch("/ui/runs/" + encodeURIComponent(run) + "/entries?from=" + next, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          var holder = document.createElement("ol");
          holder.innerHTML = html;
          Array.prototype.slice.call(holder.children).forEach(function (li) {
            var seq = parseInt(li.getAttribute("data-seq"), 10);
            if (!document.getElementById("event-" + seq)) { list.appendChild(li); }
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
      // The run ended or paused: reload to show its status, output or error.
      append().then(function () { window.location.reload(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var runs = document.getElementById("runs");
    if (runs && runs.getAttribute("data-refresh")) { refreshRuns(runs); }
    var approvals = document.getElementById("approvals");
    if (approvals && approvals.getAttribute("data-refresh")) { refreshRuns(approvals); }
    var timeline = document.getElementById("timeline");
    if (timeline && timeline.getAttribute("data-live") === "true") { followRun(timeline); }
  });
})();
