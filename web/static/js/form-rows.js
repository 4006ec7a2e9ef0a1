// Add and remove rows of list fields. Without JavaScript the form offers a few empty rows instead.
(function () {
  "use strict";
  document.querySelectorAll("fieldset[data-rows]").forEach(function (fieldset) {
    var list = fieldset.querySelector(".row-list");
    var template = fieldset.querySelector("template.row-template");
    var add = fieldset.querySelector(".add-row");
    var hint = fieldset.querySelector(".no-js-hint");
    var max = parseInt(fieldset.getAttribute("data-max"), 10) || 50;
    var next = list.children.length;
    if (hint) { hint.hidden = true; }
    function wire(row) {
      var remove = row.querySelector(".remove-row");
      if (remove) {
        remove.hidden = false;
        remove.addEventListener("click", function () { row.remove(); add.hidden = list.children.length >= max; });
      }
    }
    Array.prototype.forEach.call(list.children, wire);
    add.hidden = list.children.length >= max;
    add.addEventListener("click", function () {
      var html = template.innerHTML.split("__INDEX__").join(String(next++));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      list.appendChild(row);
      wire(row);
      add.hidden = list.children.length >= max;
      var first = row.querySelector("input, select, textarea");
      if (first) { first.focus(); }
    });
  });
})();
