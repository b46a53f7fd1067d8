// Dates and counts as each locale writes them, never ISO dates in running text; names in
// another script marked with their language.
import { type Locator } from "@playwright/test";
import { expect, test } from "../support/test";
import { askThroughApi, withdraw } from "../support/delegation";
import { LOCALES, type LocaleTag, fill, open, signIn, strings } from "../support/kapok";

const EXPIRY: Record<LocaleTag, string> = { "zh-CN": "2039年5月20日", "zh-HK": "2039年5月20日", en: "20 May 2039" };
const BIRTH: Record<LocaleTag, string> = { "zh-CN": "1991年3月14日", "zh-HK": "1991年3月14日", en: "14 March 1991" };

for (const locale of LOCALES) {
  test(`${locale}: a licence's dates are written the locale's way`, async ({ page }) => {
    const s = strings[locale];
    await page.addInitScript((l) => localStorage.setItem("kapok.locale", l), locale);
    await signIn(page, "resident");
    await open(page, "/resident/wallet");
    const card = page.locator('a[href$="/lic-resident-id"]');
    await expect(card).toContainText(fill(s.wallet.valid_until, { date: EXPIRY[locale] }));
    await expect(card).not.toContainText("2039-05-20");
    await card.click();
    await expect(page.getByRole("main")).toContainText(BIRTH[locale]);
    await expect(page.getByRole("main")).not.toContainText("1991-03-14");
  });
}

test("the live code's renewal is announced once per code, in words, and the countdown itself is silent", async ({ page }) => {
  const s = strings.en;
  await page.addInitScript(() => localStorage.setItem("kapok.locale", "en"));
  await page.clock.install();
  await signIn(page, "resident");
  await open(page, "/resident/wallet/lic-resident-id");
  const token = page.getByTestId("licence-token");
  await expect(token).toHaveText(/^KP1:/);
  const first = await token.textContent();
  const announcement = page.getByTestId("qr-announcement");
  await expect(announcement).toHaveAttribute("aria-live", "polite");
  // Opening the page announces nothing; the countdown ticks outside any live region.
  await expect(announcement).toHaveText("");
  const countdown = page.getByText(/\d+ s$/).first();
  await expect(countdown).toBeVisible();
  expect(await countdown.evaluate((el) => el.closest("[aria-live], [role=status], [role=alert], [role=timer]"))).toBeNull();

  await page.clock.fastForward(46_000);
  await expect(token).not.toHaveText(first ?? "");
  const said = new RegExp("^" + s.wallet.qr_renewed.other.replace(".", "\\.").replace(/\{\{ count \}\}/, "\\d+") + "$");
  await expect(announcement).toHaveText(said);
});

// The stamp on a licence's face ticks every second, in the device's time zone, written the
// locale's way; a screenshot of the face is visibly stale.
const STAMP: Record<LocaleTag, RegExp> = {
  "zh-CN": /2026年11月21日 10:2\d:\d\d/,
  "zh-HK": /2026年11月21日 10:2\d:\d\d/,
  en: /21 November 2026 at 10:2\d:\d\d/,
};

test.describe("in Guangzhou's time zone", () => {
  test.use({ timezoneId: "Asia/Shanghai" });

  for (const locale of LOCALES) {
    test(`${locale}: the licence's stamp gives the time to the second and ticks`, async ({ page }) => {
      await page.addInitScript((l) => localStorage.setItem("kapok.locale", l), locale);
      // 10:20 in Guangzhou.
      await page.clock.install({ time: new Date("2026-11-21T02:20:00Z") });
      await signIn(page, "resident");
      await open(page, "/resident/wallet/lic-resident-id");
      const stamp = page.locator(".kp-licence-face__watermark");
      await expect(stamp).toContainText(STAMP[locale]);
      const before = await stamp.textContent();
      await page.clock.runFor(3_000);
      await expect(stamp).not.toHaveText(before!);
      await expect(stamp).toContainText(STAMP[locale]);
    });
  }
});

