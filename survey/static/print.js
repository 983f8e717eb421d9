/* 打印: each print button prints the page (the browser can save it as PDF); while printing, every collapsed
   part is opened, so the paper shows what the page holds, and closed again afterwards. */
(function () {
  "use strict";
  var opened = [];

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;  // without this script the button could do nothing, so it stays hidden
    button.addEventListener("click", function () { window.print(); });
  });

  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.slice.call(document.querySelectorAll("details:not([open])"));
    opened.forEach(function (details) { details.open = true; });
  });

  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });
})();
