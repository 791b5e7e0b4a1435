// kolscope service worker: the only code that talks to the kolscope backend. Content scripts and the
// extension's own pages send it typed messages; it checks who sent them and their shape, holds the
// API token, and answers in the states the overlay shows.
"use strict";

// The supported platforms (names, labels, hosts), generated from the backend's registry.
importScripts("content/platforms.js");
const PLATFORMS = globalThis.kolscopePlatforms;

const DEFAULTS = {
  backendUrl: "http://127.0.0.1:8765",
  token: "",
  briefId: "",
  platforms: Object.fromEntries(PLATFORMS.map((p) => [p.name, true])),
};
// Every host a platform's pages live on (its hosts and the aliases folded onto them) -> its name.
const PLATFORM_BY_HOST = new Map(PLATFORMS.flatMap((p) => [...p.hosts, ...p.aliases].map((host) => [host, p.name])));
const HANDLE_RE = /^[A-Za-z0-9_.\-@]{1,100}$/;
const MAX_CAPTURE_CHARS = 30 * 1024 * 1024; // the backend inflates at most 32 MB
// On a loopback connection compressing costs more time than it saves: only bodies that would not
// fit the backend's 16 MB request limit are sent gzipped (it inflates up to 32 MB).
const GZIP_ABOVE = 12 * 1024 * 1024;
const HEALTH_TIMEOUT_MS = 2000;
const REQUEST_TIMEOUT_MS = 30000;
const RECENT_BOOKMARKS = 10;

// The token stays with the extension's own pages and this worker: content scripts (which run inside
// the platforms' pages) cannot read it from storage.
if (chrome.storage.local.setAccessLevel) {
  chrome.storage.local.setAccessLevel({ accessLevel: "TRUSTED_CONTEXTS" }).catch(() => {});
}

let settingsCache = null;
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "local") settingsCache = null;
});

async function settings() {
  if (!settingsCache) {
    const stored = await chrome.storage.local.get(["backendUrl", "token", "briefId", "platforms", "lastWatchlistId"]);
    settingsCache = {
      ...DEFAULTS,
      ...stored,
      platforms: { ...DEFAULTS.platforms, ...(stored.platforms || {}) },
    };
    settingsCache.backendUrl = normalizeBackendUrl(settingsCache.backendUrl) || DEFAULTS.backendUrl;
  }
  return settingsCache;
}

/**
 * A kolscope backend origin: loopback http (the default, in the manifest) or an https team server (its
 * host permission granted in the options); plain http to another host never (the token would travel
 * in clear), whatever the storage says.
 */
function normalizeBackendUrl(value) {
  try {
    const url = new URL(String(value || "").trim());
    if (url.username || url.password) return null;
    if (url.protocol === "http:" && ["127.0.0.1", "localhost"].includes(url.hostname)) return url.origin;
    if (url.protocol === "https:") return url.origin;
    return null;
  } catch (_) {
    return null;
  }
}

function platformOf(href) {
  try {
    const url = new URL(href);
    if (url.protocol !== "https:") return null;
    return PLATFORM_BY_HOST.get(url.hostname) || null;
  } catch (_) {
    return null;
  }
}

function fail(state, message, extra) {
  return { ok: false, state, message, ...(extra || {}) };
}

// ---- talking to the backend ------------------------------------------------------------------

class BackendDown extends Error {}

