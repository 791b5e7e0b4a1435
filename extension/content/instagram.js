// kolscope on Instagram: which pages are creator pages, when their data is there, where the overlay sits.
(() => {
  "use strict";
  const kolscope = globalThis.kolscope;

  // First path segments that are Instagram's own pages, not accounts.
  const RESERVED = new Set([
    "explore", "accounts", "direct", "reels", "stories", "p", "reel", "tv", "about", "legal", "developer",
    "web", "emails", "challenge", "session", "privacy", "terms", "press", "api", "graphql", "static",
    "directory", "lite", "topics", "locations", "your_activity", "archive", "oauth", "ar", "create",
  ]);
  const PROFILE = /^\/([A-Za-z0-9_.]{1,30})(?:\/(?:reels|tagged|saved|guides|igtv|followers|following))?\/?$/;
  const POST = /^\/(?:[A-Za-z0-9_.]{1,30}\/)?(?:p|reel|tv)\/[\w-]+\/?$/;

  // The DOM this script relies on, as checked data: [selector, the saved page it matches], each run on
  // its page by tests/test_extension_selectors.py ("live: ..." when no saved page shows that layout).
  const SELECTORS = {
    // where the overlay sits, near the creator's name: the first that matches
    anchors: [
      ["main header section h2", "realpages/instagram/ig_profile_celebface_2025-02_loggedin_redacted"],
      ["header section h2", "realpages/instagram/ig_profile_celebface_2025-02_loggedin_redacted"],
      ["article header a[role='link'] span", "live: instagram.com/p/... (post author)"],
    ],
    // the rendered profile header's handle: this very account's header is shown
    handle: ["header section h2", "realpages/instagram/ig_profile_celebface_2025-02_loggedin_redacted"],
    // a fresh load's inline data: a post page names its owner, a profile page describes the account
    postData: ['meta[property="og:url"], script[type="application/json"]',
      "listpages/instagram/ig_comments_thiago.nigro_DOs7hevjbX3_2025-09"],
    profileData: ['meta[property="og:description"], header section',
      "realpages/instagram/ig_profile_gdg_rbu_2025-02-06_loggedin_redacted"],
    // what describes the first page after an in-page navigation (removed from the capture)
    stale: ['meta[property^="og:"], meta[name="description"], script[type="application/json"]',
      "realpages/instagram/ig_profile_celebface_2025-02_loggedin_redacted"],
  };

  function pageKind(url) {
    if (POST.test(url.pathname)) return "post";
    const m = PROFILE.exec(url.pathname);
    return m && !RESERVED.has(m[1].toLowerCase()) ? "creator" : null;
  }

  function handleOf(url) {
    const m = PROFILE.exec(url.pathname);
    return m && !RESERVED.has(m[1].toLowerCase()) ? m[1] : null;
  }

  kolscope.start({
    name: "instagram",
    pageKind,
    handleOf,
    ready(ctx) {
      if (pageKind(ctx.url) === "post") {
        // a post names its owner in its inline data (fresh load) or in the media / GraphQL answers
        if (!ctx.inPageNav && document.querySelector(SELECTORS.postData[0])) return true;
        return ctx.responses.some((r) => /\/graphql|\/api\/v1\/media\//.test(r.url));
      }
      const handle = (handleOf(ctx.url) || "").toLowerCase();
      const h2 = document.querySelector(SELECTORS.handle[0]);
      if (h2 && handle && h2.textContent.trim().toLowerCase() === handle) return true;
      if (!ctx.inPageNav && document.querySelector(SELECTORS.profileData[0])) return true;
      return ctx.responses.some((r) => /web_profile_info/.test(r.url) && r.url.toLowerCase().includes(`username=${handle}`));
    },
    // The web_profile_info answer holds the account and its latest posts; a post's comments answer
    // (or its inline data) completes a post page. Follower dialogs opened later refine the capture.
    complete: (ctx) => pageKind(ctx.url) === "post"
      ? ctx.responses.some((r) => /\/comments\/|\/graphql/.test(r.url))
      : ctx.responses.some((r) => /web_profile_info/.test(r.url)),
    keep(responses, href) {
      const handle = (handleOf(new URL(href)) || "").toLowerCase();
      return responses.filter((r) => {
        const m = /[?&]username=([^&]+)/.exec(r.url);
        return !m || decodeURIComponent(m[1]).toLowerCase() === handle;
      });
    },
    neutralizeStale(root) {
      // The meta description and the embedded JSON describe the first page after an in-page navigation;
      // the rendered header (what the user sees) is current.
      for (const el of root.querySelectorAll(SELECTORS.stale[0])) {
        el.remove();
      }
    },
    anchors: SELECTORS.anchors,
  });
})();
