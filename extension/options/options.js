// kolscope options: backend URL (this computer, or a team server over https), API token, active brief
// and platforms, kept in chrome.storage.local.
// Talking to the backend (testing the connection, listing briefs) goes through the service worker.
"use strict";

const $ = (id) => document.getElementById(id);
const DEFAULT_URL = "http://127.0.0.1:8765";

/** One checkbox per supported platform (content/platforms.js), its label as text, never markup. */
function platformBoxes() {
  const labels = globalThis.kolscopePlatforms.map((p) => {
    const box = document.createElement("input");
    box.type = "checkbox";
    box.dataset.platform = p.name;
    const label = document.createElement("label");
    label.className = "check";
    label.append(box, ` ${p.label}`);
    return label;
  });
  $("platforms").replaceChildren(...labels);
}

function say(el, text, ok) {
  el.textContent = text;
  el.className = ok === true ? "ok" : ok === false ? "bad" : "";
}

const LOOPBACK_HOSTS = ["127.0.0.1", "localhost"];

/**
 * The backend origin a typed URL names, and whether the manifest already lets us reach it:
 * {origin, loopback} for http://127.0.0.1:PORT / http://localhost:PORT (the one-laptop default, in
 * the manifest's host_permissions) or an https:// team server (its host permission is asked for at
 * run time); {error} otherwise. Plain http to another host is refused: the token would travel in clear.
 */
function backendOrigin(value) {
  let url;
  try {
    url = new URL(String(value || "").trim() || DEFAULT_URL);
  } catch (_) {
    return { error: "The backend URL is not a URL: use http://127.0.0.1:PORT, or https://your-team-server." };
  }
  if (url.username || url.password) return { error: "The backend URL must not hold a name or password: put the token below." };
  if (url.protocol === "http:" && LOOPBACK_HOSTS.includes(url.hostname)) return { origin: url.origin, loopback: true };
  if (url.protocol === "https:") return { origin: url.origin, loopback: false };
  if (url.protocol === "http:") {
    return { error: `Plain http to ${url.hostname} would send your token in clear: use https://${url.host} (a team server), or http://127.0.0.1:PORT.` };
  }
  return { error: "The backend URL must be http://127.0.0.1:PORT (this computer) or https://… (a team server)." };
}

/** The dashboard's briefs screen on the configured backend. */
function briefsLink(backendUrl) {
  const { origin } = backendOrigin(backendUrl || DEFAULT_URL);
  $("editBriefs").href = `${origin || DEFAULT_URL}/briefs`;
}

/**
 * A team server's origin is not in the manifest: ask Chrome for it (optional_host_permissions).
 * Called first thing in the click handler, before any other await, while the click still counts as
 * the user's gesture (Chrome shows its prompt only then).
 */
function askForOrigin(origin) {
  return chrome.permissions.request({ origins: [`${origin}/*`] }).catch(() => false);
}

async function load() {
  const s = await chrome.storage.local.get(["backendUrl", "token", "briefId", "platforms"]);
  $("backendUrl").value = s.backendUrl || DEFAULT_URL;
  $("token").value = s.token || "";
  briefsLink(s.backendUrl);
  const platforms = s.platforms || {};
  for (const box of document.querySelectorAll("input[data-platform]")) {
    box.checked = platforms[box.dataset.platform] !== false;
  }
  await loadBriefs(s.briefId || "");
}

async function save() {
  const target = backendOrigin($("backendUrl").value);
  if (target.error) {
    say($("status"), target.error, false);
    return false;
  }
  if (!target.loopback && !(await askForOrigin(target.origin))) {
    say($("status"), `kolscope needs your permission to reach ${target.origin}: save again and allow it when Chrome asks.`, false);
    return false;
  }
  const backendUrl = target.origin;
  $("backendUrl").value = backendUrl;
  await chrome.storage.local.set({ backendUrl, token: $("token").value.trim() });
  briefsLink(backendUrl);
  say($("status"), "Saved.", true);
  return true;
}

async function check() {
  if (!(await save())) return;
  say($("status"), "Checking…");
  const reply = await chrome.runtime.sendMessage({ type: "check" });
  if (reply.ok) {
    const registered = await register();
    say($("status"), registered.ok ? reply.message : registered.message, registered.ok);
    loadBriefs((await chrome.storage.local.get("briefId")).briefId || "");
  } else {
    say($("status"), reply.message || "Failed.", false);
  }
}

// On the first successful connection to a backend, register this extension's id with it: from then
// on the backend grants CORS to this extension's origin only and refuses every other extension.
// A team server (https) answers each member's extension by that member's token instead: each install has
// its own id, and registering one would shut the others out, so nothing is registered there.
async function register(force = true) {
  const { backendUrl, registeredWith } = await chrome.storage.local.get(["backendUrl", "registeredWith"]);
  const { origin, loopback } = backendOrigin(backendUrl || DEFAULT_URL);
  if (!loopback) return { ok: true };
  if (!force && registeredWith === origin) return { ok: true };
  const reply = await chrome.runtime.sendMessage({ type: "register" });
  if (!reply || !reply.ok) return { ok: false, message: (reply && reply.message) || "Could not register the extension." };
  await chrome.storage.local.set({ registeredWith: origin });
  return { ok: true };
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
  const registered = await register(false); // connected: register once per backend
  if (!registered.ok) say($("status"), registered.message, false);
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

platformBoxes();
$("save").addEventListener("click", save);
$("check").addEventListener("click", check);
$("reloadBriefs").addEventListener("click", () => loadBriefs($("brief").value));
$("brief").addEventListener("change", setBrief);
for (const box of document.querySelectorAll("input[data-platform]")) box.addEventListener("change", savePlatforms);
load();
