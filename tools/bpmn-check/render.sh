#!/usr/bin/env bash
# Render one diagram of a BPMN file to PNG with the real bpmn-js viewer, to look at a layout.
#   tools/bpmn-check/render.sh FILE.bpmn OUT.png [DIAGRAM_ID] [WIDTHxHEIGHT] [X,Y,W,H]
# DIAGRAM_ID picks a bpmndi:BPMNDiagram (e.g. a subprocess's drill-down plane); default: the first.
# X,Y,W,H shows that part of the diagram (diagram coordinates) instead of fitting the whole.
# Needs chromium (apt-get install chromium) and the node_modules from install.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
file="$(realpath "$1")"; out="$(realpath -m "$2")"; diagram="${3:-}"; size="${4:-1800x900}"; viewbox="${5:-}"
browser="$(command -v chromium || command -v chromium-browser || true)"
[ -n "$browser" ] || { echo "render.sh: chromium is not installed" >&2; exit 1; }
"$here/install.sh" >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/node_modules/bpmn-js/dist/bpmn-viewer.production.min.js" "$work/viewer.js"
cp -r "$here/node_modules/bpmn-js/dist/assets" "$work/assets"
node -e '
const fs = require("fs");
const [file, diagram, viewbox, html] = process.argv.slice(1);
const box = viewbox ? viewbox.split(",").map(Number) : null;
const zoom = box ? `viewer.get("canvas").viewbox({ x: ${box[0]}, y: ${box[1]}, width: ${box[2]}, height: ${box[3]} })`
  : `viewer.get("canvas").zoom("fit-viewport")`;
const xml = fs.readFileSync(file, "utf8");
fs.writeFileSync(html, `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="assets/bpmn-js.css">
<style>html,body,#canvas{margin:0;width:100%;height:100%;background:#fff}</style>
<script src="viewer.js"></script></head><body><div id="canvas"></div><script>
const viewer = new BpmnJS({ container: "#canvas" });
viewer.importXML(${JSON.stringify(xml)}, ${JSON.stringify(diagram || undefined)})
  .then(r => { ${zoom}; document.title = "ok " + r.warnings.length; })
  .catch(e => { document.body.textContent = "IMPORT FAILED: " + e.message; });
</script></body></html>`);
' "$file" "$diagram" "$viewbox" "$work/index.html"
"$browser" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$work/profile" \
  --window-size="${size/x/,}" --virtual-time-budget=5000 --screenshot="$out" "file://$work/index.html" \
  >/dev/null 2>&1
echo "$out"
