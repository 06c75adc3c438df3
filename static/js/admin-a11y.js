// Accessible names Django's admin leaves out (axe-core: label, aria-input-field-name):
// - fields of tabular inlines are labelled only by their column header;
// - an autocomplete (select2) box is named by its current value, so an empty one has none.
// Each gets the name of its column or of its field's <label>. Loaded with <script src>.
"use strict";

(function () {
  function columnName(cell) {
    const table = cell.closest("table");
    const header = table && table.querySelectorAll("thead th")[cell.cellIndex];
    return header ? header.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function nameTabularFields(root) {
    root.querySelectorAll(".tabular td input, .tabular td select, .tabular td textarea").forEach(
      function (field) {
        if (field.type === "hidden" || field.labels.length || field.getAttribute("aria-label")) {
          return;
        }
        const name = columnName(field.closest("td"));
        if (name) {
          field.setAttribute("aria-label", name);
        }
      }
    );
  }

  function nameAutocompleteBoxes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      const box = select.parentElement.querySelector(".select2-selection[role=combobox]");
      const label = select.labels[0] || null;
      const name = label
        ? label.textContent.replace(/[:\s]+$/, "").trim()
        : columnName(select.closest("td") || select);
      if (box && name) {
        box.setAttribute("aria-label", name);
        box.removeAttribute("aria-labelledby");
        const shown = box.querySelector(".select2-selection__rendered");
        if (shown) {
          shown.setAttribute("aria-label", name);
        }
      }
    });
  }

  function fix(root) {
    nameTabularFields(root);
    nameAutocompleteBoxes(root);
  }

  // select2 builds its boxes in a jQuery ready handler, which jQuery runs
  // asynchronously (possibly after "load"); a handler added later runs after it.
  if (window.django && window.django.jQuery) {
    window.django.jQuery(function () {
      fix(document);
    });
  } else {
    window.addEventListener("load", function () {
      fix(document);
    });
  }
  document.addEventListener("formset:added", function (event) {
    fix(event.target);
  });
})();
