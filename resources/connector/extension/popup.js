// The toolbar button's popup: pair once, then send the page (or its selection) with tags.

import { parseTags } from "./clip.js";
import { pair, saved, sendTab } from "./connector.js";

const api = globalThis.browser ?? globalThis.chrome;
const $ = (id) => document.getElementById(id);

async function show() {
  const { token, tags } = await saved();
  $("pairing").hidden = Boolean(token);
  $("sending").hidden = !token;
  $("tags").value = tags || "";
}

$("pair").addEventListener("click", async () => {
  $("status").textContent = "Pairing…";
  try {
    $("status").textContent = await pair($("code").value);
  } catch (error) {
    $("status").textContent = `Could not pair: ${error.message}`;
  }
  await show();
});

$("send").addEventListener("click", async () => {
  const tags = $("tags").value;
  await api.storage.local.set({ tags });
  $("status").textContent = "Sending…";
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  try {
    $("status").textContent = await sendTab(tab.id, parseTags(tags));
  } catch (error) {
    $("status").textContent = `Could not send: ${error.message}`;
  }
  await show();
});

show();
