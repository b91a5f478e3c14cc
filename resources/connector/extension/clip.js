// The connector's requests, as plain functions: which ports to try, how a pairing and a
// clip are sent, and what the answer means to the editor. Shared by the extension's popup
// and background worker; tested with node's test runner (../test/clip.test.mjs).

export const DEFAULT_PORT = 23140;
export const PORT_RANGE = 10;
export const CONNECTOR_HEADER = "X-Clipper-Connector";

/** The ports to try, the one that answered last time first. */
export function candidatePorts(saved) {
  const ports = [];
  if (Number.isInteger(saved) && saved > 0 && saved < 65536) ports.push(saved);
  for (let port = DEFAULT_PORT; port < DEFAULT_PORT + PORT_RANGE; port++) {
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

export function baseUrl(port) {
  return `http://127.0.0.1:${port}`;
}

/** "Niger, topic:Security,  Sahel" -> ["Niger", "topic:Security", "Sahel"] */
export function parseTags(text) {
  const seen = new Set();
  const tags = [];
  for (const part of String(text || "").split(/[,;\n]/)) {
    const tag = part.trim().replace(/\s+/g, " ");
    const key = tag.toLowerCase();
    if (tag && !seen.has(key)) {
      seen.add(key);
      tags.push(tag);
    }
  }
  return tags;
}

/** The six digits of a pairing code as typed ("482 913", "482-913"), or null. */
export function normalizeCode(text) {
  const digits = String(text || "").replace(/[\s-]/g, "");
  return /^\d{6}$/.test(digits) ? digits : null;
}

export function pairRequest(port, code) {
  const digits = normalizeCode(code);
  if (digits === null) throw new Error("The pairing code is the six digits Clipper shows.");
  return {
    url: `${baseUrl(port)}/v1/pair`,
    init: {
      method: "POST",
      headers: { "Content-Type": "application/json", [CONNECTOR_HEADER]: "1" },
      body: JSON.stringify({ code: digits }),
    },
  };
}

/** The clip of a page: its selection when there is one, else its whole DOM. */
export function clipRequest(port, token, page, tags = []) {
  if (!token) throw new Error("Pair this browser with Clipper first.");
  if (!/^https?:\/\//.test(page.url || "")) {
    throw new Error("Only web pages (http or https) can be sent to Clipper.");
  }
  const selection = (page.selection || "").trim();
  const body = {
    url: page.url,
    title: page.title || "",
    selection: selection,
    html: selection ? "" : page.html || "",
    tags: tags,
  };
  return {
    url: `${baseUrl(port)}/v1/clip`,
    init: {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Authorization: `Bearer ${token}`,
        [CONNECTOR_HEADER]: "1",
      },
      body: JSON.stringify(body),
    },
  };
}

/** One line for the editor from the connector's answer. */
export function describeAnswer(status, answer) {
  const data = answer && typeof answer === "object" ? answer : {};
  if (status === 201) return `Clipped as #${data.id}: ${data.title || ""}`.trim();
  if (data.message) return capitalize(data.message);
  if (status === 401) return "Not paired: enter the code Clipper shows in Preferences.";
  if (data.error) return `Clipper refused it: ${data.error}`;
  return `Clipper answered ${status}.`;
}

function capitalize(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Whether an answer means the token is no good any more (pair again). */
export function needsPairing(status) {
  return status === 401;
}
