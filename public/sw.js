// Kapok's service worker: the app opens with no network.
//
// - The app shell (every file of this build) is cached when the worker installs. `cargo xtask`
//   writes this build's file list and id in place of the two markers below.
// - Page loads: network first, then the cached shell, so a reload offline still opens the app,
//   which then shows what the device saved (licences, codes, issuer keys).
// - The app's files: from the cache, refreshed in the background.
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
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match("/", { cacheName: CACHE })));
    return;
  }
  event.respondWith(
    caches.open(CACHE).then((cache) =>
      cache.match(request).then((hit) => {
        const fresh = fetch(request)
          .then((response) => {
            if (response.ok) cache.put(request, response.clone());
            return response;
          })
          .catch(() => hit);
        return hit || fresh;
      }),
    ),
  );
});
