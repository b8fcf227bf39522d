// Sends the CSV upload form with its CSRF token in the x-csrf-token header: the server checks the token
// before it reads a multipart body, so a form field would come too late. Shows the upload's progress, then
// goes to the preview; an error page (file too large, not a CSV) replaces the main content in place.
(function () {
  "use strict";

  function attach(root) {
    var form = root.querySelector("form[data-upload-form]");
    if (!form || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      var progress = form.querySelector("#upload-progress");
      var status = form.querySelector("#upload-status");
      var token = form.querySelector("input[name=_csrf]");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("x-csrf-token", token ? token.value : "");
      xhr.setRequestHeader("x-upload", "1");
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var percent = Math.floor((e.loaded / e.total) * 100);
        progress.hidden = false;
        progress.value = percent;
        progress.textContent = percent + " %";
        status.textContent = "Uploaden: " + percent + " %";
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 201) {
          var location = xhr.getResponseHeader("Location");
          if (location && location.charAt(0) === "/") {
            status.textContent = "Het bestand is ontvangen. Het voorbeeld wordt geopend.";
            window.location.assign(location);
            return;
          }
        }
        show(xhr.responseText);
      });
      xhr.addEventListener("error", function () {
        status.textContent = "Het uploaden is niet gelukt. Controleer de verbinding en probeer het opnieuw.";
        button.disabled = false;
      });
      button.disabled = true;
      status.textContent = "Uploaden…";
      xhr.send(new FormData(form));
    });
  }

  // The server answered with a page (an error): show its main content here and let the form work again.
  function show(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var incoming = page.querySelector("main");
    var current = document.querySelector("main");
    if (!incoming || !current) {
      window.location.reload();
      return;
    }
    document.title = page.title;
    var replacement = document.importNode(incoming, true);
    current.replaceWith(replacement);
    replacement.focus();
    attach(replacement);
  }

  attach(document);
})();
