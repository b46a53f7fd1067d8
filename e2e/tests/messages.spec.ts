// The inbox: marking every message read, and what she sees when that cannot reach the server.
import { expect, test } from "../support/test";
import { askThroughApi } from "../support/delegation";
import { expectNoAxeViolations } from "../support/axe";
import { open, pageLocale, secondsUntilRetry, signIn, strings } from "../support/kapok";

const s = strings["zh-CN"];

test.use({ locale: "zh-CN" });

test("marking every message read says so when the network fails, keeps them unread, and works on the next tap", async ({ browser, baseURL, page }) => {
  // A clerk asks the company for authority, which puts a message in the legal
  // representative's inbox.
  await askThroughApi(browser, baseURL, "clerk", {
    kind: "enterprise",
    principal: "kapok-digital",
    scopes: ["policies"],
    note: "请授权我查阅政策",
  });

  await signIn(page, "legal-rep");
  await open(page, "/enterprise/messages");
  const items = page.getByRole("main").getByRole("listitem");
  const unread = page.getByRole("main").getByText(s.messages.unread, { exact: true });
  await expect(unread.first()).toBeVisible();
  const markAll = page.getByRole("button", { name: s.messages.mark_all });

  // The phone loses its signal as he taps.
  await page.route("**/api/v1/notifications/read-all", (route) => route.abort("internetdisconnected"));
  await markAll.click();
  await expect(page.getByRole("alert")).toHaveText(s.errors.network);
  await expect(unread.first()).toBeVisible();
  await expect(markAll).toBeEnabled();

  // Back online, the same button works: every message that was there is read. (Other tests
  // may send him new ones meanwhile; those come first, newest first, and may be unread.)
  const before = await items.count();
  await page.unroute("**/api/v1/notifications/read-all");
  await markAll.click();
  await expect(page.getByRole("alert")).toHaveCount(0);
  // Said, not only shown by the button going away.
  await expect(page.getByText(s.messages.all_read)).toBeVisible();
  await expect
    .poll(async () => {
      const read = await items.evaluateAll((lis) => lis.map((li) => li.getAttribute("data-read")));
      return read.slice(read.length - before);
    })
    .toEqual(Array(before).fill("true"));
});

test("an inbox opened with the phone offline says it will try again once the phone is back online, and does, without a tap", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, locale: "zh-HK" });
  const page = await context.newPage();
  await signIn(page, "hk-resident");
  const hk = strings["zh-HK"];
  expect(await pageLocale(page)).toBe("zh-HK");
  await context.setOffline(true);
  await page.getByRole("link", { name: hk.tabs.messages }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText(hk.errors.network);
  await expect(alert).toContainText(hk.errors.retrying_online);
  await expect(alert.getByRole("button", { name: hk.errors.retry })).toBeVisible();
  await expectNoAxeViolations(page, "inbox, offline");

  await context.setOffline(false);
  await expect(alert).toHaveCount(0);
  await expect(page.getByRole("heading", { level: 1, name: hk.messages.title })).toBeVisible();
  await expect(page.getByRole("main").getByRole("list").or(page.getByRole("heading", { name: hk.messages.empty }))).toBeVisible();
  await context.close();
});

test("an inbox answered by a proxy's own error page while the server restarts tries again by itself, less often while it lasts, and loads once the server is back", async ({ page }) => {
  // Half a minute, spread by up to a quarter, passes while this waits.
  test.setTimeout(120_000);
  await signIn(page, "official");
  // The proxy in front answers in its own words while the server behind it restarts.
  let restarting = true;
  let asked = 0;
  await page.route("**/api/v1/notifications", (route) => {
    asked += 1;
    return restarting ? route.fulfill({ status: 502, contentType: "text/html", body: "<html><body>502 Bad Gateway</body></html>" }) : route.continue();
  });
  await page.getByRole("link", { name: s.tabs.messages }).click();
  const alert = page.getByRole("alert");
  // Only reading: nothing was sent that may or may not have arrived.
  await expect(alert).toContainText(s.errors.unavailable_reading);
  await expect(alert).not.toContainText(s.errors.unavailable);
  const first = await secondsUntilRetry(alert, s);
  expect(first).toBeGreaterThanOrEqual(30);
  expect(first).toBeLessThanOrEqual(38);

  // Nobody taps. It asks again once the wait is over, finds the server still restarting, and
  // now waits twice as long.
  const before = asked;
  await expect.poll(() => asked, { timeout: (first + 15) * 1000 }).toBe(before + 1);
  await expect.poll(() => secondsUntilRetry(alert, s)).toBeGreaterThanOrEqual(60);
  expect(await secondsUntilRetry(alert, s)).toBeLessThanOrEqual(75);
  await expectNoAxeViolations(page, "inbox, asked again by itself, proxy error");

  // Someone taps: they are here and asking, so the next wait starts from half a minute again.
  await alert.getByRole("button", { name: s.errors.retry }).click();
  await expect.poll(() => asked).toBe(before + 2);
  await expect.poll(() => secondsUntilRetry(alert, s)).toBeLessThanOrEqual(38);

  // Back: the inbox comes.
  restarting = false;
  await alert.getByRole("button", { name: s.errors.retry }).click();
  await expect(alert).toHaveCount(0);
  await expect(page.getByRole("main").getByRole("list").or(page.getByRole("heading", { name: s.messages.empty }))).toBeVisible();
});
