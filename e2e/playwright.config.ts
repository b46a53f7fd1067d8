import { defineConfig } from "@playwright/test";
import { CHROMIUM } from "./support/chromium";

// The suite runs against a server that `cargo xtask test` starts on a free port with a fresh
// database (BASE_URL). It always uses Debian's Chromium: no browser is ever downloaded.
export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    baseURL: process.env.BASE_URL ?? "http://localhost:8080",
    viewport: { width: 390, height: 844 },
    hasTouch: true,
    locale: "zh-CN",
    launchOptions: CHROMIUM,
  },
  projects: [
    // Everything that shares the demo accounts, in parallel.
    { name: "shared", testIgnore: ["**/last/**", "**/family/**", "**/outage/**", "**/network/**"] },
    // What gives the resident her mother's authority, which changes her wallet, home and lists:
    // once nothing else reads them, and before "last" changes how either of them signs in.
    { name: "family", testDir: "./tests/family", dependencies: ["shared"] },
    // What changes how a demo account signs in (its password, a pause on password sign-in) or
    // ends all its sessions: only once nothing else needs them.
    { name: "last", testDir: "./tests/last", dependencies: ["family"] },
    // What keeps the database from being written to: alone, once nothing else runs, but before
    // password sign-in is paused for this machine; one test at a time, as each takes the lock.
    { name: "outage", testDir: "./tests/outage", dependencies: ["last"], fullyParallel: false },
    // What pauses password sign-in for this machine's address (every test's): after all else.
    { name: "network", testDir: "./tests/network", dependencies: ["outage"] },
  ],
});
