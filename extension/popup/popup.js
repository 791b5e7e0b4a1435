// kolscope popup: the current tab's creator summary, recent bookmarks, and a link to the backend.
"use strict";

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text != null) node.textContent = String(text); // creator text is data, never markup
  if (cls) node.className = cls;
  return node;
}

function compact(n) {
  return typeof n === "number" ? new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 }).format(n) : "—";
}

/** A score with its confidence, as the overlay shows it; a withheld one is "no grade", never 0 or F. */
function score(part) {
  if (!part) return "—";
  if (part.score == null) {
    const why = typeof part.reason === "string" ? part.reason : "";
    return why ? `No grade: ${why}` : "No grade";
  }
  const notes = [part.grade, typeof part.confidence === "string" ? `${part.confidence} confidence` : null].filter(Boolean);
  return `${Math.round(part.score)}${notes.length ? ` (${notes.join(", ")})` : ""}`;
}

const STATE_TEXT = {
  backend_down: "The kolscope backend is not running: start it with `make run`.",
  token_missing: "No API token set: open Options and paste the output of `kolscope token`.",
  token_invalid: "The backend refused the token: update it in Options.",
  parse_error: "kolscope could not read this page.",
};

/** The supported platforms (content/platforms.js) for a sentence: "A, B or C". */
function platformLabels() {
  const labels = globalThis.kolscopePlatforms.map((p) => p.label);
  return labels.length > 1 ? `${labels.slice(0, -1).join(", ")} or ${labels[labels.length - 1]}` : labels.join("");
}

async function main() {
  document.getElementById("hint").textContent = `Open a creator page on ${platformLabels()}.`;
  // `popup.html?tab=N` shows tab N (opened as a page of its own, the popup would see itself).
  const asked = Number.parseInt(new URLSearchParams(location.search).get("tab") || "", 10);
  let tabId = Number.isInteger(asked) ? asked : null;
  if (tabId === null) {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    tabId = tab ? tab.id : null;
  }
  const state = await chrome.runtime.sendMessage({ type: "popupState", tabId });
  if (!state || !state.ok) return;
  const dashboard = document.getElementById("dashboard");
  dashboard.href = `${state.backendUrl}/`;

  const current = document.getElementById("current");
  const c = state.current;
  if (c && c.state === "scored") {
    const card = el("div", null, "card");
    card.append(el("div", `${c.display_name || c.handle || ""}${c.handle ? ` @${c.handle}` : ""}`, "name"));
    card.append(el("div", c.platform, "hint"));
    const grid = el("div", null, "grid");
    for (const [k, v] of [
      ["Followers", compact(c.followers)],
      ["Tier", c.tier || "—"],
      ["Fit", score(c.fit)],
      ["Authenticity", score(c.authenticity)],
    ]) {
      grid.append(el("span", k, "k"), el("span", v));
    }
    card.append(grid);
    current.replaceChildren(card);
    if (c.handle && namesPost(c.url)) markDeliverable(card, c);
  } else if (c) {
    current.replaceChildren(el("p", STATE_TEXT[c.state] || c.message || "No scores for this page.", "bad"));
  }

  const recent = document.getElementById("recent");
  if (state.recentBookmarks.length) {
    recent.replaceChildren(
      ...state.recentBookmarks.map((b) => {
        const li = el("li");
        li.append(el("span", `@${b.handle}`, "name"), el("span", ` · ${b.platform} → ${b.watchlist && b.watchlist.name ? b.watchlist.name : "watchlist"}`, "hint"));
        return li;
      }),
    );
  }
}

// ---- campaigns (issue 14): "Mark this post as a deliverable" for the post the tab shows ----------

// Path segments after which the platforms put a post's id (as content/overlay.js reads them).
const POST_ID_AFTER = new Set(["shorts", "video", "photo", "p", "reel", "reels", "tv", "status", "live", "embed"]);

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

/** A campaign select and a button under the creator's card; the campaigns are listed when the popup opens. */
async function markDeliverable(card, c) {
  const reply = await chrome.runtime.sendMessage({ type: "campaigns" });
  if (!reply || !reply.ok || !reply.campaigns.length) return;
  const box = el("div", null, "deliverable");
  const select = el("select");
  select.id = "campaign";
  for (const campaign of reply.campaigns) {
    const option = el("option", campaign.name);
    option.value = campaign.id;
    select.append(option);
  }
  if (reply.lastCampaignId && reply.campaigns.some((x) => x.id === reply.lastCampaignId)) select.value = reply.lastCampaignId;
  const button = el("button", "Mark this post as a deliverable");
  button.id = "mark-deliverable";
  const status = el("div", null, "hint");
  status.id = "deliverable-status";
  button.addEventListener("click", async () => {
    button.disabled = true;
    const answer = await chrome.runtime.sendMessage({
      type: "markDeliverable", campaignId: select.value, platform: c.platform, handle: c.handle, url: c.url,
    });
    button.disabled = false;
    const name = select.selectedOptions[0] ? select.selectedOptions[0].textContent : "the campaign";
    status.className = answer && answer.ok ? "hint" : "bad";
    status.textContent = answer && answer.ok ? `Marked as a deliverable of ${name}.` : (answer && answer.message) || "Could not mark the post.";
  });
  box.append(select, button, status);
  card.append(box);
}

document.getElementById("options").addEventListener("click", (e) => {
  e.preventDefault();
  chrome.runtime.openOptionsPage();
});
main();
