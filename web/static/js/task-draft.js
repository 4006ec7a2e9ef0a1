// Keeps what a caseworker typed in a task form while they record a document's service elsewhere
// (the task waits for it) and come back: the draft lives in this browser tab only (sessionStorage,
// gone when the tab closes or the user logs out) and never reaches the server before the form is sent.
(function () {
  "use strict";
  var PREFIX = "thv-taak-";
  if (document.querySelector("[data-clear-drafts]")) {  // the login page: a new person, no old drafts
    Object.keys(sessionStorage).forEach(function (key) {
      if (key.indexOf(PREFIX) === 0) { sessionStorage.removeItem(key); }
    });
    return;
  }
  var form = document.querySelector("form[data-draft-key]");
  if (!form) { return; }
  var key = PREFIX + form.getAttribute("data-draft-key");

  function fields(name) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
  }

  function save() {
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") { entries.push([name, value]); }
    });
    sessionStorage.setItem(key, JSON.stringify(entries));
  }

  function restore(entries) {
    var byName = {};
    entries.forEach(function (entry) { (byName[entry[0]] = byName[entry[0]] || []).push(entry[1]); });
    Object.keys(byName).forEach(function (name) {
      var values = byName[name];
      fields(name).forEach(function (el, index) {
        if (el.type === "checkbox" || el.type === "radio") { el.checked = values.indexOf(el.value) >= 0; }
        else if (el.tagName === "SELECT" && el.multiple) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
        } else if (index < values.length) { el.value = values[index]; }
      });
    });
  }

  // The server's own values win: after a refused post it shows what was sent, with the errors.
  if (form.getAttribute("data-fresh") === "true") {
    try {
      var saved = JSON.parse(sessionStorage.getItem(key) || "null");
      if (Array.isArray(saved)) { restore(saved); }
    } catch (e) { sessionStorage.removeItem(key); }
  } else {
    save();  // a refused post (say, the service is missing): keep what was sent for when the user comes back
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function () { sessionStorage.removeItem(key); });
}());
