// Runs before the first paint: applies the display mode, text size and language remembered on this
// device, so an elderly-mode page never flashes at the standard size and screen readers
// get the right language from the start. Storage may be blocked (private browsing); then
// the defaults apply.
try {
  var root = document.documentElement;
  if (localStorage.getItem("kapok.mode") === "elderly") {
    root.setAttribute("data-mode", "elderly");
  }
  var text = localStorage.getItem("kapok.text");
  if (text === "larger" || text === "largest") {
    root.setAttribute("data-text", text);
  }
  var locale = localStorage.getItem("kapok.locale");
  if (locale === "zh-CN" || locale === "zh-HK" || locale === "en") {
    root.setAttribute("lang", locale);
  }
} catch (_) {}