async function call(method, path, { body, auth = true, timeout = REQUEST_TIMEOUT_MS, gzip } = {}) {
  const cfg = await settings();
  const headers = { Accept: "application/json" };
  if (auth) headers.Authorization = `Bearer ${cfg.token}`;
  let payload;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
    if ((gzip ?? payload.length > GZIP_ABOVE) && typeof CompressionStream === "function") {
      payload = await new Response(new Blob([payload]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer();
      headers["Content-Encoding"] = "gzip";
    }
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeout);
  let res;
  try {
    res = await fetch(`${cfg.backendUrl}/api/v1${path}`, {
      method,
      headers,
      body: payload,
      signal: controller.signal,
      credentials: "omit",
      cache: "no-store",
    });
  } catch (err) {
    throw new BackendDown(String(err && err.message ? err.message : err));
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try {
    data = await res.json();
  } catch (_) {
    data = null;
  }
  // The backend's own share of the round trip (Server-Timing: app;dur=ms), for the latency figures.
  const timing = /app;dur=([\d.]+)/.exec(res.headers.get("Server-Timing") || "");
  return { status: res.status, data, serverMs: timing ? Math.round(Number(timing[1])) : null };
}

/** Map a failed answer (or no answer) to a state the overlay explains. */
async function explain(err, answer) {
  const cfg = await settings();
  if (err instanceof BackendDown) {
    return fail("backend_down", `The kolscope backend is not running at ${cfg.backendUrl}.`, { backendUrl: cfg.backendUrl });
  }
  if (err) return fail("error", String(err.message || err));
  const error = (answer.data && answer.data.error) || {};
  const message = typeof error.message === "string" ? error.message : `The backend answered HTTP ${answer.status}.`;
  if (answer.status === 401) return fail("token_invalid", message, { code: error.code || "unauthorized" });
  if (answer.status === 422) {
    const code = typeof error.code === "string" ? error.code : "malformed";
    return fail(code === "not_a_creator_page" ? "not_a_creator_page" : "parse_error", message, { code });
  }
  return fail("error", message, { code: error.code || `http_${answer.status}` });
}

/** Token present? Without one, tell "backend not running" apart from "token missing". */
async function needToken() {
  const cfg = await settings();
  if (cfg.token) return null;
  try {
    const health = await call("GET", "/health", { auth: false, timeout: HEALTH_TIMEOUT_MS });
    if (health.status >= 500) return fail("error", `The backend answered HTTP ${health.status}.`);
  } catch (err) {
    return explain(err);
  }
  return fail("token_missing", "No API token is set in the kolscope options.");
}

async function api(method, path, options, okStatuses = [200, 201]) {
  const missing = await needToken();
  if (missing) return { reply: missing };
  let answer;
  try {
    answer = await call(method, path, options);
  } catch (err) {
    return { reply: await explain(err) };
  }
  if (!okStatuses.includes(answer.status)) return { reply: await explain(null, answer) };
  return { data: answer.data, serverMs: answer.serverMs };
}

// ---- message shapes -----------------------------------------------------------------------------

const isStr = (v, max = 1000) => typeof v === "string" && v.length <= max;

function checkCapture(capture, senderPlatform) {
  if (!capture || typeof capture !== "object") return "capture must be an object";
  if (capture.format !== "kolscope.capture/1") return "capture.format must be kolscope.capture/1";
  if (!isStr(capture.url, 4096) || platformOf(capture.url) !== senderPlatform) return "capture.url must be a page of the sending tab's site";
  if (!isStr(capture.captured_at, 64) || capture.source !== "extension") return "capture.captured_at/source are invalid";
  if (typeof capture.html !== "string") return "capture.html must be a string";
  if (!Array.isArray(capture.responses) || capture.responses.length > 200) return "capture.responses must be a list";
  let total = capture.html.length;
  for (const r of capture.responses) {
    if (!r || !isStr(r.url, 8192) || typeof r.body !== "string") return "each response needs a url and a body";
    if (r.status != null && typeof r.status !== "number") return "response.status must be a number";
    if (r.content_type != null && !isStr(r.content_type, 200)) return "response.content_type must be a string";
    total += r.body.length;
  }
  if (total > MAX_CAPTURE_CHARS) return "capture is too large";
  return null;
}

function creatorRef(message) {
  if (!PLATFORMS.some((p) => p.name === message.platform)) return "platform is invalid";
  if (!isStr(message.handle, 100) || !HANDLE_RE.test(message.handle)) return "handle is invalid";
  return null;
}

// ---- handlers -----------------------------------------------------------------------------------

/** What the popup shows for a tab. Not awaited by the capture's answer: the overlay need not wait. */
function rememberTab(tabId, entry) {
  if (typeof tabId !== "number") return;
  chrome.storage.session.set({ [`tab:${tabId}`]: { ...entry, at: Date.now() } }).catch(() => {});
}

/** What the popup shows of a score: the score, grade and confidence, or the reason it is withheld. */
function scorePart(part) {
  if (!part || typeof part !== "object") return null;
  const reason = part.score == null && typeof part.reason === "string" ? part.reason.slice(0, 300) : null;
  return { score: part.score, grade: part.grade, confidence: part.confidence, reason };
}

async function onCapture(message, sender, platform) {
  const problem = checkCapture(message.capture, platform);
  if (problem) return fail("error", `Invalid capture message: ${problem}.`);
  const started = performance.now();
  const { reply, data, serverMs } = await api("POST", "/captures", { body: message.capture }, [200, 201]);
  const backendMs = Math.round(performance.now() - started); // compression + upload + parse + score
  const tabId = sender.tab && sender.tab.id;
  if (reply) {
    rememberTab(tabId, { state: reply.state, message: reply.message, url: message.capture.url, platform });
    return reply;
  }
  if (isListAnswer(data)) {
    const list = listReply(data);
    rememberTab(tabId, { state: "list", url: message.capture.url, platform, message: listSentence(list) });
    return { ...list, timing: { backend_ms: backendMs, server_ms: serverMs } };
  }
  const creator = (data && data.creator) || {};
  const snapshot = (data && data.snapshot) || {};
  const scores = (data && data.scores) || {};
  rememberTab(tabId, {
    state: "scored",
    url: message.capture.url,
    platform: creator.platform || snapshot.platform || platform,
    handle: creator.handle || snapshot.handle || null,
    display_name: creator.display_name || snapshot.display_name || null,
    followers: scores.followers != null ? scores.followers : snapshot.followers,
    tier: scores.tier || null,
    fit: scorePart(scores.fit),
    authenticity: scorePart(scores.authenticity),
  });
  const decision = (data && data.decision) || null;
  // a creator page that also shows a list (a followers tab, a post's comments) answers both
  const listing = data && isListAnswer(data.listing) ? listReply(data.listing) : null;
  return { ok: true, state: "scored", creator, snapshot, scores, decision, listing,
           timing: { backend_ms: backendMs, server_ms: serverMs } };
}

// ---- list pages (discovery) ----------------------------------------------------------------------
// A list page's capture is answered {kind, creators: [...], candidates_added, query, url} (docs/api.md,
// POST /captures), a creator page that also shows a list with that answer under `listing`; the
// creators become candidates, queued for a check by POST /candidates/refresh.

const MAX_LISTED = 500;
const MAX_CHECK_IDS = 200;
const isCandidateId = (v) => (typeof v === "string" && /^[\w-]{1,64}$/.test(v)) || Number.isInteger(v);

function isListAnswer(data) {
  return !!data && typeof data.kind === "string" && Array.isArray(data.creators) && !data.creator;
}

/** The list answer as the overlay shows it: only the fields it reads, each of its type. */
function listReply(data) {
  const str = (v, max = 300) => (isStr(v, max) ? v : null);
  const creators = data.creators.slice(0, MAX_LISTED).filter((c) => c && typeof c === "object").map((c) => ({
    platform: str(c.platform, 40),
    handle: str(c.handle, 100),
    platform_id: str(c.platform_id, 100),
    display_name: str(c.display_name),
    followers: typeof c.followers === "number" && isFinite(c.followers) ? c.followers : null,
    followers_text: str(c.followers_text, 40),
    rounded: c.rounded === true,
    tier: str(c.tier, 20),
    known: c.known === true,
    candidate_id: isCandidateId(c.candidate_id) ? c.candidate_id : null,
    url: str(c.url, 2000),
  }));
  return {
    ok: true,
    state: "list",
    kind: str(data.kind, 20),
    query: str(data.query, 500),
    url: str(data.url, 4096),
    candidates_added: Number.isInteger(data.candidates_added) ? data.candidates_added : 0,
    creators,
  };
}

function listSentence(list) {
  const n = list.creators.length;
  return `Found ${n} creator${n === 1 ? "" : "s"} on this page (${list.candidates_added} new).`;
}

/** "Check these" on the overlay: queue the candidates for a polite refresh (under a grant). */
async function onRefreshCandidates(message) {
  const ids = message.ids;
  if (!Array.isArray(ids) || !ids.length || ids.length > MAX_CHECK_IDS || !ids.every(isCandidateId)) {
    return fail("error", `Invalid check message: ids must be 1 to ${MAX_CHECK_IDS} candidate ids.`);
  }
  const { reply, data } = await api("POST", "/candidates/refresh", { body: { ids } }, [200, 201, 202]);
  if (reply) return reply;
  const queued = data && Number.isInteger(data.queued) ? data.queued
    : data && Array.isArray(data.queued) ? data.queued.length : ids.length;
  return { ok: true, queued };
}

function listOf(data, key) {
  if (Array.isArray(data)) return data;
  if (data && Array.isArray(data[key])) return data[key];
  if (data && Array.isArray(data.items)) return data.items;
  return [];
}

async function onWatchlists() {
  const { reply, data } = await api("GET", "/watchlists");
  if (reply) return reply;
  const cfg = await settings();
  const watchlists = listOf(data, "watchlists")
    .filter((w) => w && w.id != null)
    .map((w) => ({ id: w.id, name: typeof w.name === "string" ? w.name : String(w.id) }));
  return { ok: true, watchlists, lastWatchlistId: cfg.lastWatchlistId ?? null };
}

async function onBookmark(message) {
  const problem = creatorRef(message);
  if (problem) return fail("error", `Invalid bookmark message: ${problem}.`);
  if (message.note != null && !isStr(message.note, 5000)) return fail("error", "The note is too long (5000 characters at most).");
  let watchlist;
  if (message.newWatchlistName != null) {
    const name = isStr(message.newWatchlistName, 100) ? message.newWatchlistName.trim() : "";
    if (!name) return fail("error", "Name the new watchlist (100 characters at most).");
    const created = await api("POST", "/watchlists", { body: { name } }, [200, 201]);
    if (created.reply) return created.reply;
    watchlist = { id: created.data.id, name: created.data.name || name };
  } else {
    const id = message.watchlistId;
    if (!((typeof id === "string" && /^[\w-]{1,64}$/.test(id)) || Number.isInteger(id))) {
      return fail("error", "Choose a watchlist.");
    }
    watchlist = { id, name: isStr(message.watchlistName, 100) ? message.watchlistName : null };
  }
  const added = await api(
    "POST",
    `/watchlists/${encodeURIComponent(watchlist.id)}/creators`,
    { body: { platform: message.platform, handle: message.handle } },
    [200, 201],
  );
  if (added.reply) return added.reply;
  if (!watchlist.name && added.data && typeof added.data.name === "string") watchlist.name = added.data.name;
  let noted = false;
  if (message.note) {
    const note = await api(
      "POST",
      `/creators/${encodeURIComponent(message.platform)}/${encodeURIComponent(message.handle)}/notes`,
      { body: { text: message.note } },
      [200, 201],
    );
    if (note.reply) return { ...note.reply, message: `Bookmarked, but the note was not saved: ${note.reply.message}` };
    noted = true;
  }
  const { recentBookmarks = [] } = await chrome.storage.local.get("recentBookmarks");
  const entry = { platform: message.platform, handle: message.handle, watchlist, at: new Date().toISOString() };
  const recent = [entry, ...recentBookmarks.filter((b) => !(b.platform === entry.platform && b.handle === entry.handle))];
  await chrome.storage.local.set({ recentBookmarks: recent.slice(0, RECENT_BOOKMARKS), lastWatchlistId: watchlist.id });
  return { ok: true, watchlist, noted };
}

async function onBriefs() {
  const { reply, data } = await api("GET", "/briefs");
  if (reply) return reply;
  const briefs = listOf(data, "briefs")
    .filter((b) => b && b.id != null)
    .map((b) => ({ id: b.id, name: typeof b.name === "string" ? b.name : String(b.id) }));
  let active = data && !Array.isArray(data) && "active" in data ? data.active : undefined;
  if (active === undefined) {
    const got = await api("GET", "/briefs/active", {}, [200]);
    active = !got.reply && got.data ? got.data.id ?? null : null;
  }
  return { ok: true, briefs, active };
}

async function onSetBrief(message) {
  const id = message.briefId;
  if (!(id === null || id === "" || (typeof id === "string" && /^[\w-]{1,64}$/.test(id)) || Number.isInteger(id))) {
    return fail("error", "Invalid brief id.");
  }
  const { reply } = await api("PUT", "/briefs/active", { body: { id: id === "" ? null : id } }, [200, 201, 204]);
  if (reply) return reply;
  await chrome.storage.local.set({ briefId: id === null ? "" : String(id) });
  return { ok: true };
}

async function onCheck() {
  const cfg = await settings();
  try {
    // with the token when there is one: a server that has not registered this extension (a team
    // server) answers an extension's cross-origin call only when it carries a valid token
    const health = await call("GET", "/health", { auth: !!cfg.token, timeout: HEALTH_TIMEOUT_MS });
    if (health.status !== 200) return fail("error", `The backend answered HTTP ${health.status}.`);
  } catch (err) {
    return explain(err);
  }
  if (!cfg.token) return fail("token_missing", "The backend is running; now set its API token.");
  const { reply } = await api("GET", "/watchlists");
  return reply || { ok: true, message: `Connected to ${cfg.backendUrl}.` };
}

/** Register this extension's id with the backend: from then on it answers (CORS) only this origin. */
async function onRegister() {
  const { reply, data } = await api("PUT", "/extension", { body: { id: chrome.runtime.id } }, [200]);
  return reply || { ok: true, id: data && data.id };
}

async function onPopupState(message) {
  const cfg = await settings();
  const tabId = message.tabId;
  let current = null;
  if (Number.isInteger(tabId)) {
    const key = `tab:${tabId}`;
    current = (await chrome.storage.session.get(key))[key] || null;
  }
  const { recentBookmarks = [] } = await chrome.storage.local.get("recentBookmarks");
  return { ok: true, current, recentBookmarks, backendUrl: cfg.backendUrl };
}

// ---- campaigns (issue 14): "Add to campaign" and "Mark this post as a deliverable" ---------------

const ID_RE = /^[\w-]{1,64}$/;

async function onCampaigns() {
  const { reply, data } = await api("GET", "/campaigns");
  if (reply) return reply;
  const { lastCampaignId = null } = await chrome.storage.local.get("lastCampaignId");
  const campaigns = listOf(data, "campaigns")
    .filter((c) => c && typeof c.id === "string")
    .map((c) => ({ id: c.id, name: typeof c.name === "string" ? c.name : c.id }));
  return { ok: true, campaigns, lastCampaignId };
}

/** The campaign's partner for this creator, added first when it is not one yet: {partner, added}. */
async function partnerFor(campaignId, platform, handle) {
  const path = `/campaigns/${encodeURIComponent(campaignId)}`;
  const got = await api("GET", path, {}, [200]);
  if (got.reply) return { reply: got.reply };
  const partners = listOf(got.data, "partners");
  const wanted = String(handle).toLowerCase();
  const found = partners.find((p) => p && p.platform === platform && String(p.handle || "").toLowerCase() === wanted);
  if (found) return { partner: found, added: false };
  const made = await api("POST", `${path}/partners`, { body: { platform, handle } }, [200, 201]);
  if (made.reply) return { reply: made.reply };
  return { partner: (made.data && made.data.partner) || made.data, added: true };
}

async function onAddPartner(message) {
  const problem = creatorRef(message);
  if (problem) return fail("error", `Invalid campaign message: ${problem}.`);
  if (!isStr(message.campaignId, 64) || !ID_RE.test(message.campaignId)) return fail("error", "Choose a campaign.");
  const { reply, partner, added } = await partnerFor(message.campaignId, message.platform, message.handle);
  if (reply) return reply;
  await chrome.storage.local.set({ lastCampaignId: message.campaignId });
  return { ok: true, added, partner: partner && { id: partner.id, handle: partner.handle, status: partner.status } };
}

async function onMarkDeliverable(message, sender, platform) {
  const problem = creatorRef(message);
  if (problem) return fail("error", `Invalid deliverable message: ${problem}.`);
  if (!isStr(message.campaignId, 64) || !ID_RE.test(message.campaignId)) return fail("error", "Choose a campaign.");
  // the post is the page the person is on: from a content script, the sending tab's own page
  const site = platform || platformOf(message.url);
  if (!isStr(message.url, 2048) || platformOf(message.url) !== site || site !== message.platform) {
    return fail("error", "The deliverable must be a post of this creator's platform.");
  }
  if (platform && message.url !== sender.url) return fail("error", "The deliverable must be the page this tab shows.");
  const found = await partnerFor(message.campaignId, message.platform, message.handle);
  if (found.reply) return found.reply;
  const { reply, data } = await api(
    "POST",
    `/campaigns/${encodeURIComponent(message.campaignId)}/deliverables`,
    { body: { partner_id: found.partner.id, url: message.url } },
    [200, 201],
  );
  if (reply) return reply;
  await chrome.storage.local.set({ lastCampaignId: message.campaignId });
  return { ok: true, partnerAdded: found.added, deliverable: data && { id: data.id, url: data.url } };
}

// ---- user-action grants ------------------------------------------------------------------------
// What can reach this worker, and what it can check (issue 11):
// - A platform page's own scripts cannot message the extension at all: the manifest declares no
//   externally_connectable, so chrome.runtime.sendMessage(<our id>) is not even offered to web pages,
//   and they cannot reach the content script's isolated world or the overlay's closed shadow root.
//   Their only lever is DOM events, and the overlay acts on trusted events only (overlay.js).
// - So every message here comes from our own content script or our own pages. `sender` is filled in by
//   the browser, not by the sender: the tab, the frame, the document (documentId) and the URL are facts.
//   Whether a click was real is not: a message cannot carry proof of a user gesture.
// - What the worker enforces is therefore an order and a scope: the watchlist names (private data)
//   are only answered, and a bookmark (a write) only made, under a grant that the content script asks
//   for from inside a trusted event's handler, immediately before the request. A grant is for one
//   action, used once, bound to the tab, frame and document that asked, lives GRANT_MS, and is given
//   only to the active tab (a person clicking is looking at it). A content script path that asked on
//   its own (as rendering the card once did) gets nothing. A renderer compromised enough to run code in
//   the isolated world is out of reach of any rule here: it could ask for a grant like the overlay does.
const GRANT_MS = 10000;
const GRANT_ACTIONS = ["watchlists", "bookmark", "campaigns", "addPartner", "markDeliverable", "candidates"];
const MAX_GRANTS_PER_TAB = 4;
const grants = new Map(); // token -> {tabId, frameId, documentId, action, expires}

function onGrant(message, sender) {
  if (!GRANT_ACTIONS.includes(message.action)) return fail("error", "Invalid grant message: unknown action.");
  if (!sender.tab.active) return fail("forbidden", "Only the tab in front can ask for this.");
  const now = Date.now();
  let live = 0;
  for (const [token, g] of grants) {
    if (g.expires <= now) grants.delete(token);
    else if (g.tabId === sender.tab.id) live++;
  }
  if (live >= MAX_GRANTS_PER_TAB) return fail("forbidden", "Too many requests from this tab; try again in a few seconds.");
  const token = crypto.randomUUID();
  grants.set(token, {
    tabId: sender.tab.id,
    frameId: sender.frameId,
    documentId: sender.documentId ?? null,
    action: message.action,
    expires: now + GRANT_MS,
  });
  return { ok: true, grant: token };
}

/** Take (and so spend) the grant the message carries, if it is a live one for this action and sender. */
function takeGrant(message, sender, action) {
  const token = message.grant;
  if (typeof token !== "string") return false;
  const g = grants.get(token);
  grants.delete(token);
  return (
    !!g &&
    g.action === action &&
    g.expires > Date.now() &&
    g.tabId === sender.tab.id &&
    g.frameId === sender.frameId &&
    g.documentId === (sender.documentId ?? null)
  );
}

/** A content-script handler that answers only under a grant for `action`. */
function granted(action, handler) {
  return (message, sender, platform) => {
    if (!takeGrant(message, sender, action)) {
      return fail("forbidden", "kolscope does this only after a click on the overlay's own controls.");
    }
    return handler(message, sender, platform);
  };
}

// Who may send what: content scripts (top frame of a supported site's tab) and the extension's pages.
const FROM_CONTENT = {
  // the platform's list pages come along: content/platforms.js does not run in the content script's world
  hello: async (m, s, platform) => ({
    ok: true,
    enabled: (await settings()).platforms[platform] !== false,
    listPages: (PLATFORMS.find((p) => p.name === platform) || {}).listPages || [],
  }),
  capture: onCapture,
  grant: onGrant,
  watchlists: granted("watchlists", onWatchlists),
  bookmark: granted("bookmark", onBookmark),
  campaigns: granted("campaigns", onCampaigns),
  addPartner: granted("addPartner", onAddPartner),
  markDeliverable: granted("markDeliverable", onMarkDeliverable),
  refreshCandidates: granted("candidates", onRefreshCandidates),
  openOptions: async () => {
    await chrome.runtime.openOptionsPage();
    return { ok: true };
  },
};
const FROM_EXTENSION = {
  watchlists: onWatchlists,
  briefs: onBriefs,
  setBrief: onSetBrief,
  check: onCheck,
  register: onRegister,
  popupState: onPopupState,
  campaigns: onCampaigns,
  markDeliverable: onMarkDeliverable,
};

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (sender.id !== chrome.runtime.id || !message || typeof message !== "object" || typeof message.type !== "string") {
    return false; // not ours: no answer at all
  }
  return route(message, sender, sendResponse);
});

