// newsindex: the only script of the pages, served by the package (no CDN, no build step).
// The pages work without it; it loads the panels that cost more than the rest of their page
// (significant terms, similar articles) after the page has shown.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("section[data-src]").forEach(function (panel) {
    panel.classList.add("loading");
    fetch(panel.dataset.src, { headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        // The panel is rendered by the server's templates, which escape every value.
        panel.innerHTML = html;
      })
      .catch(function () { /* keep the link to the panel's own page */ })
      .finally(function () { panel.classList.remove("loading"); });
  });
  // "/" jumps to the query box, as on most search sites.
  document.addEventListener("keydown", function (event) {
    var box = document.querySelector("input[name=q]");
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
    if (event.key === "/" && box && !typing) {
      event.preventDefault();
      box.focus();
      box.select();
    }
  });
});
