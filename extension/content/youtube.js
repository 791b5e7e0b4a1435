// kolscope on YouTube: which pages are creator pages, when their data is there, where the overlay sits.
// Searches, hashtag pages and a channel's Channels tab are list pages too (the registry's list_pages).
(() => {
  "use strict";
  const kolscope = globalThis.kolscope;

  const CHANNEL = /^\/(?:@[^/]+|channel\/UC[\w-]{10,}|c\/[^/]+|user\/[^/]+)(?:\/[^/]*)?\/?$/;
  const SHORTS = /^\/shorts\/[\w-]{6,}\/?$/;
  const INITIAL = /^\s*(?:var\s+|window\[["'])(ytInitialData|ytInitialPlayerResponse)["']?\]?\s*=/;

  // The DOM this script relies on, as checked data: [selector, the saved page it matches], each run on
  // its page by tests/test_extension_selectors.py ("live: ..." when no saved page shows that layout).
  // The saved YouTube pages are server shells whose channel header is drawn by YouTube's scripts, so
  // on them the overlay floats and the anchors are checked live only.
  const SELECTORS = {
    // where the overlay sits, near the creator's name: the first that matches
    anchors: [
      ["yt-page-header-renderer h1", "live: youtube.com/@kurzgesagt, 2026-01 page-header layout"],
      ["#channel-header #channel-name #text", "live: youtube.com/@Vsauce, c4 tabbed header layout"],
      ["ytd-watch-metadata ytd-video-owner-renderer #channel-name #text", "live: youtube.com/watch?v=QqsLTNkzvaY"],
    ],
    // the rows of a list page as YouTube draws them (the saved list pages are shells: live only);
    // counted to notice a list that grew as the user scrolled
    listItems: [
      ["ytd-search ytd-channel-renderer", "live: youtube.com/results?search_query=...&sp=EgIQAg (channel results)"],
      ["ytd-search ytd-video-renderer", "live: youtube.com/results?search_query=... (video results)"],
      ["ytd-browse ytd-grid-channel-renderer", "live: youtube.com/@.../channels (2023 grid)"],
      ["ytd-browse ytd-rich-item-renderer", "live: youtube.com/hashtag/... (rich grid)"],
    ],
  };

  function pageKind(url) {
    if (url.pathname === "/watch" && url.searchParams.get("v")) return "video";
    if (SHORTS.test(url.pathname)) return "video";
    if (CHANNEL.test(url.pathname)) return "creator";
    return null; // home, search, feeds, playlists: no creator here
  }

  /** True when the HTML still carries a non-empty `ytInitialData` (a fresh full page load). */
  function hasInitialData() {
    for (const script of document.scripts) {
      const text = script.text;
      if (text.length > 30 && INITIAL.test(text.slice(0, 80)) && /ytInitialData/.test(text.slice(0, 80))) {
        return !/=\s*\{\s*\}\s*;?\s*$/.test(text.slice(0, 200));
      }
    }
    return false;
  }

  function keep(responses, href) {
    // A channel (and a hashtag page) reads /browse answers, a search /search answers (its first results
    // and those loaded while scrolling), a video page /next (and a Short its player and reel) answers;
    // the other kinds are from elsewhere.
    const url = new URL(href);
    const want = pageKind(url) === "video"
      ? ["/youtubei/v1/next", "/youtubei/v1/player", "/youtubei/v1/reel/"]
      : kolscope.listKindOf("youtube", href) === "search" ? ["/youtubei/v1/search"] : ["/youtubei/v1/browse"];
    return responses.filter((r) => want.some((w) => r.url.includes(w)));
  }

  kolscope.start({
    name: "youtube",
    pageKind,
    handleOf(url) {
      const m = /^\/@([^/]+)/.exec(url.pathname);
      return m ? decodeURIComponent(m[1]) : null;
    },
    ready(ctx) {
      if (!ctx.inPageNav && hasInitialData()) return true;
      return ctx.responses.length > 0;
    },
    // One /browse (channel) or /next (video) answer holds the whole page; later ones (comments,
    // more videos) refine the capture.
    complete: (ctx) => ctx.responses.length > 0,
    keep,
    listSize: () => document.querySelectorAll(SELECTORS.listItems.map(([css]) => css).join(", ")).length,
    pageKey(url) {
      // /watch?v=A and /watch?v=B are two pages, and so are two searches; other parameters (t=, list=,
      // a search's filters) are not.
      const v = url.searchParams.get("v");
      const q = url.searchParams.get("search_query");
      return url.pathname.replace(/\/+$/, "") + (url.pathname === "/watch" && v ? `?v=${v}` : "")
        + (url.pathname === "/results" && q ? `?q=${q}` : "");
    },
    neutralizeStale(root) {
      // After an in-page navigation YouTube's embedded data describes the first page: send it empty,
      // exactly as the `.spa` captures show it, so the parser reads the fresh /browse or /next answer.
      for (const script of root.querySelectorAll("script")) {
        const m = INITIAL.exec(script.text.slice(0, 80));
        if (m) script.textContent = `var ${m[1]} = {};`;
      }
    },
    anchors: SELECTORS.anchors,
    navigationEvents: ["yt-navigate-finish"],
  });
})();
