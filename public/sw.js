// Kapok's service worker: the app opens with no network.
//
// - The app shell (every file of this build) is cached when the worker installs. `cargo xtask`
//   writes this build's file list and id in place of the two markers below.
// - Page loads and the app's files: from this build's cache, with no request at all, so a
//   repeat visit costs no network (and a reload offline still opens the app, which then shows
//   what the device saved: licences, codes, issuer keys). The files are this build's and never
//   change; a new build comes as a new worker (the browser checks this file on each visit),
//   which caches the new files, takes over, and drops the old cache. Anything not cached goes
//   to the network.
// - The API: never cached here. Personal data stays in the app's own storage, which sign-out
//   wipes; a response cache would outlive it.
const BUILD = "__KAPOK_BUILD__";
const PRECACHE = __KAPOK_PRECACHE__;
const CACHE = `kapok-shell-${BUILD}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  // An older build's files are dropped with its cache.
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  // Every path of the app is the one page, "/" (a file's path, such as /robots.txt, is itself).
  const appPath = request.mode === "navigate" && !/\.[a-z0-9]+$/i.test(url.pathname);
  const cached = appPath ? "/" : request;
  event.respondWith(caches.match(cached, { cacheName: CACHE }).then((hit) => hit || fetch(request)));
});
