// Curation from the document (admin report page): when the editor selects a
// passage inside one paragraph, show links that open a new incident or group,
// or a new citation, with the report, the paragraph and the exact quote filled
// in. Loaded with <script src> (the CSP allows no inline script); without it the
// paragraph links still work and the editor pastes the quote by hand. The
// server checks the quote against the report on save, whatever this sends.
"use strict";

(function () {
  const section = document.getElementById("curate");
  if (!section) {
    return;
  }
  const toolbar = document.getElementById("curate-toolbar");
  const where = toolbar.querySelector(".curate-selection-where");
  const shown = toolbar.querySelector(".curate-selection-quote");
  const report = section.dataset.report;

  function link(selector, base, params) {
    const anchor = toolbar.querySelector(selector);
    if (anchor) {
      anchor.href = base + "?" + new URLSearchParams(params).toString();
    }
  }

  function paragraphOf(node) {
    const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    const text = element && element.closest(".curate-text");
    return text && section.contains(text) ? text.closest(".curate-paragraph") : null;
  }

  function update() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      return; // keep the last passage: clicking a toolbar link collapses the selection
    }
    const paragraph = paragraphOf(selection.anchorNode);
    const quote = selection.toString().replace(/\s+/g, " ").trim();
    // A quote stands in one paragraph; a selection across two is not one passage.
    if (!paragraph || paragraph !== paragraphOf(selection.focusNode) || !quote) {
      return;
    }
    const cite = { cite_report: report, cite_paragraph: paragraph.dataset.paragraph, cite_quote: quote };
    link(".curate-new-incident", section.dataset.incidentAddUrl, cite);
    link(".curate-new-group", section.dataset.groupAddUrl, cite);
    link(".curate-cite", section.dataset.citationAddUrl, {
      report: report,
      paragraph: paragraph.dataset.paragraph,
      quote: quote,
    });
    where.textContent = "¶" + paragraph.dataset.number;
    shown.textContent = quote;
    toolbar.hidden = false;
  }

  document.addEventListener("selectionchange", update);
})();
