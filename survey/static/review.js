/* Review pages. The queue: a header checkbox picks or unpicks every response on the page, and the approve
   button counts the picks (without this script, 全选本页 reloads the page with every box ticked). The review
   page: a note beside the actions while typed verified values are not yet saved (通过 saves them too). */
(function () {
  "use strict";

  document.querySelectorAll("form[data-picks]").forEach(function (form) {
    var all = form.querySelector("[data-pick-all]");
    var boxes = Array.prototype.slice.call(form.querySelectorAll('input[name="picked"]'));
    var button = form.querySelector("[data-picked-count]");
    var plain = button ? button.textContent : "";
    function update() {
      var n = boxes.filter(function (box) { return box.checked; }).length;
      if (all) {
        all.checked = n === boxes.length && n > 0;
        all.indeterminate = n > 0 && n < boxes.length;
      }
      if (button) button.textContent = n ? button.dataset.pickedCount.replace("{n}", n) : plain;
    }
    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
        update();
      });
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
  });

  var verified = Array.prototype.slice.call(document.querySelectorAll("input[data-verified]"));
  var unsaved = document.querySelector("[data-unsaved]");
  if (verified.length && unsaved) {
    var check = function () {
      unsaved.hidden = !verified.some(function (input) { return input.value !== input.defaultValue; });
    };
    verified.forEach(function (input) { input.addEventListener("input", check); });
    check();
  }
})();
