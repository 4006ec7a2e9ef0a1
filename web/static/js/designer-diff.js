// Two bpmn-js viewers side by side with the differences as markers (CSS classes on the SVG):
// thv-added (only in B), thv-removed (only in A), thv-changed. Clicking an element id in the
// list scrolls both diagrams to it and outlines it.
(function () {
  "use strict";
  var data = document.getElementById("diff-data");
  if (!data || typeof window.BpmnJS !== "function") { return; }
  var diagram = JSON.parse(data.textContent);
  var viewers = {};

  function show(side) {
    var container = document.getElementById("diagram-" + side);
    var spec = diagram[side];
    if (!container || !spec.xml) { return Promise.resolve(); }
    var viewer = new window.BpmnJS({ container: container });
    viewers[side] = viewer;
    return viewer.importXML(spec.xml).then(function () {
      var fallback = container.querySelector(".diagram-fallback");
      if (fallback) { fallback.remove(); }
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      Object.keys(spec.markers || {}).forEach(function (change) {
        spec.markers[change].forEach(function (id) {
          if (registry.get(id)) { canvas.addMarker(id, "thv-" + change); }
        });
      });
      canvas.zoom("fit-viewport", "auto");
      container.setAttribute("data-ready", "true");
    }).catch(function (err) {
      container.textContent = err.message;
      container.setAttribute("data-ready", "error");
    });
  }

  function focus(side, id) {
    var viewer = viewers[side];
    if (!viewer || !id) { return; }
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    registry.forEach(function (element) { canvas.removeMarker(element, "thv-focus"); });
    var element = registry.get(id);
    if (element) {
      canvas.scrollToElement(element);
      canvas.addMarker(element, "thv-focus");
    }
  }

  Promise.all([show("a"), show("b")]).then(function () {
    document.querySelectorAll("[data-focus-a], [data-focus-b]").forEach(function (button) {
      button.addEventListener("click", function () {
        focus("a", button.getAttribute("data-focus-a"));
        focus("b", button.getAttribute("data-focus-b"));
      });
    });
  });
})();
