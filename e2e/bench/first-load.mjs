// Measures the bytes a cold first load of each page transfers, and prints a Markdown table.
// Run by `cargo xtask bench` against a server it started (BASE_URL).
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL ?? "http://localhost:8080";
const pages = [
  { name: "sign-in (`/`)", path: "/", username: null },
  { name: "resident home", path: "/resident", username: "resident" },
  { name: "enterprise home", path: "/enterprise", username: "staff" },
  { name: "official home", path: "/official", username: "official" },
];

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

console.log("| page | requests | transferred | of which wasm |");
console.log("|---|---:|---:|---:|");
for (const target of pages) {
  const context = await browser.newContext({ baseURL: base, locale: "zh-CN", viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  if (target.username) {
    // Sign in through the page, then start a fresh page load with the session but no cache.
    await page.goto("/");
    await page.getByLabel("用户名", { exact: true }).fill(target.username);
    await page.getByLabel("密码", { exact: true }).fill("kapok-demo");
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.waitForURL(`**${target.path}`);
    await page.close();
    const session = await context.cookies();
    await context.close();
    const fresh = await browser.newContext({ baseURL: base, locale: "zh-CN", viewport: { width: 390, height: 844 } });
    await fresh.addCookies(session);
    await measure(fresh, target);
    await fresh.close();
  } else {
    await page.close();
    await measure(context, target);
    await context.close();
  }
}
await browser.close();

async function measure(context, target) {
  const page = await context.newPage();
  await page.goto(target.path, { waitUntil: "networkidle" });
  await page.getByRole("heading", { level: 1 }).waitFor();
  const entries = await page.evaluate(() =>
    [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")].map((e) => ({
      name: e.name,
      transfer: e.transferSize,
    })),
  );
  const total = entries.reduce((sum, e) => sum + e.transfer, 0);
  const wasm = entries.filter((e) => e.name.endsWith(".wasm")).reduce((sum, e) => sum + e.transfer, 0);
  const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
  console.log(`| ${target.name} | ${entries.length} | ${kb(total)} | ${kb(wasm)} |`);
  await page.close();
}
