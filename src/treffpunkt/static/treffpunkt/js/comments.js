// Comments: "Reply" moves the form under the comment; the queue gets "select all".
// Everything works without this file (plain links and forms).
(function () {
  "use strict";

  var respond = document.getElementById("respond");
  if (respond) {
    var home = respond.parentNode;
    var next = respond.nextSibling;
    var form = respond.querySelector("form");
    var parentInput = form && form.querySelector("input[name=parent]");
    var title = respond.querySelector(".comment-respond__title");
    var defaultTitle = title ? title.textContent : "";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "link-button";
    cancel.textContent = respond.dataset.cancelLabel;
    cancel.hidden = true;
    if (title) title.after(cancel);

    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("[data-reply-to]");
      if (!link || !parentInput) return;
      event.preventDefault();
      parentInput.value = link.dataset.replyTo;
      var item = document.getElementById("comment-" + link.dataset.replyTo);
      item.querySelector(".comment__card").after(respond);
      if (title) title.textContent = respond.dataset.replyTitle.replace("%(name)s", link.dataset.replyName);
      cancel.hidden = false;
      var text = form.querySelector("textarea");
      if (text) text.focus();
    });

    cancel.addEventListener("click", function () {
      parentInput.value = "";
      home.insertBefore(respond, next);
      if (title) title.textContent = defaultTitle;
      cancel.hidden = true;
      var text = form.querySelector("textarea");
      if (text) text.focus();
    });
  }

  var all = document.querySelector("[data-select-all]");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=selected]").forEach(function (box) {
        box.checked = all.checked;
      });
    });
  }
})();
