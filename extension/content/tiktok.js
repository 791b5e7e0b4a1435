// kolscope on TikTok: which pages are creator pages, when their data is there, where the overlay sits.
// Tag and search pages, and a video's comments, are list pages too.
(() => {
  "use strict";
  const kolscope = globalThis.kolscope;

  const PROFILE = /^\/@([A-Za-z0-9_.]+)\/?$/;
  const VIDEO = /^\/@([A-Za-z0-9_.]+)\/(video|photo)\/(\d+)\/?$/;

  // The DOM this script relies on, as checked data: [selector, the saved page it matches], each run on
  // its page by tests/test_extension_selectors.py ("live: ..." when no saved page shows that layout).
  const SELECTORS = {
    // where the overlay sits, near the creator's name: the first that matches
    anchors: [
      ['h1[data-e2e="user-title"]', "fixtures/tiktok_profile_rendered"], // the 2024+ profile layout
      ['[data-e2e="user-title"]', "realpages/tiktok/tt_profile_dylanlemay_2023-02_sigi"], // an h2 then
      ['[data-e2e="browse-username"]', "live: tiktok.com/@.../video/... (video page author)"],
    ],
    // the rendered header's handle and follower count: a page shown only as rendered is ready
    title: ['[data-e2e="user-title"]', "realpages/tiktok/tt_profile_dylanlemay_2023-02_sigi"],
    followers: ['[data-e2e="followers-count"]', "realpages/tiktok/tt_profile_dylanlemay_2023-02_sigi"],
    // the embedded state a fresh page load carries (left out of captures after an in-page navigation)
    embedded: [
      ["#__UNIVERSAL_DATA_FOR_REHYDRATION__", "realpages/tiktok/tt_profile_khanhiattm2_universal_data"],
      ["#SIGI_STATE", "realpages/tiktok/tt_profile_dylanlemay_2023-02_sigi"],
      ["#__NEXT_DATA__", "live: tiktok.com pages of 2021-2022 (Next.js), no saved page"],
    ],
    // the rows of a list page: a video's comments, a tag page's and a search's result cards
    listItems: [
      ['[data-e2e="comment-level-1"]', "listpages/tiktok/tt_comments_chinese_artist176_7507673491211029803_loggedin"],
      ['[data-e2e="challenge-item"]', "live: tiktok.com/tag/... grid (no saved tag page with items)"],
      ['[data-e2e="search_top-item"]', "live: tiktok.com/search?q=... top results (no saved search page)"],
      ['[data-e2e="search-user-container"]', "live: tiktok.com/search/user?q=... (no saved search page)"],
    ],
  };
  // The answers that carry a tag page's or a search's results.
  const RESULTS_ANSWER = /\/api\/(?:challenge\/item_list|search\/(?:general|user|item)\/full)/;

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
    return SELECTORS.embedded.some(([css]) => {
      const el = document.querySelector(css);
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
      if (ctx.kind === "list") return ctx.responses.some((r) => RESULTS_ANSWER.test(r.url));
      if (!ctx.inPageNav && hasEmbedded()) return true;
      const kind = pageKind(ctx.url);
      // The rendered header of this very account (the parser reads it, and the grid, without the state)
      const title = document.querySelector(SELECTORS.title[0]);
      const handle = (handleOf(ctx.url) || "").toLowerCase();
      if (kind === "creator" && title && handle && title.textContent.trim().replace(/^@/, "").toLowerCase() === handle
          && document.querySelector(SELECTORS.followers[0])) return true;
      const want = kind === "creator" ? /\/api\/user\/detail/ : /\/api\/item\/detail/;
      return ctx.responses.some((r) => want.test(r.url));
    },
    complete(ctx) {
      if (ctx.kind === "list") return ctx.responses.some((r) => RESULTS_ANSWER.test(r.url));
      // A profile loads the account, then its videos; a video page loads the video.
      if (pageKind(ctx.url) !== "creator") return ctx.responses.some((r) => /\/api\/item\/detail/.test(r.url));
      return ["/api/user/detail", "/api/post/item_list"].every((p) => ctx.responses.some((r) => r.url.includes(p)));
    },
    keep(responses, href) {
      const handle = handleOf(new URL(href)) || "";
      return responses.filter((r) => mentions(r, handle));
    },
    listSize: () => document.querySelectorAll(SELECTORS.listItems.map(([css]) => css).join(", ")).length,
    neutralizeStale(root) {
      // After an in-page navigation the embedded state is the first page's: leave it out.
      for (const [css] of SELECTORS.embedded) {
        const el = root.querySelector(`script${css}`);
        if (el) el.remove();
      }
    },
    anchors: SELECTORS.anchors,
  });
})();
