// The extension's background: the context-menu entry "Send selection to Clipper".

import { parseTags } from "./clip.js";
import { saved, sendTab } from "./connector.js";

const api = globalThis.browser ?? globalThis.chrome;
const MENU_ID = "send-selection-to-clipper";

api.runtime.onInstalled.addListener(() => {
  api.contextMenus.create({
    id: MENU_ID,
    title: "Send selection to Clipper",
    contexts: ["selection"],
  });
});

api.contextMenus.onClicked.addListener(async (info, tab) => {
  if (info.menuItemId !== MENU_ID || !tab?.id) return;
  const { tags } = await saved();
  let message;
  try {
    message = await sendTab(tab.id, parseTags(tags), true);
  } catch (error) {
    message = `Could not send: ${error.message}`;
  }
  // The badge shows it went; the title says how.
  await api.action.setBadgeText({ tabId: tab.id, text: message.startsWith("Clipped") ? "✓" : "!" });
  await api.action.setTitle({ tabId: tab.id, title: message });
});
