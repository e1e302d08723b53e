/* The profiles' search: an address, a street or a place → the profile of its district.
   Runs in the browser on a small index written at build time (geodata.search.compact), so
   nothing typed leaves the page. The index is fetched the first time the field is used.
   Names are folded as geodata.search.fold does it; results are set as text, never HTML.
   Without JavaScript the form sends the text to the interactive app (?q=). */
(function () {
  "use strict";
  var STREET = "(strasse|strase|strass|strsse|stasse|srasse|strae|stre|str)";
  var GLUED = new RegExp("([a-z])" + STREET + "\\b", "g");  // no lookbehind: Safari < 16.4
  var WORD = new RegExp("\\b" + STREET + "\\b", "g");
  var MAX_QUERY = 200;

  function fold(text) {
    var s = String(text == null ? "" : text).normalize("NFKC").toLowerCase()
      .replace(/ß/g, "ss").replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue");
    s = s.normalize("NFKD").replace(/\p{Mn}/gu, "");
    s = s.replace(/[^a-z0-9]+/g, " ").replace(GLUED, "$1 $2");
    return s.replace(WORD, "str").split(/\s+/).filter(Boolean).join(" ");
  }

  /* "Lange Straße 12", "Am Brink 1 a", "… 12, 18055 Rostock" → name and house number. */
  function parse(text) {
    var words = fold(String(text || "").slice(0, MAX_QUERY)).split(" ").filter(Boolean);
    while (words.length && (/^\d{5}$/.test(words[words.length - 1]) ||
                            words[words.length - 1] === "rostock")) { words.pop(); }
    var n = words.length;
    if (n >= 2 && /^[a-z]$/.test(words[n - 1]) && /^\d+$/.test(words[n - 2])) {
      words.splice(n - 2, 2, words[n - 2] + words[n - 1]);
    }
    var house = null;
    if (words.length >= 2) {
      var m = /^(\d{1,4})\s*([a-z]?)$/.exec(words[words.length - 1]);
      if (m) { house = String(parseInt(m[1], 10)) + m[2]; words.pop(); }
    }
    return {name: words.join(" "), house: house};
  }

  /* Optimal string alignment distance (a swapped pair of letters is one slip). */
  function distance(a, b) {
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) { prev.push(j); }
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          v = Math.min(v, prev2[j - 2] + 1);
        }
        cur.push(v);
      }
      prev2 = prev; prev = cur;
    }
    return prev[b.length];
  }

  /* 0–100: how well q matches the name, or its start, or the start of one of its words
     (people type "warnemunde" for "Seebad Warnemünde", "kroepliner" for the street). */
  function fuzzy(q, text) {
    var best = 100 * (1 - distance(q, text) / Math.max(q.length, text.length));
    for (var n = q.length - 1; n <= q.length + 1; n++) {
      if (n > 0 && n < text.length) {
        best = Math.max(best, 96 - 100 * distance(q, text.slice(0, n)) / q.length);
      }
    }
    return best;
  }

  function similar(q, key) {
    if (key === q) { return 100; }
    if (key.indexOf(q) === 0) { return 96; }            // typing the start of the name
    if (key.indexOf(" " + q) >= 0) { return 92; }       // … or of one of its words
    if (q.length >= 4 && key.indexOf(q) >= 0) { return 88; }
    if (q.length < 4) { return 0; }
    // Each slip of the keyboard breaks at most three letter pairs: a name that shares too
    // few pairs with the query cannot reach the threshold, and is not compared letter by
    // letter (that keeps a keystroke fast on a phone).
    var shared = 0, slips = Math.floor(q.length / 6) + 1;
    for (var i = 0; i + 1 < q.length; i++) {
      if (key.indexOf(q.substr(i, 2)) >= 0) { shared++; }
    }
    if (shared < q.length - 1 - 3 * slips) { return 0; }
    var best = fuzzy(q, key), at = key.indexOf(" ");
    while (at >= 0) {
      best = Math.max(best, fuzzy(q, key.slice(at + 1)) - 4);
      at = key.indexOf(" ", at + 1);
    }
    return best;
  }

  /* A shared "str" alone must not carry a match: names are also compared without it. */
  function score(q, key) {
    var full = similar(q, key);
    var q2 = q.replace(WORD, "").trim(), k2 = key.replace(WORD, "").trim();
    if (q2 && k2 && (q2 !== q || k2 !== key)) {
      full = Math.min(full, similar(q2.replace(/\s+/g, " "), k2.replace(/\s+/g, " ")));
    }
    return full;
  }

  function search(index, text) {
    var query = parse(text);
    if (query.name.length < 2) { return {hits: [], house: query.house}; }
    var kinds = index.kinds, hits = [];
    index.entries.forEach(function (e) {
      var s = score(query.name, e[2]);
      if (s < index.min_score) { return; }
      var kind = kinds[e[0]];
      if (query.house && kind === "street") {
        Object.keys(e[6]).forEach(function (code) {
          if ((" " + e[6][code] + " ").indexOf(" " + query.house + " ") >= 0) {
            hits.push({kind: "address", name: e[1] + " " + query.house, code: code,
                       ortsteil: e[4], also: [], score: s + 0.5, order: -1, len: e[2].length});
          }
        });
      }
      hits.push({kind: kind, name: e[1], code: e[3], ortsteil: e[4], also: e[5], score: s,
                 order: e[0], len: e[2].length, street: kind === "street"});
    });
    hits.sort(function (a, b) {
      return (a.kind !== "address") - (b.kind !== "address") || b.score - a.score ||
        a.order - b.order || a.len - b.len;
    });
    var seen = {}, districts = {}, out = [];
    hits.forEach(function (h) {
      var id = h.kind + "\u0000" + h.name + "\u0000" + h.code;
      if (seen[id]) { return; }
      seen[id] = true;
      if (h.kind === "stadtbereich") { districts[fold(h.name) + "\u0000" + h.code] = true; }
      out.push(h);
    });
    out = out.filter(function (h) {
      return !(h.kind === "ortsteil" && districts[fold(h.name) + "\u0000" + h.code]);
    });
    return {hits: out.slice(0, index.limit), house: query.house};
  }

  window.rostockSearch = {fold: fold, parse: parse, search: search};

  var form = document.getElementById("search");
  var cfgEl = document.getElementById("search-config");
  if (!form || !cfgEl || !window.fetch) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var input = form.querySelector("input[name=q]");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var index = null, loading = null;

  function load() {
    if (!loading) {
      loading = fetch(cfg.index).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      }).then(function (d) { index = d; form.setAttribute("data-ready", "1"); return d; });
    }
    return loading;
  }

  function words(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, k) { return values[k]; });
  }

  function render(result, text) {
    list.textContent = "";
    var hits = result.hits || [];
    hits.forEach(function (h) {
      var district = cfg.districts[h.code];
      var li = document.createElement("li");
      var title = document.createElement(district ? "a" : "span");
      title.textContent = h.name;
      if (district) { title.href = district.href; }
      li.appendChild(title);
      var where = cfg.kinds[h.kind] + " · " + (district ?
        words(cfg.in_district, {district: district.name}) : cfg.outside);
      if (h.ortsteil && h.kind !== "ortsteil") {
        where += ", " + words(cfg.in_ortsteil, {ortsteil: h.ortsteil});
      }
      if (h.also && h.also.length) {
        where += " " + words(cfg.also, {names: h.also.map(function (c) {
          return (cfg.districts[c] || {name: c}).name; }).join(", ")});
      }
      var small = document.createElement("span");
      small.className = "where";
      small.textContent = where;
      li.appendChild(small);
      list.appendChild(li);
    });
    var note = "";
    if (!hits.length) {
      note = words(cfg.nothing, {q: text});
    } else {
      note = words(cfg.found, {n: String(hits.length)});
      if (result.house && hits[0].kind !== "address" && index.has_addresses) {
        note += " " + words(cfg.no_house, {number: result.house});
      }
    }
    if (!index.has_streets) { note += " " + cfg.needs_lists; }
    status.textContent = note;
    return hits;
  }

  var last = "";
  function run() {
    var text = input.value;
    if (text === last) { return; }
    last = text;
    if (parse(text).name.length < 2) {
      list.textContent = ""; status.textContent = ""; return;
    }
    load().then(function (d) { if (input.value === text) { render(search(d, text), text); } })
      .catch(function () { status.textContent = cfg.unavailable; });
  }

  input.addEventListener("focus", function () { load().catch(function () {}); });
  input.addEventListener("input", run);
  form.addEventListener("submit", function (ev) {
    // The best hit's profile, as in the app; with nothing found, the app searches itself.
    if (!index) { return; }
    var hits = search(index, input.value).hits || [];
    var first = hits.length && cfg.districts[hits[0].code];
    if (first) { ev.preventDefault(); window.location.href = first.href; }
  });
})();
