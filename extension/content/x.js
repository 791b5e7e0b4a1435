// kolscope on X (Twitter): which pages are creator pages, when their data is there, where the overlay sits.
// Searches, hashtag pages, follower/following lists and a post's replies are list pages too.
(() => {
  "use strict";
  const kolscope = globalThis.kolscope;

  // First path segments that are X's own pages, not accounts.
  const RESERVED = new Set([
    "home", "explore", "notifications", "messages", "i", "settings", "search", "compose", "login", "logout",
    "signup", "tos", "privacy", "jobs", "about", "hashtag", "intent", "share", "account", "bookmarks", "lists",
    "communities", "premium", "verified", "download", "following", "followers",
  ]);
  const PROFILE = /^\/([A-Za-z0-9_]{1,15})(?:\/(?:with_replies|media|likes|highlights|articles|followers|following|verified_followers|followers_you_follow))?\/?$/;
  const STATUS = /^\/([A-Za-z0-9_]{1,15})\/status\/(\d+)/;
  // The timelines a profile tab loads after the account itself.
  const TIMELINES = /^(UserTweets|UserTweetsAndReplies|UserMedia|Likes|UserHighlightsTweets|UserArticlesTweets|Followers|Following|BlueVerifiedFollowers|FollowersYouKnow)$/;

  // The DOM this script relies on, as checked data: [selector, the saved page it matches], each run on
  // its page by tests/test_extension_selectors.py ("live: ..." when no saved page shows that layout).
  // The saved X pages are the empty app shell (the data comes from GraphQL), so on them the overlay
  // floats; the profile header is checked on the project's rendered fixture.
  const SELECTORS = {
    // where the overlay sits, near the creator's name: the first that matches
    anchors: [
      ['[data-testid="primaryColumn"] [data-testid="UserName"]', "fixtures/x_profile_rendered"], // x.com/XDevelopers, 2025
      ['article[tabindex="-1"] [data-testid="User-Name"]', "live: x.com/XDevelopers/status/1649191520250245121"],
    ],
    // the rows of a list page (the saved list pages are the empty app shell): an account of a
    // followers / following list, a post of a search or a thread
    listItems: [
      ['[data-testid="primaryColumn"] [data-testid="UserCell"]', "live: x.com/XDevelopers/followers"],
      ['[data-testid="primaryColumn"] article[data-testid="tweet"]', "fixtures/x_profile_rendered"],
    ],
  };
  // The answers that carry a search's results (GraphQL, or the 2023 REST search).
  const SEARCH_ANSWER = /\/(?:SearchTimeline(?:[?]|$)|search\/adaptive\.json)/;

  function pageKind(url) {
    const s = STATUS.exec(url.pathname);
    if (s && !RESERVED.has(s[1].toLowerCase())) return "post";
    const m = PROFILE.exec(url.pathname);
    return m && !RESERVED.has(m[1].toLowerCase()) ? "creator" : null;
  }

  function handleOf(url) {
    const m = STATUS.exec(url.pathname) || PROFILE.exec(url.pathname);
    return m && !RESERVED.has(m[1].toLowerCase()) ? m[1] : null;
  }

  function variables(url) {
    try {
      return JSON.parse(new URL(url).searchParams.get("variables") || "{}") || {};
    } catch (_) {
      return {};
    }
  }

  function op(url) {
    const m = /\/graphql\/[^/]+\/([A-Za-z]+)/.exec(url);
    return m ? m[1] : "";
  }

  function restIdOf(body) {
    try {
      const data = JSON.parse(body);
      return String(((data.data || {}).user || {}).result.rest_id || "");
    } catch (_) {
      return "";
    }
  }

  /** Only the answers about this page's account or tweet: an earlier page's answers are dropped. */
  function keep(responses, href) {
    const url = new URL(href);
    const handle = (handleOf(url) || "").toLowerCase();
    const status = STATUS.exec(url.pathname);
    const mine = responses.filter((r) => {
      const name = op(r.url);
      if (name === "UserByScreenName") return String(variables(r.url).screen_name || "").toLowerCase() === handle;
      // "About this account" (country), loaded when the user opens the panel
      if (name === "AboutAccountQuery") return String(variables(r.url).screenName || "").toLowerCase() === handle;
      if (name === "TweetDetail" || name === "TweetResultByRestId") {
        const v = variables(r.url);
        return !!status && String(v.focalTweetId || v.tweetId || "") === status[2];
      }
      return true;
    });
    const ids = new Set(mine.filter((r) => op(r.url) === "UserByScreenName").map((r) => restIdOf(r.body)).filter(Boolean));
    if (!ids.size) return mine;
    return mine.filter((r) => {
      const userId = variables(r.url).userId;
      return userId == null || ids.has(String(userId));
    });
  }

  kolscope.start({
    name: "x",
    pageKind,
    handleOf,
    ready(ctx) {
      if (ctx.kind === "list") return ctx.responses.some((r) => SEARCH_ANSWER.test(r.url));
      const want = pageKind(ctx.url) === "post" ? /^(TweetDetail|TweetResultByRestId)$/ : /^UserByScreenName$/;
      return ctx.responses.some((r) => want.test(op(r.url)));
    },
    complete(ctx) {
      // A profile loads its account, then the timeline of the open tab; a post loads its thread.
      if (ctx.kind === "list") return ctx.responses.some((r) => SEARCH_ANSWER.test(r.url));
      const ops = new Set(ctx.responses.map((r) => op(r.url)));
      if (pageKind(ctx.url) === "post") return ops.has("TweetDetail") || ops.has("TweetResultByRestId");
      return ops.has("UserByScreenName") && [...ops].some((name) => TIMELINES.test(name));
    },
    keep,
    listSize: () => document.querySelectorAll(SELECTORS.listItems.map(([css]) => css).join(", ")).length,
    anchors: SELECTORS.anchors,
  });
})();
