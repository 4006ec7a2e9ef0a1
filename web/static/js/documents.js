// Documents: the service form offers only the methods possible for the chosen recipient and fills in
// the name the document names; the print page's button prints the framed document. Without
// JavaScript the forms work as they are (the server checks every choice) and the browser prints the page.
(function () {
  "use strict";
  document.querySelectorAll("form.service-form").forEach(function (form) {
    var recipient = form.querySelector("select[data-recipient]");
    var method = form.querySelector("select[data-method]");
    var name = form.querySelector("input[name=ontvanger_naam]");
    if (!recipient || !method) { return; }
    var filled = name ? name.value : "";
    function namesOf(option) {
      try { return JSON.parse(option.getAttribute("data-names") || "[]"); } catch (e) { return []; }
    }
    function update() {
      var chosen = recipient.value;
      Array.prototype.forEach.call(method.options, function (option) {
        var allowed = option.value === "" || (option.getAttribute("data-recipients") || "").split(" ").indexOf(chosen) >= 0;
        option.hidden = !allowed;
        option.disabled = !allowed;
        if (!allowed && option.selected) { method.value = ""; }
      });
      if (name && (name.value === "" || name.value === filled)) {
        var names = namesOf(recipient.options[recipient.selectedIndex]);
        name.value = names.length === 1 ? names[0] : "";
        filled = name.value;
      }
    }
    // The name is required except for the uithuisgeplaatste (the server takes the document's name):
    // the mark and aria-required follow the chosen recipient, as the server's rule does.
    var mark = form.querySelector("[data-name-required]");
    function markRequired() {
      if (!name) { return; }
      var optional = recipient.value === name.getAttribute("data-name-optional-for");
      if (mark) { mark.hidden = optional; }
      name.setAttribute("aria-required", optional ? "false" : "true");
    }
    recipient.addEventListener("change", update);
    recipient.addEventListener("change", markRequired);
    update();
    markRequired();
  });
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    var frame = document.getElementById(button.getAttribute("data-print"));
    if (!frame) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      frame.contentWindow.focus();
      frame.contentWindow.print();
    });
  });
}());
