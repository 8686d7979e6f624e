// The driver app's service worker: the shell keeps working on a slow or lost connection.
// Scripts and styles (/assets/*, content-hashed by the build) come from the cache once
// fetched; app pages are fetched from the network first and fall back to the last copy.
// Nothing else (the live socket, sign-in, payments, receipts) is ever cached.
const CACHE = "ccms-driver-app-v1";
const SHELL = ["/app", "/app/manifest.webmanifest", "/app/icon-192.png"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).catch(() => {}));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) =>
      Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key)))
    ).then(() => self.clients.claim())
  );
});

function isPage(url, request) {
  return request.mode === "navigate" && url.pathname.startsWith("/app") &&
    !url.pathname.startsWith("/app/auth");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/assets/")) {
    event.respondWith(
      caches.match(request).then((hit) => hit || fetch(request).then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      }))
    );
  } else if (isPage(url, request)) {
    event.respondWith(
      fetch(request).then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      }).catch(() => caches.match(url.pathname).then((hit) => hit || caches.match("/app")))
    );
  }
});
