// kolscope options: backend URL, API token, active brief and platforms, kept in chrome.storage.local.
// Talking to the backend (testing the connection, listing briefs) goes through the service worker.
"use strict";

const $ = (id) => document.getElementById(id);
const DEFAULT_URL = "http://127.0.0.1:8765";

function say(el, text, ok) {
  el.textContent = text;
  el.className = ok === true ? "ok" : ok === false ? "bad" : "";
}

function loopbackOrigin(value) {
  try {
    const url = new URL(value.trim() || DEFAULT_URL);
    if (url.protocol !== "http:" || !["127.0.0.1", "localhost"].includes(url.hostname)) return null;
    return url.origin;
  } catch (_) {
    return null;
  }
}

async function load() {
  const s = await chrome.storage.local.get(["backendUrl", "token", "briefId", "platforms"]);
  $("backendUrl").value = s.backendUrl || DEFAULT_URL;
  $("token").value = s.token || "";
  const platforms = s.platforms || {};
  for (const box of document.querySelectorAll("input[data-platform]")) {
    box.checked = platforms[box.dataset.platform] !== false;
  }
  await loadBriefs(s.briefId || "");
}

async function save() {
  const backendUrl = loopbackOrigin($("backendUrl").value);
  if (!backendUrl) {
    say($("status"), "The backend URL must be http://127.0.0.1:PORT or http://localhost:PORT.", false);
    return false;
  }
  $("backendUrl").value = backendUrl;
  await chrome.storage.local.set({ backendUrl, token: $("token").value.trim() });
  say($("status"), "Saved.", true);
  return true;
}

async function check() {
  if (!(await save())) return;
  say($("status"), "Checking…");
  const reply = await chrome.runtime.sendMessage({ type: "check" });
  say($("status"), reply.ok ? reply.message : reply.message || "Failed.", !!reply.ok);
  if (reply.ok) loadBriefs((await chrome.storage.local.get("briefId")).briefId || "");
}

async function loadBriefs(selected) {
  const select = $("brief");
  const reply = await chrome.runtime.sendMessage({ type: "briefs" });
  if (!reply || !reply.ok) {
    say($("briefStatus"), reply ? reply.message : "Could not list the briefs.", false);
    return;
  }
  const options = [new Option("(no brief: general scores)", "")];
  for (const brief of reply.briefs) options.push(new Option(brief.name, String(brief.id)));
  select.replaceChildren(...options);
  const active = reply.active != null ? String(reply.active) : selected;
  select.value = [...select.options].some((o) => o.value === active) ? active : "";
  say($("briefStatus"), reply.briefs.length ? "" : "No briefs yet: create one in the kolscope dashboard.");
}

async function setBrief() {
  const reply = await chrome.runtime.sendMessage({ type: "setBrief", briefId: $("brief").value });
  say($("briefStatus"), reply.ok ? "Active brief saved." : reply.message, !!reply.ok);
}

async function savePlatforms() {
  const platforms = {};
  for (const box of document.querySelectorAll("input[data-platform]")) platforms[box.dataset.platform] = box.checked;
  await chrome.storage.local.set({ platforms });
}

$("save").addEventListener("click", save);
$("check").addEventListener("click", check);
$("reloadBriefs").addEventListener("click", () => loadBriefs($("brief").value));
$("brief").addEventListener("change", setBrief);
for (const box of document.querySelectorAll("input[data-platform]")) box.addEventListener("change", savePlatforms);
load();
