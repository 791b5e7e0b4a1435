// kolscope content core (isolated world): follows the page through its single-page navigations,
// decides when a creator page or a list page (search, tag, followers, comments: the registry's list
// pages, which the service worker passes on) is ready, builds the kolscope.capture/1 capture and shows the
// overlay; a list page is captured again, spaced out, as more of it loads (infinite scroll).
// Each platform module (content/<platform>.js) calls kolscope.start(definition).
(() => {
  "use strict";
  const kolscope = (globalThis.kolscope = globalThis.kolscope || {});

  // Once ready, wait this long after the last API answer before capturing (answers often come in
  // pairs: a profile, then its posts); answers that come later still refine the capture.
  const QUIET_MS = 60;
  const MAX_SETTLE_MS = 1500; // ... but never longer than this once the page is ready
  const READY_TIMEOUT_MS = 8000; // capture what there is when the data never shows up
  const REFRESH_MS = 900; // answers that arrive after a capture refine it once they stop coming
  const MAX_REFRESHES = 2;
  const MAX_RESPONSES = 60;
  const MAX_TOTAL_CHARS = 24 * 1024 * 1024;
  // A list page read as a list is captured again when more of it loads (scrolling): once the list
  // has stopped growing for LIST_QUIET_MS, never sooner than LIST_GAP_MS after the last capture, and
  // at most LIST_MAX_RECAPTURES times a page, so a long scroll costs the backend a capture every few
  // seconds, not one per answer.
  const LIST_QUIET_MS = 1200;
  const LIST_GAP_MS = 4000;
  const LIST_MAX_RECAPTURES = 25;

  /** [kind, RegExp] pairs of each platform's list pages (the registry's `list_pages`). Chromium
   * injects a file once per page however many manifest entries name it, so content/platforms.js runs
   * in the page's world only (for the observer) and this world learns its platform's list pages from
   * the service worker's answer to "hello" (`learnListPages`); where platforms.js did run here (Node
   * tests), they come from it. */
  const LIST_PAGES = new Map();
  kolscope.learnListPages = function learnListPages(platform, pairs) {
    if (!Array.isArray(pairs)) return;
    const compiled = [];
    for (const pair of pairs) {
      try {
        if (Array.isArray(pair) && typeof pair[0] === "string") compiled.push([pair[0], new RegExp(pair[1])]);
      } catch (_) {
        // a pattern this browser cannot compile: that kind of page is captured as it was before
      }
    }
    LIST_PAGES.set(platform, compiled);
  };
  for (const p of globalThis.kolscopePlatforms || []) kolscope.learnListPages(p.name, p.listPages);

  /** The kind of list page `href` is on `platform` ("search", "followers", ...), or null. The same
   * patterns and rule as Platform.list_kind in Python: tested on the URL's pathname and search. */
  kolscope.listKindOf = function listKindOf(platform, href) {
    let url;
    try {
      url = new URL(href);
    } catch (_) {
      return null;
    }
    const where = url.pathname + url.search;
    for (const [kind, re] of LIST_PAGES.get(platform) || []) {
      if (re.test(where)) return kind;
    }
    return null;
  };

  /** The channel nonce the MAIN-world observer leaves on <html> before any page script runs. */
  function takeNonce(onNonce) {
    const root = document.documentElement;
    const read = () => {
      const value = root && root.getAttribute("data-kolscope-channel");
      if (value) {
        root.removeAttribute("data-kolscope-channel");
        onNonce(value);
        return true;
      }
      return false;
    };
    if (read() || !root) return;
    // Should the observer run after us, it sets the attribute before the page's own scripts run.
    const mo = new MutationObserver(() => {
      if (read()) mo.disconnect();
    });
    mo.observe(root, { attributes: true, attributeFilter: ["data-kolscope-channel"] });
  }

  function sendMessage(message) {
    return new Promise((resolve) => {
      try {
        chrome.runtime.sendMessage(message, (reply) => {
          if (chrome.runtime.lastError) {
            resolve({ ok: false, state: "error", message: chrome.runtime.lastError.message });
          } else {
            resolve(reply || { ok: false, state: "error", message: "No answer from the extension." });
          }
        });
      } catch (err) {
        // the extension was reloaded or removed: this content script is orphaned
        resolve({ ok: false, state: "error", message: "The kolscope extension was reloaded; reload the page." });
      }
    });
  }

  function firstMatch(list) {
    for (const [css] of list || []) {
      const el = document.querySelector(css);
      if (el && (el.textContent || "").trim()) return el;
    }
    return null;
  }

  /**
   * Start kolscope on this page. `def`:
   *   name                  platform name (a name in content/platforms.js)
   *   pageKind(url)         'creator' | 'video' | 'post' | null (not a creator page: no overlay,
   *                         unless the page is one of the platform's list pages: then 'list')
   *   handleOf(url)         the handle the URL names, for the "analysing" line (may be null)
   *   ready(ctx)            true once the page holds the data a parser needs (ctx.list: the list
   *                         kind of a list page, else null; ctx.kind: the page kind, 'list' for a page
   *                         that is only a list)
   *   listSize(ctx)         (optional) how many rows of the list the page shows now: more of them
   *                         than at the last capture mean the list grew (the user scrolled)
   *   complete(ctx)         (optional) true once the page holds all the answers it is going to
   *                         load: the capture goes at once, without waiting for more to come
   *   keep(responses, url)  (optional) drops answers that belong to another creator
   *   neutralizeStale(root) (optional) after an in-page navigation, empties the initial embedded
   *                         data of the clone root: it describes the first page, not this one
   *   anchors               [[selector, saved page], ...]: where the overlay sits, near the creator's
   *                         name (the first that matches an element with text); each pair is checked
   *                         on its saved page by tests/test_extension_selectors.py
   *   navigationEvents      extra DOM events that mean "navigation finished" (an app's own event)
   */
  kolscope.start = function start(def) {
    if (kolscope.started) return;
    kolscope.started = true;

    let nonce = null;
    let responses = []; // {url, status, content_type, body, at, used}
    let lastKey = pageKey(location.href);
    let inPageNav = false;
    let navSeq = 0;
    let navAt = 0;
    let enabled = null; // unknown until the service worker answers
    let timers = {};
    let phase = "idle"; // idle | waiting | settling | captured | off
    let readyAt = 0;
    let refreshes = 0;
    let captureInFlight = false;
    let listed = null; // a list page the backend answered as a list: {recaptures, lastAt, size}

    const overlay = new kolscope.Overlay({
      platform: def.name,
      send: sendMessage,
      onRetry: () => begin(true),
    });

    takeNonce((value) => {
      nonce = value;
    });
    // Asked right away (document_start), so the answer is in by the time the page is parsed.
    let hello = sendMessage({ type: "hello", platform: def.name });

    window.addEventListener("message", (event) => {
      if (event.source !== window || event.origin !== location.origin) return;
      const data = event.data;
      if (!data || data.kolscope !== "observer" || !nonce || data.nonce !== nonce) return;
      if (data.kind === "response") onResponse(data);
      else if (data.kind === "navigate") onMaybeNavigated();
    });
    window.addEventListener("popstate", onMaybeNavigated);
    for (const name of def.navigationEvents || []) document.addEventListener(name, onMaybeNavigated);

    // Frameworks re-render and replace nodes: keep the overlay attached, move it next to the creator's
    // name once that renders, and notice URL changes no event told us about.
    let moPending = false;
    const mo = new MutationObserver(() => {
      if (moPending) return;
      moPending = true;
      setTimeout(() => {
        moPending = false;
        onMaybeNavigated();
        if (phase !== "off" && phase !== "idle") place();
        if (phase === "waiting") check();
        else if (listed && phase === "captured") listMaybeGrew();
      }, 100);
    });
    mo.observe(document, { childList: true, subtree: true });

    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", () => begin(false), { once: true });
    } else {
      begin(false);
    }

    /** What makes a page another page: its path (or, per platform, def.pageKey: e.g. a ?v=). Apps
     * rewrite query strings and hashes in place (replaceState on load); that is no navigation. */
    function pageKey(href) {
      const url = new URL(href);
      return def.pageKey ? def.pageKey(url) : url.pathname.replace(/\/+$/, "");
    }

    function clearTimers() {
      for (const t of Object.values(timers)) clearTimeout(t);
      timers = {};
      overlay.host.removeAttribute("data-refresh-pending");
    }

    function onResponse(data) {
      if (typeof data.url !== "string" || typeof data.body !== "string") return;
      responses.push({
        url: data.url,
        status: typeof data.status === "number" ? data.status : null,
        content_type: typeof data.content_type === "string" ? data.content_type : null,
        body: data.body,
        at: performance.now(),
        used: false,
      });
      // Bounded: the oldest answers go first.
      let total = responses.reduce((n, r) => n + r.body.length, 0);
      while (responses.length > MAX_RESPONSES || (total > MAX_TOTAL_CHARS && responses.length > 1)) {
        total -= responses.shift().body.length;
      }
      if (phase === "waiting") check();
      else if (phase === "settling") settle();
      else if (listed && phase === "captured") {
        if (currentResponses().some((r) => !r.used)) listGrew(); // an answer about this list
      } else if (phase === "captured" && refreshes < MAX_REFRESHES) {
        clearTimeout(timers.refresh);
        // Marked on the element so tests and the benchmark know a refined capture is coming.
        overlay.host.setAttribute("data-refresh-pending", "");
        timers.refresh = setTimeout(() => {
          refreshes++;
          capture();
        }, REFRESH_MS);
      }
    }

    function onMaybeNavigated() {
      const key = pageKey(location.href);
      if (key === lastKey) return;
      lastKey = key;
      inPageNav = true;
      if (document.readyState === "loading") return; // DOMContentLoaded begins with the new URL
      // The answers for the new page are often fetched before the URL changes (an app fetches the
      // new page's data, then pushes the URL): keep what arrived since the last navigation unless a
      // capture of the previous page already used it.
      responses = responses.filter((r) => !r.used && r.at >= navAt);
      navAt = performance.now();
      begin(false);
    }

    function currentResponses() {
      const url = location.href;
      const list = responses.slice();
      return def.keep ? def.keep(list, url) : list;
    }

    function listKind(url) {
      return def.listKind ? def.listKind(url) : kolscope.listKindOf(def.name, url.href);
    }

    function pageKindOf(url) {
      return def.pageKind(url) || (listKind(url) ? "list" : null);
    }

    function ctx() {
      const url = new URL(location.href);
      return { url, inPageNav, responses: currentResponses(), document, list: listKind(url), kind: pageKindOf(url) };
    }

    function listSize() {
      try {
        return def.listSize ? Number(def.listSize(ctx())) || 0 : 0;
      } catch (_) {
        return 0;
      }
    }

    /** The DOM changed on a list page: captured again only when it shows more rows than last time. */
    function listMaybeGrew() {
      if (listSize() > listed.size) listGrew();
    }

    /** More of the list loaded (an answer or rows): one capture once it stops, spaced out, bounded. */
    function listGrew() {
      if (listed.recaptures >= LIST_MAX_RECAPTURES) {
        overlay.host.setAttribute("data-list-capped", "");
        return;
      }
      clearTimeout(timers.grow);
      overlay.host.setAttribute("data-refresh-pending", "");
      const wait = Math.max(LIST_QUIET_MS, listed.lastAt + LIST_GAP_MS - performance.now());
      timers.grow = setTimeout(() => {
        listed.recaptures++;
        capture();
      }, wait);
    }

    async function begin(force) {
      clearTimers();
      navSeq++;
      refreshes = 0;
      listed = null;
      if (enabled === null || force) {
        const seq = navSeq;
        if (force) hello = sendMessage({ type: "hello", platform: def.name });
        const answer = await hello;
        if (seq !== navSeq) return;
        enabled = !!(answer && answer.ok && answer.enabled);
        if (answer && answer.ok) kolscope.learnListPages(def.name, answer.listPages);
      }
      const kind = pageKindOf(new URL(location.href));
      if (!kind) {
        phase = "off";
        overlay.remove();
        return;
      }
      if (!enabled) {
        phase = "off";
        overlay.remove();
        return;
      }
      phase = "waiting";
      readyAt = 0;
      overlay.host.removeAttribute("data-capture-ms");
      overlay.host.removeAttribute("data-count"); // the creators a list showed: set by its answer
      overlay.show("analysing", {
        handle: def.handleOf ? def.handleOf(new URL(location.href)) : null,
        list: kind === "list" ? listKind(new URL(location.href)) : null,
      });
      place();
      timers.timeout = setTimeout(() => {
        if (phase === "waiting") capture();
      }, READY_TIMEOUT_MS);
      check();
    }

    function check() {
      if (phase !== "waiting") return;
      const now = ctx();
      let ready = false;
      try {
        ready = def.ready(now);
      } catch (_) {
        ready = false;
      }
      if (!ready) return;
      readyAt = performance.now();
      if (!now.responses.length) {
        capture(); // the page's own HTML holds the data: nothing to wait for
        return;
      }
      phase = "settling";
      settle();
    }

    function isComplete() {
      try {
        return !!(def.complete && def.complete(ctx()));
      } catch (_) {
        return false;
      }
    }

    function settle() {
      if (isComplete()) {
        capture();
        return;
      }
      clearTimeout(timers.quiet);
      const left = MAX_SETTLE_MS - (performance.now() - readyAt);
      timers.quiet = setTimeout(capture, Math.max(0, Math.min(QUIET_MS, left)));
    }

    function place() {
      overlay.place(firstMatch(def.anchors));
    }

    function buildHtml() {
      const doctype = document.doctype ? `<!DOCTYPE ${document.doctype.name}>` : "";
      if (!inPageNav) {
        // The page as it is, without our own element: serialised once and the overlay's tag cut out
        // (its shadow root is not serialised, so the tag is all there is), instead of cloning a
        // 1-2 MB document; the DOM is not touched, so a note being typed keeps its focus.
        const html = document.documentElement.outerHTML;
        if (!overlay.host.isConnected) return doctype + html;
        const tag = overlay.host.outerHTML;
        const at = html.lastIndexOf(tag);
        if (at !== -1) return doctype + html.slice(0, at) + html.slice(at + tag.length);
      }
      // After an in-page navigation the embedded data is edited, on a copy.
      const root = document.documentElement.cloneNode(true);
      for (const el of root.querySelectorAll("kolscope-overlay")) el.remove();
      if (inPageNav && def.neutralizeStale) def.neutralizeStale(root);
      return doctype + root.outerHTML;
    }

    async function capture() {
      if (captureInFlight) {
        // one at a time; the answer in flight is about to be superseded
        clearTimeout(timers.again);
        timers.again = setTimeout(capture, 50);
        return;
      }
      clearTimeout(timers.quiet);
      clearTimeout(timers.timeout);
      clearTimeout(timers.refresh);
      clearTimeout(timers.grow);
      overlay.host.removeAttribute("data-refresh-pending");
      phase = "captured";
      const seq = navSeq;
      // When this page's capture started (ms since navigation start): read by the benchmark.
      if (!overlay.host.hasAttribute("data-capture-ms")) {
        overlay.host.setAttribute("data-capture-ms", String(Math.round(performance.now())));
      }
      const used = currentResponses();
      const sizeNow = listSize();
      const payload = {
        format: "kolscope.capture/1",
        url: location.href,
        captured_at: new Date().toISOString(),
        source: "extension",
        html: buildHtml(),
        responses: used.map(({ url, status, content_type, body }) => ({ url, status, content_type, body })),
      };
      captureInFlight = true;
      overlay.host.setAttribute("data-capturing", "");
      let reply;
      try {
        reply = await sendMessage({ type: "capture", capture: payload });
      } finally {
        captureInFlight = false;
        overlay.host.removeAttribute("data-capturing");
      }
      if (seq !== navSeq) return; // the user has moved on to another page
      for (const r of used) r.used = true;
      const list = reply && reply.ok ? (reply.state === "list" ? reply : reply.listing) : null;
      if (list) {
        // a list: what it showed, added to what this visit's earlier captures of the page showed; it
        // is captured again as it grows
        listed = listed || { recaptures: 0, lastAt: 0, size: 0 };
        listed.lastAt = performance.now();
        listed.size = Math.max(listed.size, sizeNow);
      }
      if (reply && reply.ok && reply.state === "list") {
        overlay.showList(reply, lastKey);
      } else if (reply && reply.ok) {
        overlay.show("scored", reply);
        if (list) overlay.addList(list, lastKey); // below the scores of the page's creator
      } else if (reply && reply.state === "not_a_creator_page") {
        phase = "off";
        overlay.remove();
      } else {
        overlay.show((reply && reply.state) || "error", reply || {});
      }
      place();
    }

  };
})();
