/* The fill-in page: re-score as answers change, show and hide items, warn before losing unsaved changes.
   The server does the work: this posts the form to the preview endpoint and applies its JSON. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview]");
  if (!form) return;
  var dirty = form.dataset.dirty === "1";  // a page shown again after a refused save holds unsaved values
  var timer = null;
  var sent = 0;
  var status = form.querySelector("[data-status]");
  var announce = document.querySelector("[data-announce]");

  function changed() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(preview, 300);
  }

  function preview() {
    var ticket = ++sent;
    fetch(form.dataset.preview, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (response.redirected && response.url.indexOf("/auth/login") >= 0) throw new Error(form.dataset.signedOut);
      if (!response.ok || type.indexOf("json") < 0) throw new Error(form.dataset.offline);
      return response.json();
    }).then(function (data) {
      if (ticket !== sent) return;  // a newer preview is on its way
      apply(data);
      status.textContent = "";
      announce.textContent = form.dataset.updated;
    }).catch(function (error) {
      status.textContent = error.message === form.dataset.signedOut ? error.message : form.dataset.offline;
    });
  }

  function apply(data) {
    Object.keys(data.relevant).forEach(function (id) {
      var wrap = document.getElementById("wrap-item_" + id);
      if (wrap) wrap.hidden = !data.relevant[id];
    });
    form.querySelectorAll(".item[data-item]").forEach(function (wrap) {
      var errors = data.errors[wrap.dataset.item] || [];
      wrap.querySelector(".errors").textContent = errors.join("；");
      wrap.classList.toggle("invalid", errors.length > 0);
      wrap.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.setAttribute("aria-invalid", errors.length > 0 ? "true" : "false");
      });
    });
    var unsaved = document.querySelector("[data-unsaved]");
    if (unsaved) {  // the refused save's list: a problem fixed leaves it; all fixed, the banner goes
      var left = 0;
      unsaved.querySelectorAll("li[data-for]").forEach(function (li) {
        li.hidden = !(data.errors[li.dataset.for] || []).length;
        if (!li.hidden) left++;
      });
      var any = Object.keys(data.errors).length > 0;
      unsaved.hidden = !any && left === 0;
      document.getElementById("fixed").hidden = !unsaved.hidden;
    }
    var card = data.scorecard;
    card.rows.forEach(function (row) {
      var li = document.querySelector('[data-indicator="' + row.id + '"]');
      if (!li) return;
      li.className = "ind st-" + row.status;
      li.querySelector("[data-value]").textContent = row.value || "—";
      li.querySelector("[data-word]").textContent = row.word;
      var gap = li.querySelector("[data-gap]");
      gap.textContent = row.gap;
      gap.hidden = !row.gap;
    });
    var next = document.querySelector("[data-next-grade]");
    if (next) {
      next.textContent = card.next_grade;
      next.hidden = !card.next_grade;
    }
    var requirements = document.querySelectorAll("[data-requirement]");
    (card.requirements || []).forEach(function (r, i) {
      if (!requirements[i]) return;
      requirements[i].className = r.met ? "met" : "not-met";
      requirements[i].querySelector("[data-words]").textContent = r.words;
    });
    document.querySelectorAll("[data-total]").forEach(function (el) { el.textContent = card.total || "—"; });
    document.querySelectorAll("[data-grade]").forEach(function (el) { el.textContent = card.grade; });
  }

  // "none" of a multiple choice is exclusive: ticking it clears the others, ticking another clears it
  form.addEventListener("change", function (event) {
    var box = event.target;
    if (box.type !== "checkbox" || !box.checked) return;
    var none = box.value === form.dataset.none;
    box.closest(".options").querySelectorAll('input[type="checkbox"]').forEach(function (other) {
      if (other !== box && (none || other.value === form.dataset.none)) other.checked = false;
    });
  });
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();
