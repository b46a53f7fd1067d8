// Lighthouse (default mobile config: moto g power viewport, simulated slow 4G and 4× CPU) on
// each shell's first page and the resident's ID card with its QR code, in both display modes,
// plus a static HTML floor page of the same content. Prints a JSON array on stdout; progress
// goes to stderr. Run by `cargo xtask bench` against a server it started (BASE_URL).
//
// Every measurement is a cold first load in a browser profile of its own, which holds only
// the languages, the session cookie, who signed in on the device (localStorage
// `kapok.data.me`, which the app keeps from sign-in to sign-out) and the display mode
// (`kapok.mode`), as a returning phone with an empty HTTP cache would. Lighthouse must not
// reset storage, or the cookie and the mode would go.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync } from "node:zlib";
import { chromium } from "@playwright/test";
import lighthouse from "lighthouse";
import { computeMedianRun } from "lighthouse/core/lib/median-run.js";

const base = (process.env.BASE_URL ?? "http://localhost:8080").replace(/\/$/, "");
// The server listens on 127.0.0.1 only; `localhost` may resolve to ::1 first.
const api = base.replace("//localhost", "//127.0.0.1");
const PASSWORD = "kapok-demo";
const SESSION_COOKIE = "__Host-kapok_session";
const MODES = ["standard", "elderly"];
// The flags of e2e/support/chromium.ts (a .ts file, so not importable from here).
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];
// The phone's languages: a Mainland resident's, as the demo accounts'. (`--lang` does nothing
// on Linux; the profile's preference sets navigator.languages and Accept-Language.)
const LANGUAGES = "zh-CN,zh";
const CATEGORIES = ["performance", "accessibility", "best-practices"];
// Runs per page and mode; the report keeps the median run, as Lighthouse's own docs advise
// (TBT in particular varies from run to run on a busy machine).
const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 5);
// Where to keep each run's full report (Lighthouse JSON, viewable at
// https://googlechrome.github.io/lighthouse/viewer/), if set.
const reports = process.env.LIGHTHOUSE_REPORTS;

const log = (...args) => console.error("[lighthouse]", ...args);

const floor = await serveFloor();
const residentCard = await idCardPath();
const targets = [
  { page: "static HTML floor", url: floor.url, username: null, modes: ["standard"] },
  { page: "sign-in", path: "/", username: null },
  { page: "resident home", path: "/resident", username: "resident" },
  { page: "enterprise home", path: "/enterprise", username: "staff" },
  { page: "official home", path: "/official", username: "official" },
  { page: "ID card with QR code", path: residentCard, username: "resident" },
];

const results = [];
try {
  for (const target of targets) {
    for (const mode of target.modes ?? MODES) {
      const url = target.url ?? base + target.path;
      const runs = [];
      const errors = [];
      // A run that fails is tried once more; a page with no run left is reported, not skipped.
      for (let run = 1; run <= RUNS; run++) {
        for (let attempt = 1; attempt <= 2; attempt++) {
          log(`${target.page} (${mode}), run ${run} of ${RUNS}: ${url}`);
          try {
            const cookie = target.username ? await signIn(target.username) : null;
            runs.push(await measure(url, cookie, target.url ? null : mode));
            break;
          } catch (e) {
            log(`failed: ${e.message}`);
            errors.push(e.message);
          }
        }
      }
      if (runs.length === 0) {
        results.push({ page: target.page, path: target.path, mode, runs: 0, error: errors.at(-1) });
        continue;
      }
      const lhr = computeMedianRun(runs);
      if (reports) {
        mkdirSync(reports, { recursive: true });
        const name = `${target.page}-${mode}`.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
        writeFileSync(join(reports, `${name}.json`), JSON.stringify(lhr, null, 1));
      }
      results.push({ ...summary(target, mode, lhr), runs: runs.length });
    }
  }
} finally {
  floor.server.close();
}
console.log(JSON.stringify(results, null, 2));

/** Signs in through the API as a demo account; returns the session cookie's value. */
async function signIn(username) {
  const response = await fetch(`${api}/api/v1/session`, {
    method: "POST",
    // The CSRF guard wants a same-origin request with a JSON body.
    headers: { Origin: base, "Content-Type": "application/json" },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!response.ok) throw new Error(`sign-in as ${username}: HTTP ${response.status}`);
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const eq = pair.indexOf("=");
    if (pair.slice(0, eq) === SESSION_COOKIE) return pair.slice(eq + 1);
  }
  throw new Error(`sign-in as ${username} set no ${SESSION_COOKIE} cookie`);
}

/** `GET /api/v1/me` for a session, as the app keeps it on the device after signing in. */
async function whoIs(cookie) {
  const response = await fetch(`${api}/api/v1/me`, { headers: { Cookie: `${SESSION_COOKIE}=${cookie}` } });
  if (!response.ok) throw new Error(`GET /api/v1/me: HTTP ${response.status}`);
  return await response.text();
}

/** The path of the demo resident's identity card page, found through the wallet API. */
async function idCardPath() {
  const cookie = await signIn("resident");
  const response = await fetch(`${api}/api/v1/wallet`, { headers: { Cookie: `${SESSION_COOKIE}=${cookie}` } });
  if (!response.ok) throw new Error(`GET /api/v1/wallet: HTTP ${response.status}`);
  const wallet = await response.json();
  const card = wallet.find((l) => l.licence_type === "resident_id_card" && !l.through_grant);
  if (!card) throw new Error("the demo resident's wallet has no resident ID card");
  return `/resident/wallet/${encodeURIComponent(card.id)}`;
}

