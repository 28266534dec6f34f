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

    // kb.frames.frames: [path, function, offset] of each frame of a normalised report
    function frames(text) {
      var found = [], firstDef = null, all = regex(data.frame, "gm"), m;
      while ((m = all.exec(text)) !== null) {
        if (m[0].length === 0) { all.lastIndex += 1; }
        if (m[1] !== undefined) {
          found.push([m[1], m[2], m.index]);
        } else if (m[3] !== undefined) {
          found.push([m[3], m[4] !== undefined ? m[4] : (firstDef !== null ? firstDef : ""), m.index]);
        } else if (m[5] !== undefined) {
          if (firstDef === null) { firstDef = m[5]; }
          continue;
        }
        firstDef = null;
      }
      return found;
    }

    // kb.frames.match_frames: the offsets of the frames the specs name, in order, or null
    function matchFrames(specs, found) {
      var offsets = [], at = 0;
      for (var i = 0; i < specs.length; i += 1) {
        while (at < found.length && !(specs[i][0].test(found[at][0]) && specs[i][1].test(found[at][1]))) { at += 1; }
        if (at === found.length) { return null; }
        offsets.push(found[at][2]);
        at += 1;
      }
      return offsets;
    }

    function Signature(raw) {
      this.name = raw.name;
      this.strength = raw.strength;
      this.all = raw.all.map(function (p) { return regex(p, "m"); });
      this.any = raw.any.map(function (p) { return regex(p, "m"); });
      this.not = raw.not.map(function (p) { return regex(p, "m"); });
      this.frames = raw.frames.map(function (f) { return [regex(f[0], ""), regex(f[1], "")]; });
      this.requires = raw.requires;  // kb.signature.Signature.when
      // kb.triage.basis: "frames" for a signature with frames and no message pattern
      this.basis = raw.frames.length && !raw.all.length && !raw.any.length ? "frames" : "message";
    }

    // kb.signature.Signature.match: the evidence lines, or null
    Signature.prototype.match = function (text, versions) {
      var lines = [], i, m;
      if (this.requires.length && contradicts(this.requires, versions || [])) { return null; }
      for (i = 0; i < this.all.length; i += 1) {
        m = this.all[i].exec(text);
        if (m === null) { return null; }
        lines.push(lineAt(text, m.index));
      }
      if (this.any.length) {
        m = null;
        for (i = 0; i < this.any.length && m === null; i += 1) { m = this.any[i].exec(text); }
        if (m === null) { return null; }
        lines.push(lineAt(text, m.index));
      }
      for (i = 0; i < this.not.length; i += 1) {
        if (this.not[i].test(text)) { return null; }
      }
      if (this.frames.length) {
        var offsets = matchFrames(this.frames, frames(text));
        if (offsets === null) { return null; }
        offsets.forEach(function (offset) { lines.push(lineAt(text, offset)); });
      }
      return { name: this.name, strength: this.strength, lines: lines, basis: this.basis };
    };

    var entries = data.entries.map(function (entry, order) {
      return { id: entry.id, title: entry.title, page: entry.page, order: order, notes: entry.notes,
               rows: entry.rows, signatures: entry.signatures.map(function (s) { return new Signature(s); }) };
    });

    // kb.triage.Reports: pytest's sections, FAILED lines, unittest blocks, and the rest
    function Reports(text, source) {
      var sections = lines(data.section, text).concat(lines(data.unittest, text)).sort(compareTuples);
      var summary = lines(data.summary, text);
      if (sections.length || summary.length) {  // kb.triage.FINAL: shutdown output is left out
        var tail = Math.max.apply(null, sections.concat(summary).map(function (l) { return l[0]; }));
        var ends = lines(data.final, text).filter(function (l) { return l[0] > tail; })  // after the last report only
          .map(function (l) { return l[1]; });
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
      var spanStarts = spans.map(function (s) { return s[0]; });  // sorted, apart
      summary = summary.filter(function (l) {
        var i = bisectRight(spanStarts, l[0]) - 1;
        return !(i >= 0 && l[0] < spans[i][1]);
      });
      spans = spans.concat(summary).sort(compareTuples);
      this.full = text;
      this.count = Math.max(sections.length, summary.length, 1);
      this.units = false;  // kb.triage.TRACEBACK: a plain text cut into tracebacks
      if (!spans.length) {
        var chained = regex(data.chained, "");
        var cuts = lines(data.traceback, text).map(function (l) { return l[0]; }).filter(function (start) {
          return start > 0 && !chained.test(text.slice(Math.max(0, start - 200), start));
        });
        if (cuts.length) {
          var bounds = [0].concat(cuts, [text.length]);
          for (var b = 0; b + 1 < bounds.length; b += 1) {
            spans.push([bounds[b], bounds[b + 1], source + " (traceback " + (b + 1) + ")"]);
          }
          this.units = true;
          this.count = spans.length;
        }
      }
      this.spans = spans;
      this.names = spans.map(function (s) { return s[2]; }).concat([source]);
      var gaps = [], at = 0;
      spans.forEach(function (s) {
        if (s[0] > at) { gaps.push(text.slice(at, s[0])); }
        at = Math.max(at, s[1]);
      });
      gaps.push(text.slice(at));
      this.rest = this.units ? text : gaps.join("\n");
    }

    Reports.prototype.text = function (index) {
      return index < this.spans.length ? this.full.slice(this.spans[index][0], this.spans[index][1]) : this.rest;
    };

    function score(evidence) {
      return [evidence.strength === "strong" ? 2 : 1, evidence.lines.length];
    }

    // kb.triage.match_entry: the best evidence of `entry` in each report that holds some
    function matchEntry(entry, reports, versions) {
      var found = {};
      entry.signatures.forEach(function (signature) {
        var held = false;
        for (var i = 0; i <= reports.spans.length; i += 1) {
          if (i === reports.spans.length && reports.units && held) { break; }
          var evidence = signature.match(reports.text(i), versions);
          if (evidence) {
            held = true;
            if (!(i in found) || compareTuples(score(evidence), score(found[i])) > 0) { found[i] = evidence; }
          }
        }
      });
      return Object.keys(found).map(Number).sort(function (a, b) { return a - b; }).map(function (i) {
        var ev = found[i];
        return { id: entry.id, title: entry.title, page: entry.page, signature: ev.name,
                 strength: ev.strength, lines: ev.lines, where: reports.names[i], basis: ev.basis };
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

    // kb.triage.failure_key: what a section's name and the summary's node id of one test share
    function failureKey(name) {
      var at = name.indexOf("::");
      if (at >= 0) { name = name.slice(at + 2); }
      ["setup of ", "teardown of ", "call of "].forEach(function (prefix) {
        if (name.indexOf(prefix) === 0) { name = name.slice(prefix.length); }
      });
      var bracket = name.indexOf("[");
      var head = bracket >= 0 ? name.slice(0, bracket) : name, tail = bracket >= 0 ? name.slice(bracket) : "";
      return head.split("::").join(".") + tail;
    }

    // kb.triage.per_failure: one failure per failing test, with its matches, best first
    function perFailure(reports, found, position) {
      var places = Object.create(null);
      found.forEach(function (m) { (places[m.where] = places[m.where] || []).push(m); });
      var all = reports.names;
      var names = all.length > 1 ? all.slice(0, -1) : all.slice();
      var rest = all[all.length - 1];
      if (all.length > 1 && Object.prototype.hasOwnProperty.call(places, rest)) {  // a cause no test shows
        var shown = {};
        names.forEach(function (n) { (places[n] || []).forEach(function (m) { shown[m.id] = true; }); });
        if (places[rest].some(function (m) { return !shown[m.id]; })) { names.push(rest); }
      }
      var merged = new Map(), pending = new Map(), unique = new Set();
      names.forEach(function (name) {
        if (name.indexOf("::") >= 0 || unique.has(name)) { return; }
        unique.add(name);
        var key = failureKey(name);
        if (!pending.has(key)) { pending.set(key, []); }
        pending.get(key).push(name);
      });
      names.forEach(function (name) {
        if (name.indexOf("::") < 0) { return; }
        var waiting = pending.get(failureKey(name));
        if (waiting && waiting.length) { merged.set(waiting.shift(), name); }
      });
      var order = [], listed = Object.create(null);
      names.forEach(function (name) {
        var key = merged.has(name) ? merged.get(name) : name;
        if (!Object.prototype.hasOwnProperty.call(listed, key)) { listed[key] = []; order.push(key); }
        listed[key] = listed[key].concat(Object.prototype.hasOwnProperty.call(places, name) ? places[name] : []);
      });
      var byOrder = {};
      entries.forEach(function (e) { byOrder[e.id] = e.order; });
      return order.map(function (name, i) {
        var best = {}, ids = [];
        listed[name].forEach(function (m) {
          if (!(m.id in best)) { ids.push(m.id); best[m.id] = m; }
          else if (compareTuples(score(m), score(best[m.id])) > 0) { best[m.id] = m; }
        });
        var ranked = ids.map(function (id) { return best[id]; }).sort(function (a, b) {
          return compareTuples([-score(a)[0], -score(a)[1], byOrder[a.id] || 0], [-score(b)[0], -score(b)[1], byOrder[b.id] || 0]);
        });
        return { where: name, matches: ranked, position: position + i, tied: tiedOf(ranked) };
      });
    }

    // kb.results.Failure.tied: the entries whose evidence is as good as the best one's
    function tiedOf(ranked) {
      if (!ranked.length) { return []; }
      return ranked.filter(function (m) { return compareTuples(score(m), score(ranked[0])) === 0; })
        .map(function (m) { return m.id; });
    }

    // kb.results.Triage.answer: the entry named first, or the entries that fit equally
    function answerOf(result) {
      if (!result.ranked.length) { return []; }
      var first = result.ranked[0][0].id;
      var top = best(result.ranked[0]);
      var tied = [];
      for (var i = 0; i < result.reports.length; i += 1) {
        var f = result.reports[i];
        if (f.tied.indexOf(first) < 0 || compareTuples(score(f.matches[0]), score(top)) !== 0) { continue; }
        if (f.tied.length < 2) { return [first]; }
        f.tied.forEach(function (id) { if (tied.indexOf(id) < 0) { tied.push(id); } });
      }
      if (tied.length < 2) { return [first]; }
      var order = result.ranked.map(function (ms) { return ms[0].id; });
      return tied.sort(function (a, b) { return order.indexOf(a) - order.indexOf(b); });
    }

    // kb.triage.ranked_failures
    function rankedFailures(found) {
      function key(f) {
        var best = f.matches.length ? score(f.matches[0]) : [0, 0];
        return [-best[0], -best[1], f.position];
      }
      return found.slice().sort(function (a, b) { return compareTuples(key(a), key(b)); });
    }

    // kb.logversions: what a log shows, the notes and the Versions-table rows it selects
    function canonical(name) {
      return name.replace(/[-_.]+/g, "-").toLowerCase();
    }

    function readVersions(text) {
      var v = data.versions, found = [], seen = {}, m;
      function add(name, version, from) {
        var key = canonical(name);
        if (!Object.prototype.hasOwnProperty.call(seen, key)) { seen[key] = true; found.push({ name: key, version: version, from: from }); }
      }
      if ((m = regex(v.platform, "").exec(text)) !== null) {
        add("python", m[1], "platform");
        add("pytest", m[2], "platform");
        add("pluggy", m[3], "platform");
      }
      if ((m = regex(v.plugins, "").exec(text)) !== null) {
        m[1].split(", ").forEach(function (item) {
          var p = regex(v.plugin, "").exec(item.trim());
          if (p !== null) {
            var known = Object.prototype.hasOwnProperty.call(data.pluginDistributions, p[1]);
            add(known ? data.pluginDistributions[p[1]] : "pytest-" + p[1], p[2], "plugins");
          }
        });
      }
      if ((m = regex(v.django, "").exec(text)) !== null) { add("django", m[1], "header"); }
      var dist = regex(v.distribution, "g");
      while ((m = dist.exec(text)) !== null) { add(m[1], m[2], "path"); }
      var freeze = regex(v.freeze, "gm");  // kb.logversions.FREEZE: pip freeze's pins
      while ((m = freeze.exec(text)) !== null) { add(m[1], m[2], "freeze"); }
      if ((m = regex(v.tox, "").exec(text)) !== null) {
        add("python", m[1] + "." + m[2], "tox");
        m[3].split("-").filter(Boolean).forEach(function (factor) {
          var f = regex(v.factor, "").exec(factor);
          if (f !== null) {
            var alias = f[1].toLowerCase();
            var name = Object.prototype.hasOwnProperty.call(data.factorNames, alias) ? data.factorNames[alias] : f[1];
            add(name, f[2] + (f[3] ? "." + f[3] : ""), "tox");
          }
        });
      }
      if ((m = regex(v.interpreter, "").exec(text)) !== null) { add("python", m[1], "path"); }
      return found;
    }

    // kb.logversions.EXACT: sources that print a whole version
    function fromHeader(seen) {
      return seen.from === "platform" || seen.from === "plugins" || seen.from === "header";
    }

    function exact(seen) {
      return fromHeader(seen) || seen.version.split(".").length >= 3;
    }

    function release(version) {
      return (version.split("+")[0].match(/\d+/g) || []).slice(0, 4).map(Number);
    }

    function padded(a, width) {
      a = a.slice();
      while (a.length < width) { a.push(0); }
      return a;
    }

    function compareReleases(a, b) {
      var width = Math.max(a.length, b.length);
      return compareTuples(padded(a, width), padded(b, width));
    }

    // packaging's specifiers on release numbers (kb lint allows no others in notes)
    function holdsSpec(op, version, candidate) {
      var prefix = /\.\*$/.test(version);
      var target = release(version.replace(/\.\*$/, ""));
      if (op === "==" || op === "!=") {
        var same = prefix ? compareTuples(padded(candidate, target.length).slice(0, target.length), target) === 0
          : compareReleases(candidate, target) === 0;
        return op === "==" ? same : !same;
      }
      if (op === "~=") {
        var stem = target.slice(0, -1);
        return compareReleases(candidate, target) >= 0 &&
          compareTuples(padded(candidate, stem.length).slice(0, stem.length), stem) === 0;
      }
      var c = compareReleases(candidate, target);
      return op === "<" ? c < 0 : op === "<=" ? c <= 0 : op === ">" ? c > 0 : c >= 0;
    }

    function satisfies(seen, specs) {
      var r = release(seen.version);
      var ends = exact(seen) ? [r] : [r.concat([0]), r.concat([data.highest])];
      return ends.every(function (end) {
        return specs.every(function (spec) { return holdsSpec(spec[0], spec[1], end); });
      });
    }

    // kb.logversions.contradicts: an exact version read that fails one of the requirements
    function contradicts(requires, seen) {
      var byName = {};
      seen.forEach(function (s) { byName[s.name] = s; });
      return requires.some(function (r) {
        return Object.prototype.hasOwnProperty.call(byName, r.name) && exact(byName[r.name]) &&
          !satisfies(byName[r.name], r.specs);
      });
    }

    function noteHolds(note, seen) {
      var byName = {};
      seen.forEach(function (s) { byName[s.name] = s; });
      return note.requires.every(function (r) {
        return Object.prototype.hasOwnProperty.call(byName, r.name) && satisfies(byName[r.name], r.specs);
      });
    }

    function agrees(seen, cell) {
      var read = release(seen.version), row = release(cell);
      if (!exact(seen)) { return compareTuples(row.slice(0, read.length), read) === 0 && row.length >= read.length; }
      return compareReleases(read, row) === 0;
    }

    // kb.logversions.best_row: agreeing on CONTEXT columns alone (Python, pytest) picks no row
    function bestRow(rows, seen) {
      var best = null, most = 0, tied = false;
      rows.forEach(function (row) {
        var shared = seen.filter(function (s) { return Object.prototype.hasOwnProperty.call(row.versions, s.name); });
        if (shared.some(function (s) { return !agrees(s, row.versions[s.name]); })) { return; }
        if (!shared.some(function (s) { return data.context.indexOf(s.name) < 0; })) { return; }
        if (shared.length > most) {
          best = { set: row.set, versions: row.versions, line: row.line,
                   agreed: shared.map(function (s) { return s.name + " " + s.version; }) };
          most = shared.length;
          tied = false;
        } else if (shared.length === most) { tied = true; }
      });
      return tied ? null : best;
    }

    // kb.triage.triage: {source, failures, ranked: [[match, ...] per entry, strongest first],
    // reports: [failure, ...] strongest first, versions, notes, rows}
    function triage(text, source) {
      var result = { source: source, failures: 0, ranked: [], reports: [], versions: [], notes: [], rows: [] };
      var matches = {};
      var plainText = text.indexOf("\x1b") >= 0 || text.indexOf("#x1B") >= 0 ? text.replace(ansi, "") : text;
      result.versions = readVersions(plainText);
      failures(text, source).forEach(function (failure) {
        var reports = new Reports(normalise(failure[1]), failure[0]);
        result.failures += reports.count;
        var found = [];
        entries.forEach(function (entry) {
          matchEntry(entry, reports, result.versions).forEach(function (m) {
            (matches[entry.id] = matches[entry.id] || []).push(m);
            found.push(m);
          });
        });
        result.reports = result.reports.concat(perFailure(reports, found, result.reports.length));
      });
      result.ranked = rank(matches);
      result.reports = rankedFailures(result.reports);
      result.answer = answerOf(result);
      if (result.versions.length) {
        // kb.triage.named_by_cause: the entries first (or tied first), not by frames alone,
        // each with the signatures that named it
        var named = [], by = {};
        result.reports.forEach(function (f) {
          f.matches.slice(0, f.tied.length).forEach(function (m) {
            if (m.basis === "frames") { return; }
            if (named.indexOf(m.id) < 0) { named.push(m.id); by[m.id] = []; }
            if (by[m.id].indexOf(m.signature) < 0) { by[m.id].push(m.signature); }
          });
        });
        named.forEach(function (id) {
          var entry = entries.filter(function (e) { return e.id === id; })[0];
          entry.notes.forEach(function (note) {  // kb.logversions.Note.covers
            var covers = !note.signatures.length || by[id].some(function (n) { return note.signatures.indexOf(n) >= 0; });
            if (covers && noteHolds(note, result.versions)) { result.notes.push([id, note]); }
          });
          var row = bestRow(entry.rows, result.versions);
          if (row !== null) { result.rows.push([id, row]); }
        });
      }
      return result;
    }

    // kb.triage.failure_lines
    function failureLines(result) {
      if (result.reports.length < 2 || !result.ranked.length) { return []; }
      var out = [result.reports.length + " failure reports, each with its best entry, strongest first:"];
      result.reports.slice(0, data.listed).forEach(function (f) {
        if (!f.matches.length) { out.push("  " + f.where + ": no known issue"); return; }
        var top = f.matches[0];
        var also = f.matches.slice(1).map(function (m) { return m.id; })
          .filter(function (id) { return f.tied.indexOf(id) < 0; });
        var named = f.tied.length > 1 ? "ambiguous: " + f.tied.join(" or ") + " (" + top.strength + ")"
          : top.id + " (" + top.strength + ", " + top.signature + ")";  // kb.triage_text.named
        out.push("  " + f.where + ": " + named + (also.length ? "; also " + also.join(", ") : ""));
      });
      if (result.reports.length > data.listed) { out.push("  (and " + (result.reports.length - data.listed) + " more)"); }
      return out;
    }

    // kb.triage_text.answer_lines
    function answerLines(result) {
      return result.answer.length < 2 ? [] : ["ambiguous: " + result.answer.join(" or ") + " - " + data.ambiguous];
    }

    // kb.triage.version_lines
    function versionLines(result) {
      if (!result.versions.length || !result.ranked.length) { return []; }
      var out = ["versions read: " + result.versions.map(function (s) {
        return s.name + " " + s.version + (fromHeader(s) ? "" : " (" + s.from + ")");
      }).join(", ")];
      result.notes.forEach(function (n) {
        out.push("note (" + n[0] + ", " + n[1].when.join(" and ") + "): " + n[1].text + " [" + n[1].cite + "]");
      });
      result.rows.forEach(function (r) {
        out.push("measured (" + r[0] + ", its Versions table): " + r[1].line + " (agrees on " + r[1].agreed.join(", ") + ")");
      });
      return out;
    }

    // kb.triage.explain and format_report's lines, without the file paths
    function explain(match) {
      var head = "  evidence: " + match.strength + " (" + match.signature + ")";
      var weak = match.basis === "frames" ? data.weakFrames : data.weak;
      return [head + (match.strength === "weak" ? " - " + weak : "")]
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
             failureLines: failureLines, versionLines: versionLines, answerLines: answerLines, frames: frames, noteHolds: noteHolds,
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
      var answer = engine.answerLines(result);
      if (answer.length) { out.appendChild(el("p", "answer", answer.join("\n"))); }
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
      var perTest = engine.failureLines(result);
      if (perTest.length) { out.appendChild(el("pre", "failures", perTest.join("\n"))); }
      var versions = engine.versionLines(result);
      if (versions.length) { out.appendChild(el("pre", "versions", versions.join("\n"))); }
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
