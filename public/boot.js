// Runs before the first paint: applies the display mode, text size and language remembered on this
// device, so an elderly-mode page never flashes at the standard size and screen readers
// get the right language from the start. Storage may be blocked (private browsing); then
// the defaults apply. The loading line in index.html shows in the language chosen here.
var root = document.documentElement;
root.setAttribute("data-script", "");

// A delegation link whose "#" a chat app encoded ("/authorize%23…"), or whose path it
// capitalised, is put back the way it was sent before anything else runs: the secret returns
// to the fragment, which is never sent to a server, and the address with it in the path
// leaves this tab's history.
var link = /^\/authorize(?:%23(.*))?$/i.exec(location.pathname);
if (link && location.pathname !== "/authorize") {
  location.replace("/authorize" + location.search + (link[1] !== undefined ? "#" + link[1] : location.hash));
}

// The same choice as `prefs::negotiate` in the app, for a device with no language remembered:
// Traditional Chinese (Hong Kong, Macao, Taiwan, Hant, Cantonese) reads zh-HK, other Chinese
// zh-CN, English en, and English when none of them is asked for.
function negotiate(languages) {
  for (var i = 0; i < languages.length; i++) {
    var parts = String(languages[i]).toLowerCase().split(/[-_]/);
    if (parts[0] === "zh" || parts[0] === "yue") {
      var rest = parts.slice(1);
      var traditional = parts[0] === "yue" || rest.some(function (p) {
        return p === "hant" || p === "hk" || p === "mo" || p === "tw";
      });
      return traditional && rest.indexOf("hans") < 0 ? "zh-HK" : "zh-CN";
    }
    if (parts[0] === "en") return "en";
  }
  return "en";
}

var locale = null;
var signedIn = false;
try {
  signedIn = localStorage.getItem("kapok.data.me") !== null;
  if (localStorage.getItem("kapok.mode") === "elderly") {
    root.setAttribute("data-mode", "elderly");
  }
  var text = localStorage.getItem("kapok.text");
  if (text === "larger" || text === "largest") {
    root.setAttribute("data-text", text);
  }
  locale = localStorage.getItem("kapok.locale");
} catch (_) {}
if (locale !== "zh-CN" && locale !== "zh-HK" && locale !== "en") {
  var languages = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
  locale = negotiate(languages);
}
root.setAttribute("lang", locale);

// Someone signed in on this device: the app's first request is "who is signed in?", which it
// can only send once its wasm has arrived and started. Asking now, while the wasm downloads,
// has the answer waiting; the app's own GET of the same address takes this response instead
// of sending a second request. (A device nobody signed in on asks nothing, as the app does.)
if (signedIn) {
  var me = document.createElement("link");
  me.rel = "preload";
  me.as = "fetch";
  me.crossOrigin = "anonymous";
  me.href = "/api/v1/me";
  document.head.appendChild(me);
}

// The app did not start: its wasm could not be fetched (the network dropped), or it failed as
// it started. Every error before the app takes the page over is one of those, and the loading
// line would otherwise wait for ever: it says so instead, with a way to try again. Once the
// app has started, the loading line is gone and this does nothing.
function failed() {
  var boot = document.getElementById("kp-boot");
  if (boot && !boot.hasAttribute("data-failed")) {
    boot.setAttribute("data-failed", "");
    var retry = boot.querySelector(".kp-boot__retry");
    if (retry) {
      retry.addEventListener("click", function () {
        location.reload();
      });
    }
  }
}
addEventListener("error", failed);
addEventListener("unhandledrejection", failed);
