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

  // The photo's description is asked for only once there is a photo.
  var photo = document.querySelector('input[type="file"][name="photo"]');
  var description = document.querySelector("[data-needs-photo]");
  var kept = document.querySelector('input[name="kept_photo"]');
  var forget = document.querySelector('input[name="forget_photo"]');
  if (photo && description) {
    var syncDescription = function () {
      var keptPhoto = Boolean(kept) && !(forget && forget.checked);
      description.hidden = !(photo.files.length > 0 || keptPhoto);
    };
    photo.addEventListener("change", syncDescription);
    if (forget) forget.addEventListener("change", syncDescription);
    syncDescription();
  }

  var name = document.querySelector('input[name="author_name"]');
  if (name && window.localStorage) {
    if (!name.value) name.value = window.localStorage.getItem("treffpunkt:name") || "";
    name.form.addEventListener("submit", function () {
      window.localStorage.setItem("treffpunkt:name", name.value);
    });
  }
})();
