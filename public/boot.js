// Runs before the first paint: applies the display mode remembered on this device, so an
// elderly-mode page never flashes at the standard size first. Storage may be blocked
// (private browsing); then the default applies.
try {
  if (localStorage.getItem("kapok.mode") === "elderly") {
    document.documentElement.setAttribute("data-mode", "elderly");
  }
} catch (_) {}
