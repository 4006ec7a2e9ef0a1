// Shows the case's BPMN diagram with bpmn-js and marks completed and active elements.
// The markers are CSS classes on the SVG elements: thv-done and thv-active.
// The toolbar zooms, fits, focuses on the active steps and goes full screen; the mouse wheel
// (with Ctrl) zooms and dragging pans, as in bpmn-js's navigated viewer.
(function () {
  "use strict";
  var container = document.getElementById("diagram");
  var data = document.getElementById("diagram-data");
  if (!container || !data) { return; }
  var fallback = container.querySelector(".diagram-fallback");
  var toolbar = document.getElementById("diagram-tools");
  if (typeof window.BpmnJS !== "function") {
    if (fallback) { fallback.textContent = container.getAttribute("data-unavailable") || fallback.textContent; }
    return;
  }
  var diagram = JSON.parse(data.textContent);
  if (!diagram.xml) { return; }
  var viewer = new window.BpmnJS({ container: container });
  var STEP = 1.25;
  var READABLE = 1.0; // the zoom at which labels read as in the modeller
  var PADDING = 80;

  function canvas() { return viewer.get("canvas"); }

  function activeBox() {
    var registry = viewer.get("elementRegistry");
    var shapes = diagram.active.map(function (id) { return registry.get(id); }).filter(function (el) {
      return el && typeof el.x === "number";
    });
    if (!shapes.length) { return null; }
    var left = Math.min.apply(null, shapes.map(function (s) { return s.x; }));
    var top = Math.min.apply(null, shapes.map(function (s) { return s.y; }));
    var right = Math.max.apply(null, shapes.map(function (s) { return s.x + s.width; }));
    var bottom = Math.max.apply(null, shapes.map(function (s) { return s.y + s.height; }));
    return { x: left, y: top, width: right - left, height: bottom - top };
  }

  // The active steps in the middle, at a readable zoom (or smaller when they lie far apart).
  function focusActive() {
    var box = activeBox();
    if (!box) { canvas().zoom("fit-viewport", "auto"); return; }
    var size = canvas().getSize();
    var zoom = Math.min(READABLE, size.width / (box.width + 2 * PADDING), size.height / (box.height + 2 * PADDING));
    var width = size.width / zoom;
    var height = size.height / zoom;
    canvas().viewbox({
      x: box.x + box.width / 2 - width / 2,
      y: box.y + box.height / 2 - height / 2,
      width: width,
      height: height
    });
  }

  var actions = {
    "zoom-in": function () { canvas().zoom(canvas().zoom() * STEP); },
    "zoom-out": function () { canvas().zoom(canvas().zoom() / STEP); },
    "fit": function () { canvas().zoom("fit-viewport", "auto"); },
    "focus": focusActive,
    "fullscreen": function () {
      var card = container.closest(".diagram-card") || container;
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (card.requestFullscreen) { card.requestFullscreen(); }
    }
  };

  function report() { container.setAttribute("data-zoom", canvas().zoom().toFixed(3)); }

  viewer.importXML(diagram.xml).then(function () {
    if (fallback) { fallback.remove(); }
    var registry = viewer.get("elementRegistry");
    diagram.completed.forEach(function (id) { if (registry.get(id)) { canvas().addMarker(id, "thv-done"); } });
    diagram.active.forEach(function (id) { if (registry.get(id)) { canvas().addMarker(id, "thv-active"); } });
    viewer.get("eventBus").on("canvas.viewbox.changed", report);
    document.addEventListener("fullscreenchange", function () {
      canvas().resized();
      focusActive();
    });
    if (toolbar) {
      toolbar.hidden = false;
      toolbar.addEventListener("click", function (event) {
        var button = event.target.closest("button[data-action]");
        if (button && actions[button.getAttribute("data-action")]) { actions[button.getAttribute("data-action")](); }
      });
    }
    focusActive();
    report();
    container.setAttribute("data-ready", "true");
  }).catch(function (err) {
    if (fallback) { fallback.textContent = "Diagram kon niet worden getoond: " + err.message; }
    container.setAttribute("data-ready", "error");
  });
})();
