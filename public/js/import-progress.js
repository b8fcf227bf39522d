// Keeps the import progress page up to date: asks the status endpoint every second, moves the <progress>
// bar and the counts, and reloads the page for the result once the import has finished. Without JavaScript
// the page refreshes itself (meta refresh in <noscript>) and has a reload link.
(function () {
  "use strict";

  var bar = document.querySelector("progress[data-status-url]");
  if (!bar || !window.fetch) return;
  var url = bar.getAttribute("data-status-url");
  var format = new Intl.NumberFormat("nl-NL");

  function update(status) {
    bar.value = status.percent;
    bar.textContent = status.percent + " %";
    ["rowsDone", "accepted", "unchanged", "rejected"].forEach(function (name) {
      var cell = document.querySelector('[data-count="' + name + '"]');
      var text = format.format(status[name]);
      if (cell && cell.textContent !== text) cell.textContent = text;
    });
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (status) {
        update(status);
        if (status.finished) window.location.reload();
        else window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // A hiccup (the server restarting, a lost connection): try again a little later.
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