test("on an English page the Chinese names of people and companies are marked as Chinese, in a sentence too; on a Chinese page they are not", async ({
  browser,
  baseURL,
}) => {
  const s = strings.en;
  const clerk = "吴嘉豪";
  const company = "广州木棉数字科技有限公司";
  const note = "请授权我查阅政策，谢谢";
  await askThroughApi(browser, baseURL, "clerk", { kind: "enterprise", principal: "kapok-digital", scopes: ["policies"], note });
  const page = await (await browser.newContext({ baseURL, locale: "en" })).newPage();
  await page.addInitScript(() => localStorage.setItem("kapok.locale", "en"));
  await signIn(page, "legal-rep");
  const chinese = (within: Locator, name: string) => within.locator('[lang="zh"]', { hasText: name }).first();

  // "Hello, 梁国栋", and the company's card under it.
  await open(page, "/enterprise");
  const greeting = page.locator(".kp-greeting");
  await expect(greeting).toHaveText(fill(s.home.greeting, { name: "梁国栋" }));
  await expect(chinese(greeting, "梁国栋")).toHaveText("梁国栋");
  await expect(page.getByRole("heading", { name: company })).toHaveAttribute("lang", "zh");

  // His inbox: "吴嘉豪 asks you for authority".
  await open(page, "/enterprise/messages");
  const message = page.getByRole("main").getByRole("listitem").filter({ hasText: fill(s.messages.delegation_request, { name: clerk }) }).first();
  await expect(chinese(message, clerk)).toHaveText(clerk);

  // The request: who asks, for which company, in the sentence that opens it and in its facts;
  // and the clerk's note, in his own words.
  await open(page, "/enterprise/delegation");
  const waiting = page.getByRole("listitem").filter({ hasText: clerk }).first();
  await expect(chinese(waiting, clerk)).toHaveText(clerk);
  await waiting.getByRole("link", { name: s.delegation.open_request }).click();
  const intro = page.locator(".kp-lead");
  await expect(intro).toHaveText(fill(s.authorize.intro, { requester: clerk, principal: company }));
  await expect(chinese(intro, clerk)).toHaveText(clerk);
  await expect(chinese(intro, company)).toHaveText(company);
  await expect(page.locator("blockquote", { hasText: note })).toHaveAttribute("lang", "zh");
  // The English words around them are not.
  expect(await page.locator('.kp-lead[lang], main dt[lang]').count()).toBe(0);

  // In Chinese the page's own language covers them.
  await page.evaluate(() => localStorage.setItem("kapok.locale", "zh-CN"));
  await page.addInitScript(() => localStorage.setItem("kapok.locale", "zh-CN"));
  await page.reload();
  await expect(page.locator(".kp-lead")).toHaveText(fill(strings["zh-CN"].authorize.intro, { requester: clerk, principal: company }));
  await expect(page.locator("main [lang]")).toHaveCount(0);
  await page.context().close();
});

test("the one who asks is told whom to send the link to, the name marked as Chinese on an English page", async ({ browser, baseURL }) => {
  const s = strings.en;
  const page = await (await browser.newContext({ baseURL, locale: "en" })).newPage();
  await page.addInitScript(() => localStorage.setItem("kapok.locale", "en"));
  await signIn(page, "staff");
  await open(page, "/enterprise/delegation");
  await page.getByRole("checkbox", { name: s.scope.policies }).check();
  await page.getByRole("button", { name: s.delegation.submit }).click();
  const title = page.getByRole("heading", { name: fill(s.delegation.share_title, { name: "梁国栋" }) });
  await expect(title).toBeVisible();
  await expect(title.locator('[lang="zh"]')).toHaveText("梁国栋");
  // Withdrawn again, so the legal representative's list is as it was.
  const binding = ((await page.getByTestId("binding-code").textContent()) ?? "").trim();
  await withdraw(page, binding, s);
  await page.context().close();
});
