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

  // Selectors in one place, each with the saved page it was checked on.
  const ANCHORS = [
    { css: "main header section h2", checkedOn: "realpages instagram/ig_profile_celebface_2025-02_loggedin_redacted" },
    { css: "header section h2", checkedOn: "realpages instagram/ig_profile_celebface_2025-02_loggedin_redacted" },
    { css: "article header a[role='link'] span", checkedOn: "live instagram.com/p/... (post author)" },
  ];

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
        if (!ctx.inPageNav && document.querySelector('meta[property="og:url"], script[type="application/json"]')) return true;
        return ctx.responses.some((r) => /\/graphql|\/api\/v1\/media\//.test(r.url));
      }
      const handle = (handleOf(ctx.url) || "").toLowerCase();
      const h2 = document.querySelector("header section h2");
      if (h2 && handle && h2.textContent.trim().toLowerCase() === handle) return true;
      if (!ctx.inPageNav && document.querySelector('meta[property="og:description"], header section')) return true;
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
      for (const el of root.querySelectorAll('meta[property^="og:"], meta[name="description"], script[type="application/json"]')) {
        el.remove();
      }
    },
    anchors: ANCHORS,
  });
})();
