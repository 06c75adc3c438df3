// A list's filters (templates/reports/list_base.html) are folded in a <details> so that on
// a phone the results show on the first screen. On a wide screen, where they sit beside
// the results, open them. Without this script the summary still opens them.
(function () {
  "use strict";
  var fold = document.querySelector("details.filters");
  if (!fold || !window.matchMedia) {
    return;
  }
  var wide = window.matchMedia("(min-width: 48.01rem)");
  function openOnWideScreens() {
    if (wide.matches) {
      fold.open = true;
    }
  }
  openOnWideScreens();
  wide.addEventListener("change", openOnWideScreens);
})();
