// The devices an account is signed in on, and ending them: one, or all at once. Ending every
// session of an account would sign out any other test using it at that moment, so these run
// after every other test (playwright.config.ts), as the elder, whom nothing else here uses.
import { type Browser } from "@playwright/test";
import { expect, test } from "../../support/test";
import { type LocaleTag, open, signIn, strings } from "../../support/kapok";

const s = strings["zh-CN"];

/** A device of its own, in Chinese, whose browser names itself `userAgent`. */
async function device(browser: Browser, baseURL: string | undefined, userAgent?: string) {
  return (await browser.newContext({ baseURL, locale: "zh-CN", userAgent })).newPage();
}

// One after another: each ends sessions of the same account.
test.describe.configure({ mode: "default" });

test("signing out on every device ends the session on her other phone too, and no one else's", async ({ browser, baseURL }) => {
  const page = await device(browser, baseURL);
  const other = await device(browser, baseURL);
  const someoneElse = await device(browser, baseURL);
  await signIn(other, "elder");
  await signIn(someoneElse, "official");
  await signIn(page, "elder");

  await open(page, "/resident/me");
  await expect(page.getByText(s.me.sign_out_everywhere_hint)).toBeVisible();
  // Asked first: Cancel (which has focus) signs out nowhere.
  const everywhere = page.getByRole("main").getByRole("button", { name: s.me.sign_out_everywhere });
  await everywhere.click();
  const asked = page.getByRole("dialog", { name: s.me.sign_out_everywhere_title });
  await expect(asked).toContainText(s.me.sign_out_everywhere_message);
  await expect(asked.getByRole("button", { name: s.me.stay_signed_in })).toBeFocused();
  await asked.getByRole("button", { name: s.me.stay_signed_in }).click();
  await expect(asked).toBeHidden();
  await expect(page).toHaveURL(/\/resident\/me$/);

  await everywhere.click();
  await asked.getByRole("button", { name: s.me.sign_out_everywhere }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("button", { name: s.sign_in.submit, exact: true })).toBeVisible();

  // Her other phone is sent to sign in, saying why, at the next thing it opens.
  await other.goto("/resident/wallet");
  await expect(other.getByText(s.sign_in.expired)).toBeVisible();
  // The official on his own phone is still signed in.
  await someoneElse.goto("/official/inbox");
  await expect(someoneElse).toHaveURL(/\/official\/inbox$/);
  await expect(someoneElse.getByText(s.sign_in.expired)).toHaveCount(0);
  for (const p of [page, other, someoneElse]) await p.context().close();
});

test("Me lists the devices signed in, marks this one, and signs another out without touching the rest", async ({
  browser,
  baseURL,
}) => {
  const android =
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
  const windows =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
  const phone = await device(browser, baseURL, android);
  const computer = await device(browser, baseURL, windows);
  await signIn(computer, "elder");
  await signIn(phone, "elder");

  await open(phone, "/resident/me");
  const list = phone.getByRole("list", { name: s.sessions.list_label });
  // Other tests signed her in too, so each device is found by name.
  const here = list.getByRole("listitem").filter({ hasText: "Chrome · Android" });
  const there = list.getByRole("listitem").filter({ hasText: "Chrome · Windows 10" });
  await expect(here).toHaveCount(1);
  await expect(here).toContainText(s.sessions.this_device);
  await expect(here.getByRole("button")).toHaveCount(0);
  await expect(there).toHaveCount(1);
  await expect(there).not.toContainText(s.sessions.this_device);
  await expect(there).toContainText(s.sessions.signed_in_password.replace("{{ time }}", ""));
  // This device is the first in the list.
  await expect(list.getByRole("listitem").first()).toContainText(s.sessions.this_device);

  const end = s.sessions.end_label.replace("{{ device }}", "Chrome · Windows 10");
  await there.getByRole("button", { name: end }).click();
  await expect(phone.getByText(s.sessions.ended)).toBeVisible();
  await expect(there).toHaveCount(0);
  await expect(here).toHaveCount(1);

  // The computer is sent to sign in at the next thing it opens; the phone carries on.
  await computer.goto("/resident/wallet");
  await expect(computer.getByText(s.sign_in.expired)).toBeVisible();
  await phone.goto("/resident/wallet");
  await expect(phone).toHaveURL(/\/resident\/wallet$/);
  await phone.context().close();
  await computer.context().close();
});

test("a link opened in WeChat, WeCom or a phone maker's browser is listed under that name, in the reader's language", async ({
  browser,
  baseURL,
}) => {
  // Links to sign in or approve are sent in chat apps and open in the app's own browser.
  const wechat =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.38(0x1800262c) NetType/WIFI Language/zh_CN";
  const wecom =
    "Mozilla/5.0 (Linux; Android 12; M2102J2SC Build/SKQ1.211006.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220903 Mobile Safari/537.36 wxwork/4.1.6 MicroMessenger/7.0.1 NetType/WIFI Language/zh Lang/zh ColorScheme/Light";
  // Phones sold in China come with a browser of their maker's, which says "Chrome" as well.
  const huawei =
    "Mozilla/5.0 (Linux; Android 10; HarmonyOS; NOH-AN00; HMSCore 6.11.0.302) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/13.0.5.302 Mobile Safari/537.36";
  const inWeChat = await device(browser, baseURL, wechat);
  const inWeCom = await device(browser, baseURL, wecom);
  const inHuawei = await device(browser, baseURL, huawei);
  await signIn(inHuawei, "elder");
  await signIn(inWeCom, "elder");
  await signIn(inWeChat, "elder");
  await open(inWeChat, "/resident/me");

  const names: [LocaleTag, string, string, string][] = [
    ["zh-CN", "微信 · iPhone", "企业微信 · Android", "华为浏览器 · Android"],
    ["zh-HK", "微信 · iPhone", "企業微信 · Android", "華為瀏覽器 · Android"],
    ["en", "WeChat · iPhone", "WeCom · Android", "Huawei Browser · Android"],
  ];
  for (const [locale, here, there, maker] of names) {
    if (locale !== "zh-CN") {
      await inWeChat.evaluate((l) => localStorage.setItem("kapok.locale", l), locale);
      await inWeChat.reload();
    }
    const t = strings[locale];
    const list = inWeChat.getByRole("list", { name: t.sessions.list_label });
    const mine = list.getByRole("listitem").filter({ hasText: here });
    await expect(mine).toContainText(t.sessions.this_device);
    const other = list.getByRole("listitem").filter({ hasText: there });
    await expect(other).toHaveCount(1);
    // The button to end it names it the same way.
    const end = t.sessions.end_label.replace("{{ device }}", there);
    await expect(other.getByRole("button", { name: end })).toBeVisible();
    const makers = list.getByRole("listitem").filter({ hasText: maker });
    await expect(makers).toHaveCount(1);
    await expect(makers.getByRole("button", { name: t.sessions.end_label.replace("{{ device }}", maker) })).toBeVisible();
    // None is named for the engine inside.
    await expect(mine).not.toContainText("Safari");
    await expect(other).not.toContainText("Webview");
    await expect(makers).not.toContainText("Chrome");
  }
  for (const p of [inWeChat, inWeCom, inHuawei]) await p.context().close();
});
