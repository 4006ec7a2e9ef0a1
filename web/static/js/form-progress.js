// Long forms (the RiHG: three levels, dozens of indicators) get a jump menu per part (rendered by the
// server, so it works without JavaScript); this adds per part how many of its choices are made
// (a radio group counts once one of its real options is chosen; an empty "not scored" option does not).
(function () {
  "use strict";
  document.querySelectorAll("[data-progress-for]").forEach(function (counter) {
    var menu = counter.closest("[data-progress-text]");
    var template = (menu && menu.getAttribute("data-progress-text")) || "{done} / {all}";
    var part = document.getElementById(counter.getAttribute("data-progress-for"));
    if (!part) { return; }
    function update() {
      var names = {};
      part.querySelectorAll("input[type=radio]").forEach(function (radio) {
        names[radio.name] = names[radio.name] || (radio.checked && radio.value !== "");
      });
      var all = Object.keys(names).length;
      if (!all) { counter.textContent = ""; return; }
      var done = Object.keys(names).filter(function (name) { return names[name]; }).length;
      counter.textContent = template.replace("{done}", done).replace("{all}", all);
      counter.classList.toggle("complete", done === all);
    }
    part.addEventListener("change", update);
    update();
  });
}());

// A folded indicator says in its summary what was chosen, so a level can be checked without unfolding it.
(function () {
  "use strict";
  document.querySelectorAll("details.indicator").forEach(function (indicator) {
    var said = indicator.querySelector(".indicator-choice");
    if (!said) { return; }
    function update() {
      var chosen = indicator.querySelector("input[type=radio]:checked");
      var label = chosen && chosen.value !== "" && chosen.labels && chosen.labels[0];
      said.textContent = label ? "\u2014 " + label.textContent.trim() : "";
    }
    indicator.addEventListener("change", update);
    update();
  });
}());

