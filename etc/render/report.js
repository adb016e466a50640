/* The discrepancy report page (etc.render.html): sort a table by clicking a
   header (numbers by their data-sort value, everything else as text), and hide
   the rows that do not contain a filter box's text or, in the findings tables
   (rows with data-note), whose note state is not the one chosen in the
   #note-filter select (NONE: no note). No libraries, no network. */
"use strict";
(function () {
  function key(row, index, numeric) {
    var cell = row.cells[index];
    if (numeric) {
      var n = cell ? parseFloat(cell.getAttribute("data-sort")) : NaN;
      return isNaN(n) ? -Infinity : n;
    }
    if (cell && cell.hasAttribute("data-sort")) { return cell.getAttribute("data-sort"); }
    return cell ? cell.textContent.trim() : "";
  }

  function group(n) {
    var sep = document.documentElement.lang === "vi" ? "." : ",";
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  }

  function sortBy(table, th) {
    var heads = table.tHead.rows[0].cells;
    var index = Array.prototype.indexOf.call(heads, th);
    var numeric = th.getAttribute("data-type") === "number";
    var up = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var keyed = rows.map(function (row, i) {
      return { row: row, key: key(row, index, numeric), at: i };
    });
    keyed.sort(function (a, b) {
      var c = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
      return (up ? c : -c) || a.at - b.at;
    });
    var frag = document.createDocumentFragment();
    keyed.forEach(function (k) { frag.appendChild(k.row); });
    body.appendChild(frag);
    Array.prototype.forEach.call(heads, function (h) {
      h.setAttribute("aria-sort", h === th ? (up ? "ascending" : "descending") : "none");
    });
  }

  function filter(input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    var out = document.getElementById(input.getAttribute("data-count"));
    if (!table) { return; }
    var text = input.value.trim().toLowerCase();
    var rows = table.tBodies[0].rows;
    var shown = 0;
    var select = document.getElementById("note-filter");
    var note = select ? select.value : "";
    Array.prototype.forEach.call(rows, function (row) {
      var noted = row.hasAttribute("data-note") ? row.getAttribute("data-note") : null;
      var keep = (text === "" || row.textContent.toLowerCase().indexOf(text) !== -1) &&
        (note === "" || noted === null || noted === note);
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    if (out) {
      out.textContent = group(shown) + (out.getAttribute("data-of") || " of ") +
        group(rows.length) + (out.getAttribute("data-rows") || " rows");
    }
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      var button = th.querySelector("button");
      if (button) {
        button.addEventListener("click", function () { sortBy(table, th); });
      }
    });
  });
  var inputs = document.querySelectorAll("input[data-table]");
  inputs.forEach(function (input) {
    input.addEventListener("input", function () { filter(input); });
    if (input.value) { filter(input); }
  });
  var notes = document.getElementById("note-filter");
  if (notes) {
    notes.addEventListener("change", function () { inputs.forEach(filter); });
    if (notes.value) { inputs.forEach(filter); }
  }
})();