/** One Lighthouse run in a fresh browser profile holding only the languages, `cookie` and `mode`. */
async function measure(url, cookie, mode) {
  const profile = mkdtempSync(join(tmpdir(), "kapok-lighthouse-"));
  mkdirSync(join(profile, "Default"));
  writeFileSync(join(profile, "Default", "Preferences"), JSON.stringify({ intl: { accept_languages: LANGUAGES } }));
  const port = await freePort();
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [...CHROMIUM_ARGS, `--remote-debugging-port=${port}`],
    // No emulation from Playwright: Lighthouse sets the mobile screen and user agent itself.
    viewport: null,
  });
  try {
    if (cookie) {
      await context.addCookies([
        {
          name: SESSION_COOKIE,
          value: cookie,
          domain: new URL(base).hostname,
          path: "/",
          secure: true,
          httpOnly: true,
          sameSite: "Strict",
        },
      ]);
    }
    const me = cookie ? await whoIs(cookie) : null;
    if (mode || me) {
      // robots.txt: a page on the origin that loads nothing else into the HTTP cache.
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${base}/robots.txt`);
      await page.evaluate(
        ([m, who]) => {
          if (m) localStorage.setItem("kapok.mode", m);
          if (who) localStorage.setItem("kapok.data.me", who);
        },
        [mode, me],
      );
      await page.goto("about:blank");
    }
    const result = await lighthouse(url, {
      port,
      output: "json",
      logLevel: "error",
      disableStorageReset: true,
      onlyCategories: CATEGORIES,
    });
    if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
    const lhr = result.lhr;
    if (lhr.runtimeError) throw new Error(`Lighthouse on ${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    for (const warning of lhr.runWarnings ?? []) log(`warning: ${warning}`);
    // A lost session would measure the sign-in page under another name.
    if (new URL(lhr.finalDisplayedUrl).pathname !== new URL(url).pathname) {
      throw new Error(`${url} ended at ${lhr.finalDisplayedUrl}`);
    }
    return lhr;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The figures the report shows, from one Lighthouse result. */
function summary(target, mode, lhr) {
  const score = (id) => (lhr.categories[id].score == null ? null : Math.round(lhr.categories[id].score * 100));
  const value = (id) => lhr.audits[id]?.numericValue ?? null;
  // The category's audits that did not pass (not the manual or informative ones), each with
  // its weight in the category's score (0: reported, not scored) and a few of the elements or
  // messages it found, so they can be fixed.
  const failing = (id) =>
    lhr.categories[id].auditRefs
      .map((ref) => ({ audit: lhr.audits[ref.id], weight: ref.weight }))
      .filter(({ audit }) => audit.score !== null && audit.score < 1 && audit.scoreDisplayMode !== "informative")
      .map(({ audit, weight }) => ({ id: audit.id, title: audit.title, weight, found: found(audit) }));
  const seconds = (id) => (value(id) == null ? null : value(id) / 1000);
  const bytes = value("total-byte-weight");
  return {
    page: target.page,
    path: target.path ?? "(static, same settings)",
    mode,
    performance: score("performance"),
    accessibility: score("accessibility"),
    best_practices: score("best-practices"),
    lcp_s: seconds("largest-contentful-paint"),
    tbt_ms: value("total-blocking-time"),
    cls: value("cumulative-layout-shift"),
    fcp_s: seconds("first-contentful-paint"),
    transfer_kb: bytes == null ? null : bytes / 1000,
    failing_accessibility: failing("accessibility"),
    failing_best_practices: failing("best-practices"),
    lighthouse: lhr.lighthouseVersion,
    chromium: lhr.environment?.hostUserAgent ?? null,
  };
}

/** Up to three of what a failing audit found: elements by selector (with what is wrong), messages, URLs. */
function found(audit) {
  const items = audit.details?.items ?? [];
  const described = items.map((item) => {
    if (item.node?.selector) {
      // axe's explanation: "Fix any of the following:" and then what is wrong, one per line.
      const why = (item.node.explanation ?? "").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("Fix "))[0];
      return why ? `${item.node.selector}: ${why.length > 160 ? `${why.slice(0, 159)}…` : why}` : item.node.selector;
    }
    const url = item.sourceLocation?.url ?? item.url ?? item.scriptUrl;
    if (item.description) return url ? `${item.description} (${url})` : item.description;
    return url ?? null;
  });
  // Without the origin, whose port changes from run to run.
  return [...new Set(described.filter((d) => typeof d === "string").map((d) => d.replaceAll(base, "")))].slice(0, 3);
}

/** Serves floor.html (brotli when asked, like the app's files) on a loopback port. */
async function serveFloor() {
  const html = readFileSync(new URL("floor.html", import.meta.url));
  const br = brotliCompressSync(html);
  const server = createServer((req, res) => {
    if (req.url !== "/") {
      res.writeHead(404).end();
      return;
    }
    const headers = { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache", Vary: "Accept-Encoding" };
    if (/\bbr\b/.test(req.headers["accept-encoding"] ?? "")) {
      res.writeHead(200, { ...headers, "Content-Encoding": "br" }).end(br);
    } else {
      res.writeHead(200, headers).end(html);
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://localhost:${server.address().port}/` };
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
