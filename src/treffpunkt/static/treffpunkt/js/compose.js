/* The guest's form: a character counter that counts like Mastodon (a link is 23), and the
 * display name remembered on this device. Works without it, too. */
(function () {
  "use strict";
  var URL_RE = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/gi;

  document.querySelectorAll("textarea[data-counter]").forEach(function (field) {
    var limit = Number(field.dataset.counter);
    var counter = document.createElement("p");
    counter.className = "field__counter";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    function update() {
      var used = field.value.replace(URL_RE, "x".repeat(23)).length;
      var left = limit - used;
      // Characters used of the limit: "0 / 500" at the start, red once over it.
      counter.textContent = used + " / " + limit;
      counter.classList.toggle("field__counter--over", left < 0);
    }
    field.addEventListener("input", update);
    update();
  });

  var name = document.querySelector('input[name="author_name"]');
  if (name && window.localStorage) {
    if (!name.value) name.value = window.localStorage.getItem("treffpunkt:name") || "";
    name.form.addEventListener("submit", function () {
      window.localStorage.setItem("treffpunkt:name", name.value);
    });
  }
})();
