// kolscope overlay: the <kolscope-overlay> element that shows a creator's tier, fit and authenticity with
// their confidence and reasons, the decision numbers, and the bookmark control; on a list page, the
// creators it found (list mode, `showList`). Page-derived text only ever goes in through text nodes
// (textContent), never as HTML.
//
// The platform's page is not ours: its scripts share the DOM with this element. So the shadow root is
// closed (host.shadowRoot is null to them; this isolated world keeps the only reference), and every
// handler acts only on trusted events (a real click or key press: event.isTrusted, with the user
// activation the browser gives only for real input). A page script can still dispatch events at the
// host or call host.click(); those never reach the controls inside, and would be refused if they did.
// Watchlist names are only asked for after a trusted click on the bookmark control, through a one-use
// grant the service worker ties to this tab and document (see background.js, "user-action grants").
(() => {
  "use strict";
  const kolscope = (globalThis.kolscope = globalThis.kolscope || {});

  const CSS = `
:host { all: initial; display: block; z-index: 2147483646; font: 13px/1.4 system-ui, -apple-system,
  "Segoe UI", Roboto, Arial, sans-serif; color: #1f2328; }
:host([data-place="floating"]) { position: fixed; top: 72px; right: 16px; width: 340px; }
:host([data-place="inline"]) { display: inline-block; vertical-align: top; margin: 4px 8px; width: 340px; }
.card { background: #fff; border: 1px solid #d0d7de; border-radius: 10px; box-shadow: 0 4px 16px rgba(0,0,0,.18);
  padding: 10px 12px; max-height: 80vh; overflow: auto; }
.top { display: flex; align-items: center; gap: 6px; }
.brand { font-weight: 700; color: #fff; background: #5b3cc4; border-radius: 4px; padding: 0 5px; font-size: 11px; }
.who { flex: 1; font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.handle { color: #59636e; font-weight: 400; }
.bio { color: #424a53; font-size: 12px; margin-top: 4px; white-space: pre-line; max-height: 4.2em; overflow: hidden; }
button { font: inherit; cursor: pointer; border: 1px solid #d0d7de; background: #f6f8fa; border-radius: 6px; padding: 2px 8px; color: inherit; }
button.primary { background: #5b3cc4; border-color: #5b3cc4; color: #fff; }
button.link { border: none; background: none; color: #5b3cc4; padding: 0; }
button:disabled { opacity: .6; cursor: default; }
.x { border: none; background: none; font-size: 15px; line-height: 1; padding: 0 2px; color: #59636e; }
.msg { margin: 8px 0 2px; }
.msg.warn { color: #9a6700; }
.msg.bad { color: #cf222e; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa; padding: 0 3px; border-radius: 3px; }
.row { display: flex; gap: 12px; margin-top: 8px; }
.stat { flex: 1; border: 1px solid #eaeef2; border-radius: 8px; padding: 6px 8px; }
.stat .k { color: #59636e; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }
.stat .v { font-size: 18px; font-weight: 700; }
.grade { display: inline-block; min-width: 18px; text-align: center; border-radius: 4px; padding: 0 4px;
  font-size: 12px; margin-left: 4px; color: #fff; background: #59636e; vertical-align: middle; }
.grade.A { background: #1a7f37; } .grade.B { background: #4d9a2a; } .grade.C { background: #9a6700; }
.grade.D { background: #bc4c00; } .grade.E, .grade.F { background: #cf222e; }
.conf { color: #59636e; font-size: 11px; }
.v.nograde { font-size: 14px; font-style: italic; color: #59636e; padding: 3px 0; }
.decision { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 4px 12px; margin-top: 8px; }
.decision .k { color: #59636e; font-size: 11px; }
.decision .dv { font-weight: 600; overflow-wrap: break-word; }
.summary { margin-top: 8px; font-size: 12px; color: #424a53; display: grid; gap: 2px; }
.factors { margin-top: 8px; }
.factors h4 { margin: 8px 0 2px; font-size: 12px; }
.factor { border-top: 1px solid #eaeef2; padding: 4px 0; }
.factor .name { font-weight: 600; }
.factor .num { float: right; color: #59636e; }
.factor .why { color: #424a53; font-size: 12px; }
.bookmark { margin-top: 10px; border-top: 1px solid #eaeef2; padding-top: 8px; display: grid; gap: 6px; }
select, input, textarea { font: inherit; border: 1px solid #d0d7de; border-radius: 6px; padding: 3px 6px; color: inherit; background: #fff; }
textarea { resize: vertical; min-height: 34px; }
.status { font-size: 12px; color: #59636e; }
.status.ok { color: #1a7f37; } .status.bad { color: #cf222e; }
.collapsed .body { display: none; }
`;

  /** A real user's event: made by the browser from real input, never dispatched by a script. */
  function trusted(event) {
    if (!event || event.isTrusted !== true) return false;
    const activation = navigator.userActivation;
    // change/input/key events give no activation of their own; a click's does
    return !activation || event.type !== "click" || activation.isActive;
  }

  /** Listen for `type` on `el`, acting only on trusted events. */
  function onTrusted(el, type, handler) {
    el.addEventListener(type, (event) => {
      if (trusted(event)) handler(event);
    });
  }

  /** Build an element; string children become text nodes, never markup. `on<type>` handlers only
   * ever see trusted events. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = String(value);
      else if (key.startsWith("on") && typeof value === "function") onTrusted(el, key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child == null || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function compact(n) {
    if (typeof n !== "number" || !isFinite(n)) return "—";
    return new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 }).format(n);
  }

  /** The backend gives confidence as a word (low/medium/high); a number is shown as a percentage. */
  function confidenceText(x) {
    if (typeof x === "string" && x) return x;
    return typeof x === "number" && isFinite(x) ? `${Math.round(x <= 1 ? x * 100 : x)}%` : "—";
  }

  function scoreText(score) {
    return typeof score === "number" && isFinite(score) ? String(Math.round(score)) : "—";
  }

  // ---- list mode: the creators a search, tag, followers or comments page shows -----------------------
  const LIST_CSS = `
.found { margin: 8px 0 4px; font-weight: 600; }
ul.cands { list-style: none; margin: 0; padding: 0; max-height: 46vh; overflow: auto; }
li.cand { display: flex; align-items: center; gap: 6px; border-top: 1px solid #eaeef2; padding: 4px 0; }
li.cand .cname { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
li.cand a { color: inherit; text-decoration: none; }
li.cand .fol { color: #424a53; font-variant-numeric: tabular-nums; }
.tier { border-radius: 4px; padding: 0 5px; font-size: 11px; color: #fff; background: #59636e; }
.tier.t-nano { background: #6e7781; } .tier.t-micro { background: #1a7f37; } .tier.t-mid { background: #0969da; }
.tier.t-macro { background: #8250df; } .tier.t-mega { background: #bc4c00; }
.known { font-size: 11px; color: #1a7f37; border: 1px solid #1a7f37; border-radius: 4px; padding: 0 4px; }
.check { margin-top: 8px; display: grid; gap: 4px; }
.listed { margin-top: 10px; border-top: 1px solid #eaeef2; }
`;
  // What the page is, in the "Found N creators ..." line.
  const LIST_WHERE = {
    search: "on this search",
    hashtag: "on this tag page",
    related: "among this channel's channels",
    followers: "in this followers list",
    following: "in this following list",
    comments: "in these comments",
  };
  const MAX_CHECK = 200; // candidates one "Check these" queues (the service worker's limit too)
  const isCandidateId = (v) => (typeof v === "string" && /^[\w-]{1,64}$/.test(v)) || Number.isInteger(v);

  /** A listed creator's followers as the page showed them: "~234K" when the page rounded. */
  function listFollowers(c) {
    if (typeof c.followers !== "number" || !isFinite(c.followers)) return { text: "—", title: "" };
    const exact = Number(c.followers).toLocaleString("en");
    const shown = typeof c.followers_text === "string" && c.followers_text ? c.followers_text : exact;
    // the backend's words for a rounded count already say so ("~12.3k")
    return c.rounded ? { text: `~${compact(c.followers)}`, title: c.followers_text ? shown : `about ${exact}` }
      : { text: compact(c.followers), title: exact };
  }

  // Platform name -> label ("as people write it"), from content/platforms.js (loaded before this file).
  const PLATFORM_LABEL = Object.fromEntries((globalThis.kolscopePlatforms || []).map((p) => [p.name, p.label]));

  // ---- errors in plain words ---------------------------------------------------------------------
  // The backend's error codes (the parsers' CaptureError codes, the API's and the store's) as the
  // sentence a person reads; server/plain.py says the same on the dashboard. Never the platform's
  // raw status ("status 10222") or a stack trace. A code not in the table keeps the backend's
  // message, which is written for people.
  const CAPTCHA_RE = /captcha|verif|challenge|not a bot|security check/i;
  const RATE_RE = /\b429\b|rate.limit|too many requests|risk control|\b412\b/i;
  const ERROR_WORDS = {
    restricted: (msg, label) =>
      /private|protected/i.test(msg)
        ? "This account is private: kolscope can only read public profiles."
        : /\bage\b|age-restricted/i.test(msg)
          ? `${label} shows this only to signed-in adults (age-restricted): kolscope only reads public pages.`
          : `${label} restricts this page: kolscope can only read public profiles.`,
    unavailable: (msg, label) => `${label} says this account does not exist (any more): removed, banned or renamed.`,
    login_wall: (msg, label) => `${label} asked to log in before showing this page; kolscope only reads public pages.`,
    blocked: (msg, label) =>
      CAPTCHA_RE.test(msg)
        ? `${label} asked for a captcha; solve it on the page, then retry.`
        : RATE_RE.test(msg)
          ? `${label} is limiting requests (too many in a short time); try again later.`
          : `${label} blocked the request; try again later.`,
    not_a_creator_page: (msg, label) => `This ${label} page does not show a creator (a home, search or settings page?).`,
    unsupported_platform: () => "kolscope does not read this site.",
    malformed: (msg, label) => `The ${label} page could not be read: it changed or loaded only in part. Reload it and retry.`,
    too_large: () => "The page is larger than kolscope reads.",
    parse_timeout: () => "Reading the page took too long; it may be unusually large.",
    disk_full: () => "The disk of the computer running kolscope is full: nothing was saved. Free some space, then retry.",
    store_locked: () => "Another kolscope server holds the data directory: stop it, or use its address in the options.",
    store_corrupt: () => "A kolscope data file is damaged: run `kolscope fsck --repair`, then retry.",
    store_too_new: () => "The kolscope data was written by a newer kolscope: update the backend.",
    store_unavailable: () => "The kolscope backend cannot read or write its data directory: check the disk, then retry.",
    internal: () => "The kolscope backend hit an unexpected error (the details are in its log); retry, or restart it.",
    too_many_requests: () => "The kolscope backend is busy; retry in a moment.",
    invalid: () => "The backend refused what the extension sent: update the extension and the backend to the same version.",
    invalid_body: () => "The backend refused what the extension sent: update the extension and the backend to the same version.",
    invalid_json: () => "The backend could not read what the extension sent; reload the page and retry.",
    json_too_deep: () => "This page's data is nested deeper than kolscope reads.",
    unsupported_media_type: () => "The backend refused what the extension sent: update the extension and the backend to the same version.",
  };

  /** The sentence for a failed reply ({code, message, platform?}); also the overlay's "error" states. */
  function plainError(data, platform) {
    data = data || {};
    const msg = typeof data.message === "string" ? data.message : "";
    // the label, else the site's name: content/platforms.js may not reach this world (Chrome injects
    // a file once per frame, and the page-world entry lists it first)
    const site = globalThis.location && location.hostname ? location.hostname.replace(/^(?:www|m)\./, "") : "";
    const label = PLATFORM_LABEL[platform || data.platform] || site || "The platform";
    // HTTP 503 is "unavailable" too: the backend's, not the account's (a capture's comes as a parse_error)
    if (data.code === "unavailable" && data.state === "error") return "The kolscope backend is not ready; retry in a moment.";
    const words = ERROR_WORDS[data.code];
    if (words) return words(msg, label);
    if (/^http_5\d\d$/.test(data.code || "")) return ERROR_WORDS.internal();
    // the backend's own message is for people; a bare status or a stack is not
    if (msg && !/\bstatus \d{4,}|Traceback|\n\s+at |^\w*Error: /.test(msg)) return msg;
    return "Something went wrong; retry, and if it keeps failing, look at the kolscope backend's log.";
  }
  kolscope.plainError = plainError;

  class Overlay {
    constructor({ platform, send, onRetry }) {
      this.platform = platform;
      this.send = send;
      this.onRetry = onRetry;
      this.host = document.createElement("kolscope-overlay");
      this.host.setAttribute("data-platform", platform);
      // closed: the page's scripts get null from host.shadowRoot; only this object holds the root
      this.root = this.host.attachShadow({ mode: "closed" });
      this.root.append(h("style", { text: CSS }));
      this.card = h("div", { class: "card", part: "card" });
      this.root.append(this.card);
      this.collapsed = false;
      this.anchor = null;
      this.expanded = false;
      this.bookmark = null; // {key, node}: one bookmark form per creator, kept across refreshed captures
    }

    remove() {
      this.host.remove();
      this.host.removeAttribute("data-state");
      this.anchor = null;
    }

    /** Sit right after the creator's name when the page shows it; float in a corner otherwise. */
    place(anchor) {
      if (!this.host.hasAttribute("data-state")) return;
      if (anchor && anchor.isConnected && !anchor.contains(this.host)) {
        if (this.anchor !== anchor || anchor.nextElementSibling !== this.host) {
          anchor.insertAdjacentElement("afterend", this.host);
          this.anchor = anchor;
        }
        this.host.setAttribute("data-place", "inline");
        return;
      }
      this.anchor = null;
      this.host.setAttribute("data-place", "floating");
      const parent = document.body || document.documentElement;
      if (this.host.parentNode !== parent) parent.append(this.host);
    }

    show(state, data) {
      const host = this.host;
      host.setAttribute("data-state", state);
      data = data || {};
      if (state === "scored") {
        const creator = data.creator || {};
        const snapshot = data.snapshot || {};
        host.setAttribute("data-handle", String(creator.handle || snapshot.handle || ""));
        this.creator = {
          platform: creator.platform || snapshot.platform || this.platform,
          handle: creator.handle || snapshot.handle,
        };
        // When the scores first showed for this page (ms since navigation start) and how long the
        // backend call took: read by the benchmark.
        if (!host.hasAttribute("data-shown-ms")) host.setAttribute("data-shown-ms", String(Math.round(performance.now())));
        const backendMs = data.timing && data.timing.backend_ms;
        if (typeof backendMs === "number") host.setAttribute("data-backend-ms", String(backendMs));
        const serverMs = data.timing && data.timing.server_ms;
        if (typeof serverMs === "number") host.setAttribute("data-server-ms", String(serverMs));
      } else {
        host.removeAttribute("data-shown-ms");
        if (state === "analysing") host.setAttribute("data-handle", String(data.handle || ""));
      }
      this.card.replaceChildren(...this.render(state, data));
      this.card.classList.toggle("collapsed", this.collapsed);
      if (!host.isConnected) this.place(null);
    }

    header(name, handle) {
      return h(
        "div",
        { class: "top" },
        h("span", { class: "brand", text: "kolscope" }),
        h(
          "span",
          { class: "who", "data-kolscope": "creator" },
          name ? h("span", { text: name }) : null,
          handle ? h("span", { class: "handle", text: ` @${handle}` }) : null,
          !name && !handle ? h("span", { class: "handle", text: PLATFORM_LABEL[this.platform] || "" }) : null,
        ),
        h("button", {
          class: "x",
          title: "Collapse or expand",
          "aria-label": "Collapse or expand",
          "data-kolscope": "toggle",
          text: "▾",
          onclick: () => {
            this.collapsed = !this.collapsed;
            this.card.classList.toggle("collapsed", this.collapsed);
          },
        }),
      );
    }

    render(state, data) {
      if (state === "scored") return this.renderScored(data);
      const msg = (cls, ...parts) => h("div", { class: `msg ${cls}`, "data-kolscope": "message" }, ...parts);
      const retry = h("button", { "data-kolscope": "retry", text: "Retry", onclick: () => this.onRetry() });
      const options = h("button", {
        "data-kolscope": "open-options",
        text: "Open kolscope options",
        onclick: () => this.send({ type: "openOptions" }),
      });
      let body;
      switch (state) {
        case "analysing":
          body = [msg("", data.list ? "Reading the creators on this page…" : "Analysing this creator…")];
          break;
        case "backend_down":
          body = [
            msg(
              "warn",
              "The kolscope backend is not running",
              data.backendUrl ? ` at ${data.backendUrl}` : "",
              ". Start it with ",
              h("code", { text: "make run" }),
              " in the kolscope folder (or ",
              h("code", { text: "kolscope serve" }),
              "), then retry.",
            ),
            h("div", {}, retry),
          ];
          break;
        case "token_missing":
          body = [
            msg(
              "warn",
              "No API token is set. Print it with ",
              h("code", { text: "kolscope token" }),
              " and paste it in the kolscope extension's options (right-click the kolscope icon, Options).",
            ),
            h("div", {}, options, " ", retry),
          ];
          break;
        case "token_invalid":
          body = [
            msg(
              "bad",
              "The backend refused the API token. Copy the current one from ",
              h("code", { text: "kolscope token" }),
              " into the extension's options.",
            ),
            h("div", {}, options, " ", retry),
          ];
          break;
        case "parse_error":
          body = [msg("bad", plainError(data, this.platform)), h("div", {}, retry)];
          break;
        default:
          body = [msg("bad", plainError(data, this.platform)), h("div", {}, retry)];
      }
      return [this.header(null, this.host.getAttribute("data-handle") || null), h("div", { class: "body" }, body)];
    }

    /** A score with its confidence beside it; a withheld score (null) is "no grade" with the scorer's
     * reason, never a 0 or an F. */
    scoreBox(key, label, part) {
      part = part || {};
      const scored = typeof part.score === "number" && isFinite(part.score);
      const grade = scored && part.grade != null ? String(part.grade) : "";
      const why = typeof part.reason === "string" ? part.reason : "";
      const reason = why || "Not enough data for a score.";
      return h(
        "div",
        {
          class: "stat",
          "data-kolscope": key,
          "data-score": scored ? part.score : "",
          "data-grade": grade,
          "data-confidence": part.confidence == null ? "" : part.confidence,
        },
        h("div", { class: "k", text: label }),
        scored
          ? h(
              "div",
              { class: "v" },
              h("span", { "data-kolscope": `${key}-score`, text: scoreText(part.score) }),
              grade ? h("span", { class: `grade ${grade.slice(0, 1).toUpperCase()}`, "data-kolscope": `${key}-grade`, text: grade }) : null,
            )
          : h("div", { class: "v nograde", "data-kolscope": `${key}-score`, text: "No grade" }),
        scored
          ? h("div", { class: "conf", "data-kolscope": `${key}-confidence`, text: `${confidenceText(part.confidence)} confidence` })
          : h("div", { class: "conf", "data-kolscope": `${key}-reason`, text: reason }),
      );
    }

    /** Engagement rate, median views, last post (or inactive), brands of paid posts: the API's
     * `decision` (server/scoring/decision.py), the same numbers as the dashboard's creator page. */
    decisionRow(decision) {
      if (!decision || typeof decision !== "object") return null;
      const num = (v) => typeof v === "number" && isFinite(v);
      const cell = (key, label, value, shown, extra) =>
        h(
          "div",
          { class: "dn", "data-kolscope": key, "data-value": value == null ? "" : value, ...(extra || {}) },
          h("div", { class: "k", text: label }),
          h("div", { class: "dv", text: shown }),
        );
      const pct = decision.engagement_rate_percent;
      const basis = decision.engagement_basis === "views" ? "per view" : decision.engagement_basis === "followers" ? "per follower" : "";
      const last = typeof decision.last_post_at === "string" ? decision.last_post_at.slice(0, 10) : "";
      const brands = Array.isArray(decision.paid_brands)
        ? decision.paid_brands.filter((b) => b && typeof b.name === "string").map((b) => b.name)
        : [];
      const paid = num(decision.paid_posts) ? decision.paid_posts : 0;
      return h(
        "div",
        { class: "decision", "data-kolscope": "decision" },
        cell("engagement", `Engagement${basis ? ` ${basis}` : ""}`, num(pct) ? pct : null, num(pct) ? `${pct.toFixed(2)}%` : "—"),
        cell("median-views", "Median views", num(decision.median_views) ? decision.median_views : null,
          num(decision.median_views) ? compact(decision.median_views) : "—",
          num(decision.median_views) ? { title: Number(decision.median_views).toLocaleString("en") } : null),
        cell("last-post", "Last post", decision.last_post_at || null,
          decision.inactive === true ? `inactive${last ? ` (last ${last})` : ""}` : last || "—",
          { "data-inactive": decision.inactive == null ? "" : String(decision.inactive) }),
        cell("brands", "Brands in paid posts", brands.join(",") || null,
          brands.length ? brands.join(", ") : paid ? `none named (${paid} paid post${paid === 1 ? "" : "s"})` : "no paid post seen",
          brands.length ? { title: brands.join(", ") } : null),
      );
    }

    factorList(title, part) {
      const factors = Array.isArray(part && part.factors) ? part.factors : [];
      return [
        h("h4", { text: title }),
        factors.length
          ? factors.map((f) =>
              h(
                "div",
                { class: "factor", "data-factor": f && f.key != null ? String(f.key) : "" },
                h("span", { class: "num", text: `${scoreText(f && f.score)} · weight ${f && f.weight != null ? f.weight : "—"}` }),
                h("div", { class: "name", text: (f && (f.label || f.key)) || "" }),
                f && f.value != null && typeof f.value !== "object" ? h("div", { class: "why", text: `value: ${f.value}` }) : null,
                h("div", { class: "why", text: (f && f.reason) || "" }),
              ),
            )
          : h("div", { class: "why", text: "No factors." }),
      ];
    }

    renderScored(data) {
      const creator = data.creator || {};
      const snapshot = data.snapshot || {};
      const scores = data.scores || {};
      const followers = scores.followers != null ? scores.followers : snapshot.followers;
      const approx = Array.isArray(snapshot.approximate) && snapshot.approximate.includes("followers");
      const name = creator.display_name || snapshot.display_name || "";
      const handle = creator.handle || snapshot.handle || "";

      const factors = h(
        "div",
        { class: "factors", "data-kolscope": "factors", hidden: !this.expanded },
        this.factorList("Fit", scores.fit),
        this.factorList("Authenticity", scores.authenticity),
      );
      const why = h("button", {
        class: "link",
        "data-kolscope": "why",
        "aria-expanded": String(this.expanded),
        text: this.expanded ? "Hide the reasons" : "Why these scores?",
        onclick: () => {
          this.expanded = !this.expanded;
          factors.hidden = !this.expanded;
          why.textContent = this.expanded ? "Hide the reasons" : "Why these scores?";
          why.setAttribute("aria-expanded", String(this.expanded));
        },
      });

      const bio = typeof (creator.bio || snapshot.bio) === "string" ? (creator.bio || snapshot.bio).trim() : "";
      // ISO code from the backend (the page's own wording was turned into one there)
      const rawCountry = creator.country || snapshot.country;
      const country = typeof rawCountry === "string" && /^[A-Z]{2}$/.test(rawCountry) ? rawCountry : "";
      return [
        this.header(name, handle),
        h(
          "div",
          { class: "body" },
          bio ? h("div", { class: "bio", "data-kolscope": "bio", title: bio, text: bio.length > 160 ? `${bio.slice(0, 157)}…` : bio }) : null,
          h(
            "div",
            { class: "row" },
            h(
              "div",
              { class: "stat", "data-kolscope": "followers", "data-value": followers == null ? "" : followers },
              h("div", { class: "k", text: "Followers" }),
              h("div", { class: "v", title: followers == null ? "" : `${approx ? "about " : ""}${Number(followers).toLocaleString("en")}` },
                `${approx ? "≈" : ""}${compact(followers)}`),
            ),
            h(
              "div",
              { class: "stat", "data-kolscope": "tier", "data-value": scores.tier || "" },
              h("div", { class: "k", text: "Tier" }),
              h("div", { class: "v", text: scores.tier || "—" }),
              country ? h("div", { class: "conf", "data-kolscope": "country", text: `based in ${country}` }) : null,
            ),
          ),
          h("div", { class: "row" }, this.scoreBox("fit", "Fit", scores.fit), this.scoreBox("authenticity", "Authenticity", scores.authenticity)),
          this.decisionRow(data.decision),
          this.summary(scores.summary),
          h("div", { style: "margin-top:6px" }, why),
          factors,
          this.bookmarkFor(creator.platform || snapshot.platform || this.platform, handle),
          this.campaignFor(creator.platform || snapshot.platform || this.platform, handle),
        ),
      ];
    }

    summary(summary) {
      if (!summary || typeof summary !== "object") return null;
      const lines = ["fit", "authenticity"]
        .filter((k) => typeof summary[k] === "string" && summary[k])
        .map((k) => h("div", { "data-summary": k, text: summary[k] }));
      return lines.length ? h("div", { class: "summary", "data-kolscope": "summary" }, lines) : null;
    }

    /** The bookmark control of this creator: built once, then reused, so a refined capture re-rendering
     * the card keeps the note being typed and the watchlist chosen. */
    bookmarkFor(platform, handle) {
      const key = `${platform}/${String(handle).toLowerCase()}`;
      if (!this.bookmark || this.bookmark.key !== key) this.bookmark = { key, node: this.bookmarkControl() };
      return this.bookmark.node;
    }

    /** Send `message` under a one-use grant for `action` (asked for here, inside a trusted event's
     * handler: the only place this is called from). */
    async sendGranted(action, message) {
      const grant = await this.send({ type: "grant", action });
      if (!grant || !grant.ok) return grant;
      return this.send({ ...message, grant: grant.grant });
    }

    /** "Bookmark…" first; the watchlists are asked for, and the form shown, on a trusted click. */
    bookmarkControl() {
      const status = h("div", { class: "status", "data-kolscope": "bookmark-status", role: "status" });
      const box = h("div", { class: "bookmark", "data-kolscope": "bookmark" });
      const open = h("button", {
        "data-kolscope": "bookmark-open",
        text: "Bookmark…",
        onclick: async () => {
          open.disabled = true;
          status.className = "status";
          status.textContent = "Loading watchlists…";
          const reply = await this.sendGranted("watchlists", { type: "watchlists" });
          open.disabled = false;
          if (!reply || !reply.ok) {
            status.className = "status bad";
            status.textContent = (reply && reply.message) || "Could not load the watchlists.";
            return;
          }
          status.textContent = "";
          box.replaceChildren(...this.bookmarkForm(reply, status));
        },
      });
      box.append(h("div", {}, open), status);
      return box;
    }

    bookmarkForm(reply, status) {
      const lists = Array.isArray(reply.watchlists) ? reply.watchlists : [];
      const opts = lists.map((w) => h("option", { value: String(w.id), text: w.name || `#${w.id}` }));
      opts.push(h("option", { value: "__new__", text: "New watchlist…" }));
      const select = h("select", { "data-kolscope": "watchlist", "aria-label": "Watchlist" }, opts);
      const newName = h("input", { "data-kolscope": "new-watchlist", placeholder: "New watchlist name", hidden: true, maxlength: "100" });
      const note = h("textarea", { "data-kolscope": "note", placeholder: "Note (optional): the plan agreed with this creator", maxlength: "5000" });
      const save = h("button", { class: "primary", "data-kolscope": "bookmark-save", text: "Bookmark" });

      const syncNew = () => {
        newName.hidden = select.value !== "__new__";
      };
      onTrusted(select, "change", syncNew);
      const last = reply.lastWatchlistId;
      if (last != null && lists.some((w) => String(w.id) === String(last))) select.value = String(last);
      if (!lists.length) newName.value = "Shortlist";
      syncNew();

      onTrusted(save, "click", async () => {
        if (!this.creator || !this.creator.handle) return;
        const isNew = select.value === "__new__";
        const message = {
          type: "bookmark",
          platform: this.creator.platform,
          handle: this.creator.handle,
          note: note.value.trim() || null,
        };
        if (isNew) message.newWatchlistName = newName.value.trim();
        else {
          message.watchlistId = select.value;
          message.watchlistName = select.selectedOptions[0] ? select.selectedOptions[0].textContent : null;
        }
        if ((isNew && !message.newWatchlistName) || (!isNew && !message.watchlistId)) {
          status.className = "status bad";
          status.textContent = "Choose a watchlist or name a new one.";
          return;
        }
        save.disabled = true;
        status.className = "status";
        status.textContent = "Saving…";
        const answer = await this.sendGranted("bookmark", message);
        save.disabled = false;
        if (answer && answer.ok) {
          status.className = "status ok";
          status.textContent = `Bookmarked to ${answer.watchlist && answer.watchlist.name ? answer.watchlist.name : "the watchlist"}${answer.noted ? " with your note" : ""}.`;
          if (isNew && answer.watchlist) {
            const opt = h("option", { value: String(answer.watchlist.id), text: answer.watchlist.name || "" });
            select.insertBefore(opt, select.lastElementChild);
            select.value = String(answer.watchlist.id);
            syncNew();
          }
          note.value = "";
        } else {
          status.className = "status bad";
          status.textContent = (answer && answer.message) || "Could not bookmark.";
        }
      });

      return [select, newName, note, h("div", {}, save), status];
    }
  }

  // ---- campaigns (issue 14): "Add to campaign" and, on a post page, "Mark this post as a deliverable".
  // Kept apart from the card above: the campaigns are asked for only after a trusted click, and each
  // write goes under its own one-use grant, as the bookmark's do.

  // Path segments after which the platforms put a post's id (server/campaigns/tracking.py reads the same).
  const POST_ID_AFTER = new Set(["shorts", "video", "photo", "p", "reel", "reels", "tv", "status", "live", "embed"]);

  /** Does this page URL name one post (a video, reel, tweet...)? */
  function namesPost(href) {
    let url;
    try {
      url = new URL(href);
    } catch (_) {
      return false;
    }
    if (/^[\w-]{3,64}$/.test(url.searchParams.get("v") || "")) return true;
    const parts = url.pathname.split("/").filter(Boolean);
    return parts.some((seg, i) => i + 1 < parts.length && POST_ID_AFTER.has(seg.toLowerCase()) && /^[\w-]{3,64}$/.test(parts[i + 1]));
  }

  Object.assign(Overlay.prototype, {
    /** The campaign control of this creator, built once per creator like the bookmark's. */
    campaignFor(platform, handle) {
      const key = `${platform}/${String(handle).toLowerCase()}`;
      if (!this.campaign || this.campaign.key !== key) this.campaign = { key, node: this.campaignControl() };
      return this.campaign.node;
    },

    campaignControl() {
      const status = h("div", { class: "status", "data-kolscope": "campaign-status", role: "status" });
      const box = h("div", { class: "bookmark", "data-kolscope": "campaign" });
      const open = h("button", {
        "data-kolscope": "campaign-open",
        text: namesPost(location.href) ? "Add to campaign / mark this post…" : "Add to campaign…",
        onclick: async () => {
          open.disabled = true;
          status.className = "status";
          status.textContent = "Loading campaigns…";
          const reply = await this.sendGranted("campaigns", { type: "campaigns" });
          open.disabled = false;
          if (!reply || !reply.ok) {
            status.className = "status bad";
            status.textContent = (reply && reply.message) || "Could not load the campaigns.";
            return;
          }
          status.textContent = "";
          box.replaceChildren(...this.campaignForm(reply, status));
        },
      });
      box.append(h("div", {}, open), status);
      return box;
    },

    campaignForm(reply, status) {
      const list = Array.isArray(reply.campaigns) ? reply.campaigns : [];
      if (!list.length) {
        status.className = "status";
        status.textContent = "No campaign yet: create one on the dashboard's Campaigns page.";
        return [status];
      }
      const select = h(
        "select",
        { "data-kolscope": "campaign-select", "aria-label": "Campaign" },
        list.map((c) => h("option", { value: String(c.id), text: c.name || c.id })),
      );
      if (reply.lastCampaignId && list.some((c) => c.id === reply.lastCampaignId)) select.value = reply.lastCampaignId;
      const say = (ok, text) => {
        status.className = `status ${ok ? "ok" : "bad"}`;
        status.textContent = text;
      };
      const campaignName = () => (select.selectedOptions[0] ? select.selectedOptions[0].textContent : "the campaign");
      const add = h("button", {
        class: "primary",
        "data-kolscope": "campaign-add",
        text: "Add to campaign",
        onclick: async () => {
          if (!this.creator || !this.creator.handle) return;
          add.disabled = true;
          const answer = await this.sendGranted("addPartner", {
            type: "addPartner", campaignId: select.value, platform: this.creator.platform, handle: this.creator.handle,
          });
          add.disabled = false;
          if (answer && answer.ok) say(true, answer.added ? `Added to ${campaignName()}.` : `Already a partner in ${campaignName()}.`);
          else say(false, (answer && answer.message) || "Could not add to the campaign.");
        },
      });
      const buttons = [add];
      if (namesPost(location.href)) {
        const mark = h("button", {
          "data-kolscope": "campaign-deliverable",
          text: "Mark this post as a deliverable",
          onclick: async () => {
            if (!this.creator || !this.creator.handle) return;
            mark.disabled = true;
            const answer = await this.sendGranted("markDeliverable", {
              type: "markDeliverable", campaignId: select.value, platform: this.creator.platform,
              handle: this.creator.handle, url: location.href,
            });
            mark.disabled = false;
            if (answer && answer.ok) {
              say(true, `This post is a deliverable of ${campaignName()}${answer.partnerAdded ? " (the creator was added as a partner)" : ""}.`);
            } else say(false, (answer && answer.message) || "Could not mark the post.");
          },
        });
        buttons.push(" ", mark);
      }
      return [select, h("div", {}, buttons), status];
    },
  });

  Object.assign(Overlay.prototype, {
    /** Show what a list page holds (the backend's list answer). `page` names the page: answers for
     * the same page (it was captured again as it grew) add to the list; another page starts a new one. */
    showList(data, page) {
      const list = this.mergeList(data || {}, page);
      const host = this.host;
      host.setAttribute("data-state", "list");
      host.setAttribute("data-count", String(list.rows.size));
      // when the list first showed for this page (ms since navigation start), as for scores
      if (!host.hasAttribute("data-shown-ms")) host.setAttribute("data-shown-ms", String(Math.round(performance.now())));
      this.card.replaceChildren(this.header(null, null), h("div", { class: "body" }, this.renderList(list)));
      this.card.classList.toggle("collapsed", this.collapsed);
      if (!host.isConnected) this.place(null);
    },

    /** The list a creator page also shows (its followers tab, a post's comments), under the scores
     * `show("scored", ...)` has just drawn. */
    addList(data, page) {
      const list = this.mergeList(data || {}, page);
      this.host.setAttribute("data-count", String(list.rows.size));
      const body = this.card.querySelector(".body") || this.card;
      body.append(h("div", { class: "listed", "data-kolscope": "list" }, this.renderList(list)));
    },

    /** This page's list so far, with `data`'s creators added (a creator seen again keeps its row). */
    mergeList(data, page) {
      if (!this.list || this.list.page !== page) {
        this.list = { page, rows: new Map(), added: 0, kind: null, query: null, check: null };
      }
      const list = this.list;
      if (typeof data.kind === "string") list.kind = data.kind;
      if (typeof data.query === "string") list.query = data.query;
      if (Number.isInteger(data.candidates_added) && data.candidates_added > 0) list.added += data.candidates_added;
      for (const c of Array.isArray(data.creators) ? data.creators : []) {
        if (!c || typeof c !== "object") continue;
        const key = isCandidateId(c.candidate_id) ? `id:${c.candidate_id}`
          : c.handle ? `@${String(c.handle).toLowerCase()}` : String(c.url || c.display_name || "");
        if (key) list.rows.set(key, { ...(list.rows.get(key) || {}), ...c });
      }
      if (!this.listStyle) {
        this.listStyle = h("style", { text: LIST_CSS });
        this.root.append(this.listStyle);
      }
      return list;
    },

    renderList(list) {
      const rows = [...list.rows.values()];
      const n = rows.length;
      const where = list.query && list.kind === "hashtag" ? `on #${list.query}`
        : list.query && list.kind === "search" ? `on this search for “${list.query}”`
          : LIST_WHERE[list.kind] || "on this page";
      const found = h("div", { class: "found", "data-kolscope": "found", "data-new": String(list.added) },
        `Found ${n} creator${n === 1 ? "" : "s"} ${where} (${list.added ? `${list.added} new` : "none new"})`);
      return [
        found,
        h("ul", { class: "cands", "data-kolscope": "candidates" }, rows.map((c) => this.listRow(c))),
        this.checkControl(list),
      ];
    },

    /** One listed creator: name, @handle, followers (exact or ~rounded), the tier the backend gave,
     * and "known" when kolscope already has the creator. Every value is text. */
    listRow(c) {
      const handle = typeof c.handle === "string" ? c.handle : "";
      // an account known by its id only (no handle on the page) is not shown an "@id"
      const shownHandle = handle && handle !== c.platform_id ? handle : "";
      const name = typeof c.display_name === "string" && c.display_name ? c.display_name : shownHandle || handle || "(no name)";
      const tier = typeof c.tier === "string" ? c.tier : "";
      const followers = listFollowers(c);
      let href = null;
      try {
        href = typeof c.url === "string" && new URL(c.url).protocol === "https:" ? c.url : null;
      } catch (_) {
        href = null;
      }
      return h(
        "li",
        {
          class: "cand",
          "data-kolscope": "candidate",
          "data-handle": handle,
          "data-candidate-id": isCandidateId(c.candidate_id) ? String(c.candidate_id) : "",
          "data-known": c.known ? "true" : "false",
        },
        h("span", { class: "cname", title: name },
          href ? h("a", { href, target: "_blank", rel: "noopener noreferrer", "data-kolscope": "candidate-name", text: name })
            : h("span", { "data-kolscope": "candidate-name", text: name }),
          shownHandle ? h("span", { class: "handle", text: ` @${shownHandle}` }) : null),
        h("span", {
          class: "fol",
          "data-kolscope": "candidate-followers",
          "data-value": typeof c.followers === "number" && isFinite(c.followers) ? c.followers : "",
          "data-rounded": c.rounded ? "true" : "false",
          title: followers.title,
          text: followers.text,
        }),
        tier ? h("span", { class: `tier t-${/^[a-z]{1,12}$/.test(tier) ? tier : "other"}`, "data-kolscope": "tier-badge", text: tier }) : null,
        c.known ? h("span", { class: "known", "data-kolscope": "known", title: "Already in kolscope", text: "known" }) : null,
      );
    },

    /** "Check these": queues the list's new candidates for a polite refresh (profile captured, scored,
     * moved to "checked"). Built once per list, so a list that grows keeps the answer shown. */
    checkControl(list) {
      if (list.check) return list.check;
      const status = h("div", { class: "status", "data-kolscope": "check-status", role: "status" });
      const button = h("button", {
        class: "primary",
        "data-kolscope": "check",
        text: "Check these",
        title: "Read each new creator's profile (politely, one at a time) and score it",
        onclick: async () => {
          const ids = [...list.rows.values()]
            .filter((c) => !c.known && isCandidateId(c.candidate_id))
            .map((c) => c.candidate_id)
            .slice(0, MAX_CHECK);
          if (!ids.length) {
            status.className = "status";
            status.textContent = "Nothing to check: kolscope already knows every creator here.";
            return;
          }
          button.disabled = true;
          status.className = "status";
          status.textContent = "Queuing…";
          const answer = await this.sendGranted("candidates", { type: "refreshCandidates", ids });
          button.disabled = false;
          if (answer && answer.ok) {
            const queued = Number.isInteger(answer.queued) ? answer.queued : ids.length;
            status.className = "status ok";
            status.textContent = `Queued ${queued} creator${queued === 1 ? "" : "s"} for a check; their scores will show on the dashboard's Discovery page.`;
          } else {
            status.className = "status bad";
            status.textContent = (answer && answer.message) || "Could not queue the check.";
          }
        },
      });
      list.check = h("div", { class: "check", "data-kolscope": "check-box" }, h("div", {}, button), status);
      return list.check;
    },
  });

  kolscope.Overlay = Overlay;
})();
