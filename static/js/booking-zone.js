// Says so when the visitor's device is in another time zone than the clinic. The page
// always shows clinic time; this only adds a note, and the page works without it.
(function () {
  var note = document.querySelector("[data-clinic-zone]");
  if (!note || !window.Intl) return;
  var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (mine && mine !== note.getAttribute("data-clinic-zone")) note.hidden = false;
})();
