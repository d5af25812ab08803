// Says so when the visitor's device is in another time zone than the clinic. The page
// always shows clinic time; this only swaps in the longer wording, whose room the line
// already holds (templates/appointments/times.html), and the page works without it.
(function () {
  var line = document.querySelector("[data-clinic-zone]");
  if (!line || !window.Intl) return;
  var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (mine && mine !== line.getAttribute("data-clinic-zone")) line.classList.add("is-elsewhere");
})();
