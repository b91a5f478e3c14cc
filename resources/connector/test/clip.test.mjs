// The extension's request building, run with `node --test resources/connector/test/`.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  candidatePorts,
  clipRequest,
  describeAnswer,
  normalizeCode,
  pairRequest,
  parseTags,
} from "../extension/clip.js";

test("the port that answered last is tried first, then the range", () => {
  assert.deepEqual(candidatePorts(23143).slice(0, 3), [23143, 23140, 23141]);
  assert.equal(candidatePorts(23143).length, 10);
  assert.deepEqual(candidatePorts(undefined)[0], 23140);
  assert.equal(candidatePorts("23143")[0], 23140);
});

test("tags are split on commas, trimmed and kept once", () => {
  assert.deepEqual(parseTags(" Niger, topic:Security ,, niger; Sahel "), [
    "Niger",
    "topic:Security",
    "Sahel",
  ]);
  assert.deepEqual(parseTags(""), []);
});

test("a pairing code is six digits, spaces allowed", () => {
  assert.equal(normalizeCode("482 913"), "482913");
  assert.equal(normalizeCode("48291"), null);
  const request = pairRequest(23140, "482-913");
  assert.equal(request.url, "http://127.0.0.1:23140/v1/pair");
  assert.equal(request.init.headers["X-Clipper-Connector"], "1");
  assert.deepEqual(JSON.parse(request.init.body), { code: "482913" });
  assert.throws(() => pairRequest(23140, "abc"), /six digits/);
});

test("a clip sends the selection alone when there is one, else the whole page", () => {
  const page = {
    url: "https://news.example/niger",
    title: "Niger",
    html: "<html>…</html>",
    selection: "<p>Picked</p>",
  };
  const withSelection = clipRequest(23141, "tok", page, ["Niger"]);
  assert.equal(withSelection.url, "http://127.0.0.1:23141/v1/clip");
  assert.equal(withSelection.init.headers.Authorization, "Bearer tok");
  const sent = JSON.parse(withSelection.init.body);
  assert.equal(sent.selection, "<p>Picked</p>");
  assert.equal(sent.html, "");
  assert.deepEqual(sent.tags, ["Niger"]);
  const whole = JSON.parse(clipRequest(23141, "tok", { ...page, selection: "  " }).init.body);
  assert.equal(whole.html, "<html>…</html>");
  assert.throws(() => clipRequest(23141, "", page), /Pair/);
  assert.throws(() => clipRequest(23141, "tok", { ...page, url: "chrome://newtab" }), /web pages/);
});

test("answers become one line for the editor", () => {
  assert.equal(describeAnswer(201, { id: 7, title: "Niger" }), "Clipped as #7: Niger");
  assert.equal(
    describeAnswer(200, { status: "exists", message: "already clipped as #123" }),
    "Already clipped as #123",
  );
  assert.match(describeAnswer(401, { error: "not paired" }), /^Not paired/);
  assert.equal(describeAnswer(413, { error: "too big" }), "Clipper refused it: too big");
});

test("the bookmark address is the bookmarklet on one line, and it parses", async () => {
  const { readFileSync } = await import("node:fs");
  const { bookmarkletUrl } = await import("../bookmarklet/build.mjs");
  const folder = new URL("../bookmarklet/", import.meta.url);
  const source = readFileSync(new URL("bookmarklet.js", folder), "utf8");
  const shipped = readFileSync(new URL("bookmarklet.url.txt", folder), "utf8").trim();
  assert.equal(shipped, bookmarkletUrl(source));
  assert.ok(!shipped.includes("\n") && shipped.startsWith("javascript:(function () {"));
  assert.doesNotThrow(() => new Function(shipped.slice("javascript:".length)));
});
