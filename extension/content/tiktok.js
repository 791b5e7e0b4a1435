// kolscope on TikTok: which pages are creator pages, when their data is there, where the overlay sits.
(() => {
  "use strict";
  const kolscope = globalThis.kolscope;

  const PROFILE = /^\/@([A-Za-z0-9_.]+)\/?$/;
  const VIDEO = /^\/@([A-Za-z0-9_.]+)\/(video|photo)\/(\d+)\/?$/;
  const EMBEDDED = ["__UNIVERSAL_DATA_FOR_REHYDRATION__", "SIGI_STATE", "__NEXT_DATA__"];

  // Selectors in one place, each with the saved page it was checked on.
  const ANCHORS = [
    { css: 'h1[data-e2e="user-title"]', checkedOn: "live tiktok.com/@dylanlemay, 2024+ profile layout" },
    { css: '[data-e2e="user-title"]', checkedOn: "realpages tiktok/tt_profile_dylanlemay_2023-02_sigi (h2)" },
    { css: '[data-e2e="browse-username"]', checkedOn: "live tiktok.com/@.../video/... (video page author)" },
  ];

  function pageKind(url) {
    const v = VIDEO.exec(url.pathname);
    if (v) return v[2] === "video" ? "video" : "post";
    return PROFILE.test(url.pathname) ? "creator" : null;
  }

  function handleOf(url) {
    const m = /^\/@([A-Za-z0-9_.]+)/.exec(url.pathname);
    return m ? m[1] : null;
  }

  function hasEmbedded() {
    return EMBEDDED.some((id) => {
      const el = document.getElementById(id);
      return !!el && el.textContent.trim().length > 2;
    });
  }

  function mentions(r, handle) {
    // TikTok's API URLs name the user (uniqueId=) or the item; answers without either are kept.
    const m = /[?&]uniqueId=([^&]+)/.exec(r.url);
    return !m || decodeURIComponent(m[1]).toLowerCase() === handle.toLowerCase();
  }

  kolscope.start({
    name: "tiktok",
    pageKind,
    handleOf,
    ready(ctx) {
      if (!ctx.inPageNav && hasEmbedded()) return true;
      const kind = pageKind(ctx.url);
      // The rendered header of this very account (the parser reads it, and the grid, without the state)
      const title = document.querySelector('[data-e2e="user-title"]');
      const handle = (handleOf(ctx.url) || "").toLowerCase();
      if (kind === "creator" && title && handle && title.textContent.trim().replace(/^@/, "").toLowerCase() === handle
          && document.querySelector('[data-e2e="followers-count"]')) return true;
      const want = kind === "creator" ? /\/api\/user\/detail/ : /\/api\/item\/detail/;
      return ctx.responses.some((r) => want.test(r.url));
    },
    complete(ctx) {
      // A profile loads the account, then its videos; a video page loads the video.
      if (pageKind(ctx.url) !== "creator") return ctx.responses.some((r) => /\/api\/item\/detail/.test(r.url));
      return ["/api/user/detail", "/api/post/item_list"].every((p) => ctx.responses.some((r) => r.url.includes(p)));
    },
    keep(responses, href) {
      const handle = handleOf(new URL(href)) || "";
      return responses.filter((r) => mentions(r, handle));
    },
    neutralizeStale(root) {
      // After an in-page navigation the embedded state is the first page's: leave it out.
      for (const id of EMBEDDED) {
        const el = root.querySelector(`script#${id}`);
        if (el) el.remove();
      }
    },
    anchors: ANCHORS,
  });
})();
