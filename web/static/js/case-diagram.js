// Shows the case's BPMN diagram with bpmn-js and marks completed and active elements.
// The markers are CSS classes on the SVG elements: thv-done and thv-active.
(function () {
  "use strict";
  var container = document.getElementById("diagram");
  var data = document.getElementById("diagram-data");
  if (!container || !data) { return; }
  var fallback = container.querySelector(".diagram-fallback");
  if (typeof window.BpmnJS !== "function") {
    if (fallback) { fallback.textContent = container.getAttribute("data-unavailable") || fallback.textContent; }
    return;
  }
  var diagram = JSON.parse(data.textContent);
  if (!diagram.xml) { return; }
  var viewer = new window.BpmnJS({ container: container });
  viewer.importXML(diagram.xml).then(function () {
    if (fallback) { fallback.remove(); }
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    diagram.completed.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "thv-done"); } });
    diagram.active.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, "thv-active"); } });
    // Size the box to the diagram's proportions, so a wide process does not float in white space.
    var inner = canvas.viewbox().inner;
    if (inner.width > 0) {
      var height = Math.round(container.clientWidth * inner.height / inner.width) + 40;
      container.style.height = Math.max(240, Math.min(640, height)) + "px";
      canvas.resized();
    }
    canvas.zoom("fit-viewport", "auto");
    container.setAttribute("data-ready", "true");
  }).catch(function (err) {
    if (fallback) { fallback.textContent = "Diagram kon niet worden getoond: " + err.message; }
    container.setAttribute("data-ready", "error");
  });
})();
