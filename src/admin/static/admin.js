// crm-mind admin console: the one piece of script. Every page works without it; with it,
// "Sync now" answers in place and the link's status cell refreshes until the run ends.
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

  document.addEventListener("DOMContentLoaded", function () {
    wire(document);
    document.querySelectorAll(".link-status[data-running='true']").forEach(poll);
  });
})();
