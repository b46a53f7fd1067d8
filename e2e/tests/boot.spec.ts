// The page before the app starts: on a slow network a first visit shows the app's loading line
// in the reader's language at once, not a blank screen; without script it says what is needed.
import { type Page } from "@playwright/test";
import { expect, test } from "../support/test";
import { type LocaleTag, strings } from "../support/kapok";

const WASM = /_bg\.wasm$/;

/** A network so slow that the app's wasm never arrives while the test looks. */
async function wasmNeverArrives(page: Page) {
  await page.route(WASM, () => {});
}

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
      // The app has not arrived: what shows is what a slow network shows until it does.
      await wasmNeverArrives(page);
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
  await wasmNeverArrives(page);
  await page.goto("/");
  await expect(page.getByRole("status")).toBeVisible();
  expect(await shownText(page)).toBe(strings["zh-HK"].loading);
});

test("after ten seconds without the app, the page says the network may be slow", async ({ page }) => {
  await wasmNeverArrives(page);
  await page.goto("/");
  const late = page.locator("#kp-boot .kp-boot__late [lang='zh-CN']");
  await expect(page.getByRole("status")).toBeVisible();
  await expect(late).toBeHidden();
  await expect(late).toBeVisible({ timeout: 15_000 });
  await expect(late).toContainText("网络可能较慢");
});

test.describe("when the app cannot be fetched", () => {
  // The page's own loader leaves the failed fetch uncaught; the page answers it (boot.js).
  test.use({ uncaughtExpected: [/Failed to fetch/] });

  for (const locale of ["zh-CN", "zh-HK", "en"] as const) {
    test(`the page says so at once in ${locale}, rather than loading for ever, and trying again brings the app`, async ({ page }) => {
      await page.addInitScript((l) => localStorage.setItem("kapok.locale", l), locale);
      // The network drops as the app is fetched, and is back when she tries again.
      let dropped = false;
      await page.route(WASM, (route) => {
        if (dropped) return route.continue();
        dropped = true;
        return route.abort("internetdisconnected");
      });
      await page.goto("/");
      const failed = page.locator(`#kp-boot .kp-boot__failed > [lang="${locale}"]`);
      await expect(failed).toBeVisible();
      await expect(page.getByRole("status")).toContainText(await failed.innerText());
      await expect(page.locator("#kp-boot .kp-boot__line")).toBeHidden();
      // Nothing says "still loading" later either.
      await expect(page.locator("#kp-boot .kp-boot__late")).toBeHidden();
      const retry = page.getByRole("button", { name: strings[locale].retry, exact: true });
      await expect(retry).toBeVisible();
      const box = await retry.boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(44);
      await retry.click();
      await expect(page.getByRole("heading", { level: 1 })).toHaveText(strings[locale].sign_in.title);
      await expect(page.locator("#kp-boot")).toHaveCount(0);
    });
  }
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
