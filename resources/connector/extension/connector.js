// Talking to the Clipper window: find its port, pair, read the tab, send the clip.
// Browser-only glue around clip.js (which holds the logic and its tests).

import {
  baseUrl,
  candidatePorts,
  clipRequest,
  describeAnswer,
  needsPairing,
  pairRequest,
} from "./clip.js";

const api = globalThis.browser ?? globalThis.chrome;

export async function saved() {
  return api.storage.local.get(["port", "token", "tags"]);
}

/** The port of a running Clipper window, or null. */
export async function findPort() {
  const { port } = await saved();
  for (const candidate of candidatePorts(port)) {
    try {
      const answer = await fetch(`${baseUrl(candidate)}/v1/ping`);
      const data = await answer.json();
      if (data.app === "clipper") {
        await api.storage.local.set({ port: candidate });
        return candidate;
      }
    } catch (_error) {
      // Nothing there, or another program: try the next port.
    }
  }
  return null;
}

export async function pair(code) {
  const port = await findPort();
  if (port === null) return "Clipper is not running: open its window, then try again.";
  const { url, init } = pairRequest(port, code);
  const answer = await fetch(url, init);
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) return describeAnswer(answer.status, data);
  await api.storage.local.set({ token: data.token });
  return "Paired with Clipper.";
}

/** What the tab shows: its address, title, whole DOM and the selection's HTML. */
function readPage() {
  const selection = window.getSelection();
  let picked = "";
  if (selection && selection.rangeCount && !selection.isCollapsed) {
    const holder = document.createElement("div");
    for (let i = 0; i < selection.rangeCount; i++) {
      holder.appendChild(selection.getRangeAt(i).cloneContents());
    }
    picked = holder.innerHTML;
  }
  return {
    url: location.href,
    title: document.title,
    html: document.documentElement.outerHTML,
    selection: picked,
  };
}

export async function sendTab(tabId, tags, selectionOnly = false) {
  const [{ result: page }] = await api.scripting.executeScript({
    target: { tabId },
    func: readPage,
  });
  if (selectionOnly && !page.selection) return "Select some text first.";
  const port = await findPort();
  if (port === null) return "Clipper is not running: open its window, then try again.";
  const { token } = await saved();
  let request;
  try {
    request = clipRequest(port, token, page, tags);
  } catch (error) {
    return error.message;
  }
  const answer = await fetch(request.url, request.init);
  const data = await answer.json().catch(() => ({}));
  if (needsPairing(answer.status)) await api.storage.local.remove("token");
  return describeAnswer(answer.status, data);
}
