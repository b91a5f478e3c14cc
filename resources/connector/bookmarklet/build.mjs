// Makes the one-line bookmark address from bookmarklet.js: `node bookmarklet/build.mjs`.
// The test checks that bookmarklet.url.txt is what this makes, so the two never drift.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function bookmarkletUrl(source) {
  const code = source
    .split("\n")
    .filter((line) => !line.trim().startsWith("//"))
    .map((line) => line.trim())
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
  return `javascript:${code}`;
}

const here = fileURLToPath(new URL(".", import.meta.url));
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = readFileSync(`${here}bookmarklet.js`, "utf8");
  writeFileSync(`${here}bookmarklet.url.txt`, bookmarkletUrl(source) + "\n");
}
