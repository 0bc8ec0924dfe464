// crm-mind admin console: the one piece of script. Every page works without it; with it,
// "Sync now" answers in place and the link's status cell refreshes until the run ends, a
// Metakocka bulk run's progress refreshes until it ends (then the page reloads to show the
// new mapping statuses), and "select all" ticks every row of a bulk form.
(function () {
  "use strict";
  var POLL_MS = 1000;

  function poll(cell) {
    if (!cell || cell.getAttribute("data-running") !== "true") return;
    setTimeout(function () {
      fetch(cell.getAttribute("data-status-url"), { credentials: "same-origin", headers: { "X-Admin-Fragment": "1" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { poll(replace(cell, html)); })
        .catch(function () { poll(cell); });
    }, POLL_MS);
  }

  function replace(cell, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    cell.replaceWith(fresh);
    wire(fresh);
    return fresh;
  }

  function wire(root) {
    root.querySelectorAll("form[data-fragment]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var cell = form.closest(".link-status");
        fetch(form.action, {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-Admin-Fragment": "1", "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(new FormData(form)).toString()
        })
          .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
          .then(function (html) { poll(replace(cell, html)); })
          .catch(function () { form.submit(); });
      });
    });
  }

  function pollRun(box) {
    setTimeout(function () {
      fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin", headers: { "X-Admin-Fragment": "1" } })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html.trim();
          var fresh = holder.firstElementChild;
          box.replaceWith(fresh);
          if (fresh.getAttribute("data-running") === "true") pollRun(fresh);
          else window.location.reload();
        })
        .catch(function () { pollRun(box); });
    }, POLL_MS);
  }

  function wireSelectAll(root) {
    root.querySelectorAll("input[data-select-all]").forEach(function (all) {
      var form = all.form;
      var name = all.getAttribute("data-select-all");
      var label = all.closest("[data-select-all-label]");
      if (label) label.hidden = false;
      all.addEventListener("change", function () {
        form.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (box) {
          box.checked = all.checked;
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wire(document);
    wireSelectAll(document);
    document.querySelectorAll(".link-status[data-running='true']").forEach(poll);
    document.querySelectorAll(".mk-progress[data-running='true']").forEach(pollRun);
  });
})();
