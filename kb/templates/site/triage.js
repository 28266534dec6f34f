// The index's paste box: triages a pasted pytest log, traceback or JUnit XML report in the
// browser the way `kb triage` does (kb/triage.py, kb/signature.py), step for step: normalise,
// split into failure reports, match every entry's signatures (all / any / not), rank strong
// before weak, then by matched patterns, then entry order. It holds no pattern of its own: the
// normalisation, the report-splitting patterns, the "weak" wording and the signatures come from
// the JSON that `kb site` embeds (kb/browser.py), taken from the Python that `kb triage` runs.
// `KBTriage.compile(data)` gives the engine; under node, `module.exports` is the same object.
// One known difference: JavaScript's multi-line ^ and $ also break lines at U+2028 and U+2029
// (and "." does not match them), Python's only at "\n"; logs practically never hold them.
(function (global) {
  "use strict";

  function regex(source, flags) {
    return new RegExp(source, flags);
  }

  function slashes(match) {
    return match.replace(/\\/g, "/");
  }

  function codePoints(text) {
    return Array.from(text);
  }

  // kb.signature.line_at: the whole line holding `offset`, stripped, cut to 240 characters
  function lineAt(text, offset) {
    var start = offset > 0 ? text.lastIndexOf("\n", offset - 1) + 1 : 0;
    var end = text.indexOf("\n", offset);
    var line = text.slice(start, end >= 0 ? end : text.length).trim();
    var chars = codePoints(line);
    return chars.length <= 240 ? line : chars.slice(0, 237).join("") + "...";
  }

  function bisectRight(sorted, value) {
    var lo = 0, hi = sorted.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (value < sorted[mid]) { hi = mid; } else { lo = mid + 1; }
    }
    return lo;
  }

  function compareTuples(a, b) {
    for (var i = 0; i < a.length; i += 1) {
      if (a[i] < b[i]) { return -1; }
      if (a[i] > b[i]) { return 1; }
    }
    return 0;
  }

  // kb.triage._lines: (start, end, group 1) of each line matching `source` (which starts with \n)
  function lines(source, text) {
    var found = [];
    var first = regex(source, "my").exec("\n" + text.slice(0, 4096));
    if (first && first[0].length - 1 <= text.length) {
      found.push([0, first[0].length - 1, first[1] || ""]);
    }
    var all = regex(source, "gm"), m;
    while ((m = all.exec(text)) !== null) {
      found.push([m.index + 1, m.index + m[0].length, m[1] || ""]);
      if (m[0].length === 0) { all.lastIndex += 1; }
    }
    return found;
  }

  function compile(data) {
    var rules = data.normalise.map(function (rule) { return [regex(rule[0], "gm"), rule[1], rule[2]]; });
    var ansi = regex(data.ansi, "g");
    var windowsRelative = regex(data.windowsRelative, "g");

    // kb.signature.normalise
    function normalise(text) {
      if (text.indexOf("\x1b") >= 0 || text.indexOf("#x1B") >= 0) { text = text.replace(ansi, ""); }
      if (text.indexOf("\\") >= 0) { text = text.replace(windowsRelative, slashes); }
      rules.forEach(function (rule) {  // each only where its literal occurs, as in Python
        if (text.indexOf(rule[2]) >= 0) { text = text.replace(rule[0], rule[1] === null ? slashes : rule[1]); }
      });
      return text;
    }

    function Signature(raw) {
      this.name = raw.name;
      this.strength = raw.strength;
      this.all = raw.all.map(function (p) { return regex(p, "m"); });
      this.any = raw.any.map(function (p) { return regex(p, "m"); });
      this.not = raw.not.map(function (p) { return regex(p, "m"); });
    }

    // kb.signature.Signature.match: the evidence lines, or null
    Signature.prototype.match = function (text) {
      var found = [], i, m;
      for (i = 0; i < this.all.length; i += 1) {
        m = this.all[i].exec(text);
        if (m === null) { return null; }
        found.push(lineAt(text, m.index));
      }
      if (this.any.length) {
        m = null;
        for (i = 0; i < this.any.length && m === null; i += 1) { m = this.any[i].exec(text); }
        if (m === null) { return null; }
        found.push(lineAt(text, m.index));
      }
      for (i = 0; i < this.not.length; i += 1) {
        if (this.not[i].test(text)) { return null; }
      }
      return { name: this.name, strength: this.strength, lines: found };
    };

    var entries = data.entries.map(function (entry, order) {
      return { id: entry.id, title: entry.title, page: entry.page, order: order,
               signatures: entry.signatures.map(function (s) { return new Signature(s); }) };
    });

    // kb.triage.Reports: pytest's sections, FAILED lines, unittest blocks, and the rest
    function Reports(text, source) {
      var sections = lines(data.section, text).concat(lines(data.unittest, text)).sort(compareTuples);
      var summary = lines(data.summary, text);
      if (sections.length || summary.length) {  // kb.triage.FINAL: shutdown output is left out
        var ends = lines(data.final, text).map(function (l) { return l[1]; });
        if (ends.length && ends[ends.length - 1] < text.length) {
          text = text.slice(0, ends[ends.length - 1]);
          var before = function (l) { return l[0] < text.length; };
          sections = sections.filter(before);
          summary = summary.filter(before);
        }
      }
      var banners = lines(data.banner, text).map(function (l) { return l[0]; });
      var spans = sections.map(function (section, i) {
        var stop = i + 1 < sections.length ? sections[i + 1][0] : text.length;
        var after = bisectRight(banners, section[1]);
        if (after < banners.length) { stop = Math.min(stop, banners[after]); }
        var name = section[2].indexOf("ERROR at ") === 0 ? section[2].slice(9) : section[2];
        return [section[0], stop, name.trim()];
      });
      summary = summary.filter(function (l) {
        return !spans.some(function (s) { return s[0] <= l[0] && l[0] < s[1]; });
      });
      spans = spans.concat(summary).sort(compareTuples);
      this.full = text;
      this.count = Math.max(sections.length, summary.length, 1);
      this.spans = spans;
      this.names = spans.map(function (s) { return s[2]; }).concat([source]);
      var gaps = [], at = 0;
      spans.forEach(function (s) {
        if (s[0] > at) { gaps.push(text.slice(at, s[0])); }
        at = Math.max(at, s[1]);
      });
      gaps.push(text.slice(at));
      this.rest = gaps.join("\n");
    }

    Reports.prototype.text = function (index) {
      return index < this.spans.length ? this.full.slice(this.spans[index][0], this.spans[index][1]) : this.rest;
    };

    function score(evidence) {
      return [evidence.strength === "strong" ? 2 : 1, evidence.lines.length];
    }

    // kb.triage.match_entry: the best evidence of `entry` in each report that holds some
    function matchEntry(entry, reports) {
      var found = {};
      entry.signatures.forEach(function (signature) {
        for (var i = 0; i <= reports.spans.length; i += 1) {
          var evidence = signature.match(reports.text(i));
          if (evidence && (!(i in found) || compareTuples(score(evidence), score(found[i])) > 0)) {
            found[i] = evidence;
          }
        }
      });
      return Object.keys(found).map(Number).sort(function (a, b) { return a - b; }).map(function (i) {
        var ev = found[i];
        return { id: entry.id, title: entry.title, page: entry.page, signature: ev.name,
                 strength: ev.strength, lines: ev.lines, where: reports.names[i] };
      });
    }

    // kb.triage.failures / junit_failures: one text, or one per failing JUnit test case
    function failures(text, source) {
      var head = text.replace(/^\s+/, "");
      if (head.indexOf("<?xml") !== 0 && head.indexOf("<testsuite") !== 0) { return [[source, text]]; }
      var xml = new DOMParser().parseFromString(head, "application/xml");
      if (xml.getElementsByTagName("parsererror").length) {
        throw new Error(source + " is not well-formed XML");
      }
      var found = [];
      Array.prototype.forEach.call(xml.getElementsByTagName("testcase"), function (testcase) {
        Array.prototype.forEach.call(testcase.children, function (problem) {
          if (problem.tagName === "failure" || problem.tagName === "error") {
            var name = [testcase.getAttribute("classname"), testcase.getAttribute("name")]
              .filter(Boolean).join("::") || source;
            var before = "";  // ElementTree's .text: the text before the first child element
            for (var k = 0; k < problem.childNodes.length; k += 1) {
              var node = problem.childNodes[k];
              if (node.nodeType === 1) { break; }
              if (node.nodeType === 3 || node.nodeType === 4) { before += node.nodeValue; }
            }
            found.push([name, (problem.getAttribute("message") || "") + "\n" + before]);
          }
        });
      });
      return found;
    }

    // kb.triage.rank with _first_per_place: entries by best evidence, one match per place
    function rank(matches) {
      var ids = Object.keys(matches);
      var best = {};
      ids.forEach(function (id) {
        best[id] = matches[id].map(score).sort(compareTuples).pop();
      });
      var order = {};
      entries.forEach(function (e) { order[e.id] = e.order; });
      ids.sort(function (a, b) {
        return compareTuples([-best[a][0], -best[a][1], order[a] || 0], [-best[b][0], -best[b][1], order[b] || 0]);
      });
      return ids.map(function (id) {
        var seen = {}, kept = [];
        matches[id].forEach(function (m) {
          if (!(m.where in seen)) {
            seen[m.where] = kept.length;
            kept.push(m);
          } else if (compareTuples(score(m), score(kept[seen[m.where]])) > 0) {
            kept[seen[m.where]] = m;
          }
        });
        return kept;
      });
    }

    // kb.triage.triage: {source, failures, ranked: [[match, ...] per entry, strongest first]}
    function triage(text, source) {
      var result = { source: source, failures: 0, ranked: [] };
      var matches = {};
      failures(text, source).forEach(function (failure) {
        var reports = new Reports(normalise(failure[1]), failure[0]);
        result.failures += reports.count;
        entries.forEach(function (entry) {
          matchEntry(entry, reports).forEach(function (m) {
            (matches[entry.id] = matches[entry.id] || []).push(m);
          });
        });
      });
      result.ranked = rank(matches);
      return result;
    }

    // kb.triage.explain and format_report's lines, without the file paths
    function explain(match) {
      var head = "  evidence: " + match.strength + " (" + match.signature + ")";
      return [head + (match.strength === "weak" ? " - " + data.weak : "")]
        .concat(match.lines.map(function (line) { return "    | " + line; }));
    }

    function best(matches) {
      return matches.reduce(function (a, b) { return compareTuples(score(b), score(a)) > 0 ? b : a; });
    }

    function summary(result) {
      var n = result.ranked.length;
      if (!n) {
        return "no known issue matches " + result.source + " (" + result.failures + " failure report" +
          (result.failures !== 1 ? "s" : "") + " looked at)";
      }
      return n + " known issue" + (n !== 1 ? "s" : "") + " matched in " + result.source +
        (n > 1 ? ", strongest evidence first" : "");
    }

    return { normalise: normalise, triage: triage, explain: explain, best: best, summary: summary,
             entries: entries };
  }

  // The paste box of the index page.
  function bind(document) {
    var box = document.getElementById("log");
    var out = document.getElementById("verdict");
    var source = document.getElementById("kb-triage");
    if (!box || !out || !source) { return; }
    var engine = compile(JSON.parse(source.textContent));

    function el(tag, className, text) {
      var node = document.createElement(tag);
      if (className) { node.className = className; }
      if (text !== undefined) { node.textContent = text; }
      return node;
    }

    function show() {
      out.textContent = "";
      if (!box.value.trim()) { return; }
      var result;
      try {
        result = engine.triage(box.value, "the pasted text");
      } catch (e) {
        out.appendChild(el("p", "triage-error", "kb triage: " + e.message));
        return;
      }
      var list = el("ol", "matches");
      result.ranked.forEach(function (matches, i) {
        var top = engine.best(matches);
        var item = el("li", "match match-" + top.strength);
        item.setAttribute("data-id", top.id);
        var title = el("p", "match-title", (i + 1) + ". ");
        var link = el("a", "", top.id + ": " + top.title);
        link.href = top.page;
        title.appendChild(link);
        item.appendChild(title);
        item.appendChild(el("pre", "evidence", engine.explain(top).join("\n")));
        var places = matches.map(function (m) { return m.where; });
        var more = places.length > 3 ? " (and " + (places.length - 3) + " more)" : "";
        item.appendChild(el("p", "places", "  in:       " + places.slice(0, 3).join(", ") + more));
        list.appendChild(item);
      });
      if (result.ranked.length) { out.appendChild(list); }
      out.appendChild(el("p", "triage-summary", engine.summary(result)));
    }

    box.addEventListener("input", show);
    show();
  }

  var api = { compile: compile, bind: bind };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; }
  global.KBTriage = api;
  if (typeof document !== "undefined") { bind(document); }
})(typeof window !== "undefined" ? window : this);
