// Filters the index's entries by text: every word typed must appear in the entry
// (its id, title, symptoms, signatures and tags). The filter is kept in the URL as
// #q=..., so a link (or a file:// URL) can open the index already filtered.
(function () {
  "use strict";
  var input = document.getElementById("search");
  var entries = Array.prototype.slice.call(document.querySelectorAll("#entries > .entry"));
  var count = document.getElementById("count");
  var none = document.getElementById("none");

  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
  }

  function apply() {
    var wanted = words(input.value);
    var shown = 0;
    entries.forEach(function (entry) {
      var haystack = entry.getAttribute("data-search");
      var match = wanted.every(function (w) { return haystack.indexOf(w) !== -1; });
      entry.hidden = !match;
      if (match) { shown += 1; }
    });
    count.textContent = shown + " of " + entries.length + " entries";
    none.hidden = shown > 0 || entries.length === 0;
    try {
      history.replaceState(null, "", input.value ? "#q=" + encodeURIComponent(input.value) : "#");
    } catch (e) { /* some file:// contexts refuse; the filter still works */ }
  }

  var fromUrl = /[#&?]q=([^&]*)/.exec(location.hash || location.search);
  if (fromUrl) { input.value = decodeURIComponent(fromUrl[1].replace(/\+/g, " ")); }
  input.addEventListener("input", apply);
  apply();
  input.focus();
})();
