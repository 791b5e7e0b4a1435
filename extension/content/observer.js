// kolscope page observer (MAIN world, document_start): hands the JSON answers of the platform's own
// API calls (fetch and XHR) to the kolscope content script, plus same-document navigations.
//
// It runs in the page's world because only there can fetch/XHR be observed; it never sends anything
// anywhere but to its own window, and only for the handful of API URLs the parsers read.
(() => {
  "use strict";
  // The API answers each platform's parser reads (content/platforms.js, generated from the backend's
  // registry: the same list the fetcher keeps); nothing else is forwarded. platforms.js runs just
  // before this file in the page's world: its global is taken and removed, so the page's own scripts
  // (which run after both) find nothing of ours on window but the flag below.
  const platforms = globalThis.kolscopePlatforms || [];
  delete globalThis.kolscopePlatforms;
  if (window.__kolscopeObserver) return; // injected once per document
  Object.defineProperty(window, "__kolscopeObserver", { value: true });

  const host = location.hostname;
  const here = platforms.find((p) => p.hosts.includes(host) || p.aliases.includes(host));
  if (!here) return;
  const patterns = here.apiUrls.map((source) => new RegExp(source));

  // Bounds: one huge body (or a flood of them) must not stall the page or the extension.
  const MAX_BODY_CHARS = 6 * 1024 * 1024;
  const MAX_PENDING = 40;

  // The per-page channel: a random nonce the content script reads from (and removes off) the root
  // element before any page script runs, so page scripts cannot forge messages on it easily.
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  const nonce = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  document.documentElement.setAttribute("data-kolscope-channel", nonce);

  // Keep references to the originals: page scripts may wrap these again after us.
  const post = window.postMessage.bind(window);
  const origin = location.origin;
  let pending = 0;

  function send(kind, payload) {
    try {
      post({ kolscope: "observer", nonce, kind, ...payload }, origin);
    } catch (_) {
      // a body that cannot be cloned is simply not forwarded
    }
  }

  function absolute(url) {
    try {
      return new URL(url, location.href).href;
    } catch (_) {
      return null;
    }
  }

  function wanted(url) {
    return !!url && patterns.some((re) => re.test(url));
  }

  function forward(url, status, contentType, text) {
    if (typeof text !== "string" || !text || text.length > MAX_BODY_CHARS) return;
    const head = text.trimStart().slice(0, 8);
    // JSON only (some APIs prefix theirs with )]}' ); HTML error pages and binary answers are skipped.
    if (!/^(?:[{[]|\)\]\}')/.test(head)) return;
    send("response", { url, status, content_type: contentType || "application/json", body: text });
  }

  // fetch
  const origFetch = window.fetch;
  if (typeof origFetch === "function") {
    const wrapped = function fetch(input, init) {
      const promise = origFetch.apply(this, arguments);
      let url = null;
      try {
        url = absolute(typeof input === "string" ? input : input && (input.url || String(input)));
      } catch (_) {
        url = null;
      }
      if (wanted(url) && pending < MAX_PENDING) {
        pending++;
        promise
          .then((res) => {
            const len = Number(res.headers.get("content-length") || 0);
            if (len > MAX_BODY_CHARS) return null;
            return res
              .clone()
              .text()
              .then((text) => forward(res.url || url, res.status, res.headers.get("content-type"), text));
          })
          .catch(() => {})
          .finally(() => pending--);
      }
      return promise; // the page gets its own, untouched response
    };
    window.fetch = wrapped;
  }

  // XMLHttpRequest
  const XHR = window.XMLHttpRequest;
  if (XHR && XHR.prototype) {
    const open = XHR.prototype.open;
    const sendXhr = XHR.prototype.send;
    const urls = new WeakMap();
    XHR.prototype.open = function (method, url) {
      try {
        urls.set(this, absolute(String(url)));
      } catch (_) {}
      return open.apply(this, arguments);
    };
    XHR.prototype.send = function () {
      const url = urls.get(this);
      if (wanted(url)) {
        this.addEventListener("load", () => {
          try {
            const type = this.responseType;
            let text = null;
            if (type === "" || type === "text") text = this.responseText;
            else if (type === "json" && this.response != null) text = JSON.stringify(this.response);
            forward(this.responseURL || url, this.status, this.getResponseHeader("content-type"), text);
          } catch (_) {}
        });
      }
      return sendXhr.apply(this, arguments);
    };
  }

  // Same-document navigations: the isolated content script cannot see the page's history calls.
  for (const name of ["pushState", "replaceState"]) {
    const orig = history[name];
    if (typeof orig !== "function") continue;
    history[name] = function () {
      const before = location.href;
      const result = orig.apply(this, arguments);
      if (location.href !== before) send("navigate", { url: location.href, how: name });
      return result;
    };
  }
})();
