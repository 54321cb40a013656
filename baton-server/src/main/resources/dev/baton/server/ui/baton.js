// The Baton web UI's only script: checked in, no build step. The pages work without it. It does two
// things, wherever a page asks for them with data attributes:
//  - an element with data-refresh="URL" is replaced every data-every milliseconds (3000 unless
//    set) with the HTML at URL (the runs table, the approvals inbox, the chat's "waiting for a
//    person" box), except while a form in it is being filled in;
//  - a list with data-live="true", data-run and data-entries="URL ending in from=" follows the
//    run's stream and appends the entries the server renders from data-next on (the run's
//    timeline, the chat), then reloads the page when the run ends or pauses.
// Entries come as HTML the server rendered (and escaped); this script never builds markup from data.
(function () {
  "use strict";

  // Whether the person is filling in a form in the box: a refresh would lose what they wrote.
  function busy(box) {
    var fields = box.querySelectorAll("textarea, select, input[type=text]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i] === document.activeElement || (fields[i].tagName !== "SELECT" && fields[i].value !== "")) { return true; }
    }
    return false;
  }

  function refresh(box) {
    var url = box.getAttribute("data-refresh");
    var every = parseInt(box.getAttribute("data-every"), 10) || 3000;
    setInterval(function () {
      if (busy(box)) { return; }
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null && !busy(box)) { box.innerHTML = html; } })
        .catch(function () { /* the next poll tries again */ });
    }, every);
  }

  var EVENT_TYPES = ["RunStarted", "AgentUpdated", "ModelResponded", "MessageOutput", "ReasoningOutput",
    "ToolCalled", "ToolFinished", "HandoffRequested", "HandoffIgnored", "HandoffOccurred", "GuardrailChecked",
    "ApprovalRequested", "RunPaused", "RunCompleted", "RunFailed", "Nested"];

  function follow(list) {
    var run = list.getAttribute("data-run");
    var entries = list.getAttribute("data-entries");
    var next = parseInt(list.getAttribute("data-next"), 10) || 0;
    var loading = false;
    var again = false;

    function append() {
      if (loading) { again = true; return Promise.resolve(); }
      loading = true;
      return fetch(entries + next, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) {
          var holder = document.createElement("ol");
          holder.innerHTML = html;
          Array.prototype.slice.call(holder.children).forEach(function (li) {
            var seq = parseInt(li.getAttribute("data-seq"), 10);
            if (!li.id || !document.getElementById(li.id)) { list.appendChild(li); }
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
      // The run ended or paused: reload to show its status, its answer, the approval to decide or the error.
      append().then(function () { window.location.reload(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-refresh]"), refresh);
    Array.prototype.forEach.call(document.querySelectorAll("ol[data-live='true'][data-entries]"), follow);
  });
})();
