// kolscope on Bilibili: which pages are creator pages, when their data is there, where the overlay sits.
(() => {
  "use strict";
  const kolscope = globalThis.kolscope;

  // space.bilibili.com/<mid>[/video...], m.bilibili.com/space/<mid>, www.bilibili.com/video/BV...
  const SPACE = /^\/([1-9][0-9]{0,18})(?:\/|$)/;
  const MOBILE_SPACE = /^\/space\/([1-9][0-9]{0,18})(?:\/|$)/;
  const VIDEO = /^\/video\/(BV[0-9A-Za-z]{10}|av[0-9]{1,19})(?:\/|$)/i;
  // The answers a space page loads: the account, its follower counts, its video list.
  const ACCOUNT = /\/x\/space\/(?:wbi\/)?acc\/info|\/x\/web-interface\/card/;
  const STAT = /\/x\/relation\/stat/;
  const VIDEOS = /\/x\/space\/(?:wbi\/)?arc\/search/;
  const VIEW = /\/x\/web-interface\/(?:wbi\/)?view/;
  const STATE = "__INITIAL_STATE__";

  // The DOM this script relies on, as checked data: [selector, saved page it matches] (see x.js).
  // The saved Bilibili pages are the app shell (the data comes from api.bilibili.com), so on them
  // the overlay floats: these layouts are the live site's, with no saved page to check them on yet.
  const SELECTORS = {
    // where the overlay sits, near the creator's name: the first that matches
    anchors: [
      [".upinfo__main .nickname", "live: space.bilibili.com/<mid>, 2024 space layout"],
      ["#h-name", "live: space.bilibili.com/<mid>, 2019-2023 space layout"],
      [".up-info-container .up-name", "live: www.bilibili.com/video/BV..., the uploader beside the player"],
    ],
  };

  function midOf(url) {
    const m = url.hostname === "space.bilibili.com" ? SPACE.exec(url.pathname)
      : url.hostname === "m.bilibili.com" ? MOBILE_SPACE.exec(url.pathname) : null;
    return m ? m[1] : null;
  }

  function pageKind(url) {
    if (midOf(url)) return "creator";
    return url.hostname !== "space.bilibili.com" && VIDEO.test(url.pathname) ? "video" : null;
  }

  /** The account an answer is about (`mid=`, or `vmid=` for relation/stat), or null. */
  function askedMid(href) {
    try {
      const params = new URL(href).searchParams;
      return params.get("mid") || params.get("vmid");
    } catch (_) {
      return null;
    }
  }

  function hasState() {
    for (const script of document.scripts) {
      if (script.text.includes(STATE)) return true;
    }
    return false;
  }

  kolscope.start({
    name: "bilibili",
    pageKind,
    // Bilibili names people by number: the "analysing" line shows the mid
    handleOf: midOf,
    ready(ctx) {
      if (pageKind(ctx.url) === "video") {
        return (!ctx.inPageNav && hasState()) || ctx.responses.some((r) => VIEW.test(r.url));
      }
      return ctx.responses.some((r) => ACCOUNT.test(r.url) || STAT.test(r.url));
    },
    complete(ctx) {
      if (pageKind(ctx.url) === "video") return ctx.responses.some((r) => VIEW.test(r.url)) || !ctx.inPageNav;
      return [ACCOUNT, STAT, VIDEOS].every((re) => ctx.responses.some((r) => re.test(r.url)));
    },
    keep(responses, href) {
      // Answers about another account (a previous space after an in-page navigation) are dropped.
      const mid = midOf(new URL(href));
      if (!mid) return responses;
      return responses.filter((r) => {
        const asked = askedMid(r.url);
        return asked == null || asked === mid;
      });
    },
    neutralizeStale(root) {
      // After an in-page navigation the embedded state describes the first video, not this one.
      for (const script of root.querySelectorAll("script")) {
        if (script.text.includes(STATE)) script.remove();
      }
    },
    anchors: SELECTORS.anchors,
  });
})();
