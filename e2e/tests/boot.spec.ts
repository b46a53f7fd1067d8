// The page before the app starts: on a slow network a first visit shows the app's loading line
// in the reader's language at once, not a blank screen; without script it says what is needed.
import { expect, test, type Page } from "@playwright/test";
import { type LocaleTag, strings } from "../support/kapok";

const WASM = /_bg\.wasm$/;

/** The loading line as a reader sees it: only the text in the page's language shows. */
function shownText(page: Page) {
  return page.locator("#kp-boot .kp-boot__line").evaluate((el) => (el as HTMLElement).innerText.trim());
}

// Browser languages and the locale the page must speak, before and after the app starts.
const BROWSERS: { browser: string; expected: LocaleTag }[] = [
  { browser: "zh-CN", expected: "zh-CN" },
  { browser: "zh-TW", expected: "zh-HK" },
  { browser: "en-GB", expected: "en" },
  { browser: "fr-FR", expected: "en" },
];

for (const { browser, expected } of BROWSERS) {
  test.describe(`a browser set to ${browser}`, () => {
    test.use({ locale: browser });

    test(`sees the loading line in ${expected} while the app is on its way`, async ({ page }) => {
      // The app never arrives: what shows is what a slow network shows until it does.
      await page.route(WASM, (route) => route.abort());
      await page.goto("/");
      await expect(page.getByRole("status")).toBeVisible();
      expect(await shownText(page)).toBe(strings[expected].loading);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(expected);
    });

    test(`gets the app in ${expected} too, with the loading line gone`, async ({ page }) => {
      await page.goto("/");
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(strings[expected].sign_in.title);
      await expect(page.locator("#kp-boot")).toHaveCount(0);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(expected);
    });
  });
}

test("a remembered language wins over the browser's, before the app starts", async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem("kapok.locale", "zh-HK"));
  await page.route(WASM, (route) => route.abort());
  await page.goto("/");
  await expect(page.getByRole("status")).toBeVisible();
  expect(await shownText(page)).toBe(strings["zh-HK"].loading);
});

test("after ten seconds without the app, the page says the network may be slow", async ({ page }) => {
  await page.route(WASM, (route) => route.abort());
  await page.goto("/");
  const late = page.locator("#kp-boot .kp-boot__late [lang='zh-CN']");
  await expect(page.getByRole("status")).toBeVisible();
  await expect(late).toBeHidden();
  await expect(late).toBeVisible({ timeout: 15_000 });
  await expect(late).toContainText("网络可能较慢");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the page says, in all three languages, that it needs JavaScript", async ({ page }) => {
    await page.goto("/");
    // (Playwright's text search passes over <noscript>, so the lines are read directly.)
    for (const [lang, words] of [["zh-CN", "木棉需要启用 JavaScript"], ["zh-HK", "木棉需要啟用 JavaScript"], ["en", "Kapok needs JavaScript"]]) {
      const line = page.locator(`.kp-noscript p[lang="${lang}"]`);
      await expect(line).toBeVisible();
      expect(await line.evaluate((el) => (el as HTMLElement).innerText)).toContain(words);
    }
    await expect(page.getByRole("status")).toBeHidden();
  });
});
