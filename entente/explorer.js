/* The static explorer's list of claims (entente.explore, entente.exploredata): what the timeline's controls
   select, counted from the page's cells and listed from the chunk files beside the page, a page of the list
   at a time; a CSV of every match; the filter read from and written to the page's address.
   Text from the data is only ever set as textContent: it shows as text. */
(function () {
  "use strict";
  if (window.ententeExplorer) return;

  function onReady(go) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", go);
    else go();
  }

  window.ententeExplorer = function (view, id) {
    onReady(function () { start(view, id); });
  };

  function start(view, id) {
    var root = document.getElementById(id);
    var config = JSON.parse(document.getElementById(id + "-config").textContent);
    var filters = config.filters, values = config.values, bounds = config.periodBounds;
    var DAY_MS = config.dayMs, limit = config.listLimit, base = (function () {
      var page = location.pathname.split("/").pop().replace(/\.html?$/, "");
      return page + config.folderSuffix + "/";
    })();
    var status = root.querySelector(".entente-explorer-status");
    var said = root.querySelector(".entente-explorer-filter");
    var body = root.querySelector("tbody");
    var newer = root.querySelector("[data-go=newer]"), older = root.querySelector("[data-go=older]");
    var download = root.querySelector("[data-go=csv]");
    var first = 3, levelAt = first + filters.indexOf(config.level), tail = first + filters.length;

    // Cells: [chunk, day or -1, value index per filter, n].
    var cells = config.cells.map(function (c) {
      var vals = {};
      filters.forEach(function (f, i) { vals[f] = c[2 + i] < 0 ? "" : values[f][c[2 + i]]; });
      return {chunk: c[0], day: c[1] < 0 ? null : c[1], vals: vals, n: c[c.length - 1]};
    });

    // --- chunks, each loaded once by a <script> tag (a page opened from disk cannot fetch) ---
    var loaded = {}, pending = {};
    window[config.callback] = function (n, rows) {
      if (pending[n]) { pending[n].resolve(rows); delete pending[n]; }
    };
    function chunk(n) {
      if (!loaded[n]) {
        loaded[n] = new Promise(function (resolve, reject) {
          var tag = document.createElement("script");
          pending[n] = {resolve: resolve};
          tag.src = base + config.chunkFiles[n];
          tag.onload = function () {
            if (pending[n]) { delete pending[n]; delete loaded[n]; reject(new Error(tag.src + " holds no claims")); }
          };
          tag.onerror = function () { delete pending[n]; delete loaded[n]; reject(new Error("could not load " + tag.src)); };
          document.head.appendChild(tag);
        });
      }
      return loaded[n];
    }

    // --- the filter: the select boxes, the date boxes and the brush of the timeline ---
    function chosen() {
      var eq = {};
      filters.forEach(function (f) {
        var v = view.signal(f);
        if (v !== null && v !== undefined && v !== config.all) eq[f] = String(v);
      });
      var from = view.signal(bounds[0]) || "", to = view.signal(bounds[1]) || "";
      var store = view.data(config.brushStore) || [], lo = null, hi = null;
      if (store.length) {
        var range = store[0].values[0];
        lo = Math.min(+range[0], +range[1]);
        hi = Math.max(+range[0], +range[1]);
      }
      return {eq: eq, from: from, to: to, lo: lo, hi: hi};
    }
    function passes(f, day, vals) {
      for (var name in f.eq) if (vals[name] !== f.eq[name]) return false;
      if (f.lo === null && !f.from && !f.to) return true;
      if (day === null) return false;  // a period leaves out the claims without an event date
      var ms = day * DAY_MS;
      if (f.lo !== null && (ms < f.lo || ms > f.hi)) return false;
      if (f.from && ms < Date.parse(f.from)) return false;
      if (f.to && ms >= Date.parse(f.to) + DAY_MS) return false;
      return true;
    }
    function rowValues(row) {
      var vals = {};
      filters.forEach(function (f, i) { vals[f] = row[first + i]; });
      return vals;
    }
    function perChunk(f) {
      var counts = config.chunkFiles.map(function () { return 0; });
      cells.forEach(function (c) { if (passes(f, c.day, c.vals)) counts[c.chunk] += c.n; });
      return counts;
    }
    function matchesIn(f, n, expected) {
      return chunk(n).then(function (rows) {
        var found = rows.filter(function (r) { return passes(f, r[2], rowValues(r)); });
        if (found.length !== expected) throw new Error(config.chunkFiles[n] + " holds " + found.length +
                                                       " matching claims where the page counts " + expected);
        return found;
      });
    }
    function words(f) {
      var parts = filters.filter(function (n) { return n in f.eq; })
        .map(function (n) { return config.titles[n] + ": " + f.eq[n]; });
      if (f.lo !== null) parts.push("period drawn on the timeline, " + new Date(f.lo).toISOString().slice(0, 10) +
                                    " to " + new Date(f.hi).toISOString().slice(0, 10));
      if (f.from) parts.push("from " + f.from);
      if (f.to) parts.push("to " + f.to);
      return parts;
    }
    function address(f) {
      var params = new URLSearchParams();
      filters.forEach(function (n) { if (n in f.eq) params.set(n, f.eq[n]); });
      if (f.from) params.set(bounds[0], f.from);
      if (f.to) params.set(bounds[1], f.to);
      return params.toString();
    }
    function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

    // --- the list, a page at a time ---
    var page = 0, shown = 0, key = null, unknown = [];
    function update() {
      var f = chosen(), now = JSON.stringify(f), counts = perChunk(f), ticket = ++shown;
      if (now !== key) { page = 0; key = now; }
      var found = counts.reduce(function (a, b) { return a + b; }, 0);
      var pages = Math.max(1, Math.ceil(found / limit));
      if (page >= pages) page = pages - 1;
      var start = page * limit, end = Math.min(found, start + limit);
      var text = found + " of " + plural(config.total, "claim") + (found === 1 ? " matches" : " match");
      var parts = words(f);
      said.textContent = (parts.length ? "Filter: " + parts.join("; ") + "." : "No filter: every claim.") +
        (unknown.length ? " Not applied from the address: " + unknown.join(", ") + "." : "");
      var where = address(f);
      try {
        if (where !== location.hash.slice(1)) history.replaceState(null, "", where ? "#" + where : location.pathname + location.search);
      } catch (e) { /* an address that cannot change keeps the old one */ }
      newer.disabled = page === 0;
      older.disabled = page >= pages - 1;
      download.disabled = found === 0;
      // The chunks holding matches start to end - 1 of the list.
      var wanted = [], before = 0;
      counts.forEach(function (n, c) {
        if (n && before < end && before + n > start) wanted.push({chunk: c, skip: Math.max(0, start - before), n: n});
        before += n;
      });
      status.textContent = text + (found ? "; loading claims " + (start + 1) + " to " + end + "…" : "; none to list.");
      Promise.all(wanted.map(function (w) { return matchesIn(f, w.chunk, w.n); })).then(function (lists) {
        if (ticket !== shown) return;  // the filter changed meanwhile
        var rows = [];
        lists.forEach(function (list, i) { rows = rows.concat(list.slice(wanted[i].skip)); });
        rows = rows.slice(0, end - start);
        body.textContent = "";
        rows.forEach(function (r) {
          var tr = document.createElement("tr"), link = document.createElement("a");
          link.href = r[1];
          link.textContent = r[0];
          var first = document.createElement("td");
          first.appendChild(link);
          tr.appendChild(first);
          [r[tail], r[levelAt], r[tail + 1], r[tail + 2]].forEach(function (v) {
            var td = document.createElement("td");
            td.textContent = v;
            tr.appendChild(td);
          });
          body.appendChild(tr);
        });
        status.textContent = text + (found ? "; claims " + (start + 1) + " to " + end + " listed, most recent first." :
                                     "; none to list.");
      }).catch(function (err) {
        if (ticket !== shown) return;
        status.textContent = text + "; the list could not be loaded (" + err.message + ").";
        console.error("explorer: " + err.message);
      });
    }
    newer.addEventListener("click", function () { if (page > 0) { page -= 1; update(); } });
    older.addEventListener("click", function () { page += 1; update(); });

    // --- every match as CSV, built here from the chunks that hold them ---
    var FORMULA = config.formulaStarts;
    function cell(v) {
      var text = v === null || v === undefined ? "" : String(v);
      if (text && FORMULA.indexOf(text[0]) >= 0 && !/^-?\d+(\.\d+)?$/.test(text)) text = "'" + text;
      return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
    }
    download.addEventListener("click", function () {
      var f = chosen(), counts = perChunk(f), wanted = [];
      counts.forEach(function (n, c) { if (n) wanted.push(matchesIn(f, c, n)); });
      download.disabled = true;
      Promise.all(wanted).then(function (lists) {
        var lines = [config.csvHeadings.map(cell).join(",")];
        lists.forEach(function (list) {
          list.forEach(function (r) {
            lines.push([r[0], r[tail]].concat(r.slice(first, tail), [r[tail + 1], r[tail + 2]]).map(cell).join(","));
          });
        });
        var url = URL.createObjectURL(new Blob([lines.join("\n") + "\n"], {type: "text/csv;charset=utf-8"}));
        var a = document.createElement("a");
        a.href = url;
        a.download = config.csvName;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      }).catch(function (err) {
        status.textContent = "The CSV could not be made (" + err.message + ").";
        console.error("explorer: " + err.message);
      }).then(function () { download.disabled = false; });
    });

    // --- the filter of the address (explore.html#stage=done&period_from=2022-01-01), shown in the controls ---
    var given = new URLSearchParams(location.hash.slice(1));
    given.forEach(function (value, name) {
      if (filters.indexOf(name) >= 0 && values[name].indexOf(value) >= 0) view.signal(name, value);
      else if (bounds.indexOf(name) >= 0 && /^\d{4}-\d{2}-\d{2}$/.test(value) && !isNaN(Date.parse(value))) view.signal(name, value);
      else unknown.push(name + "=" + value);
    });
    filters.concat(bounds).forEach(function (name) { view.addSignalListener(name, function () { update(); }); });
    view.addDataListener(config.brushStore, function () { update(); });
    view.runAsync().then(update);
  }
})();