/** Answer one message of ours (the listener above; the e2e tests call it with made-up senders). */
function route(message, sender, sendResponse) {
  const extensionPage = typeof sender.url === "string" && sender.url.startsWith(chrome.runtime.getURL(""));
  let handler = null;
  let platform = null;
  if (extensionPage) {
    handler = FROM_EXTENSION[message.type];
  } else if (sender.tab && sender.frameId === 0) {
    platform = platformOf(sender.url || (sender.tab && sender.tab.url) || "");
    if (platform) handler = FROM_CONTENT[message.type];
  }
  if (!handler) {
    sendResponse(fail("error", `Message ${JSON.stringify(message.type).slice(0, 40)} is not allowed from here.`));
    return false;
  }
  Promise.resolve()
    .then(() => handler(message, sender, platform))
    .catch((err) => fail("error", `kolscope failed: ${err && err.message ? err.message : err}`))
    .then(sendResponse);
  return true; // answer asynchronously
}

chrome.tabs.onRemoved.addListener((tabId) => {
  chrome.storage.session.remove(`tab:${tabId}`).catch(() => {});
});

chrome.runtime.onInstalled.addListener(async ({ reason }) => {
  if (reason === "install") {
    const stored = await chrome.storage.local.get(["backendUrl", "token"]);
    if (!stored.backendUrl) await chrome.storage.local.set({ backendUrl: DEFAULTS.backendUrl });
    if (!stored.token) chrome.runtime.openOptionsPage().catch(() => {});
  }
});
