// Elderly mode and accessibility beyond axe: text size steps, read-aloud, keyboard only.
import { type Page } from "@playwright/test";
import { expect, test } from "../support/test";
import { askThroughApi } from "../support/delegation";
import { LOCALES, type Persona, bodyFontSize, fill, heading, open, rememberElderlyMode, signIn, strings } from "../support/kapok";

const s = strings["zh-CN"];

test("the text size control grows the text in three steps, in both modes, and is remembered", async ({ page }) => {
  await signIn(page, "resident");
  await open(page, "/resident/me");
  const standard = await bodyFontSize(page);
  await page.getByRole("radio", { name: s.text_size.larger, exact: true }).check();
  const larger = await bodyFontSize(page);
  await page.getByRole("radio", { name: s.text_size.largest, exact: true }).check();
  const largest = await bodyFontSize(page);
  expect(larger).toBeGreaterThan(standard);
  expect(largest).toBeGreaterThan(larger);
  await page.reload();
  await expect(page.getByRole("radio", { name: s.text_size.largest, exact: true })).toBeChecked();
  expect(await bodyFontSize(page)).toBe(largest);
  // Elderly mode starts at 22 px; the steps still grow from there.
  await page.getByRole("switch", { name: s.elderly.label }).click();
  expect(await bodyFontSize(page)).toBeGreaterThanOrEqual(30);
});

/** Records what the page asks the device to say (each utterance's text and language), in a
 * page opened in `locale`. */
async function recordSpeech(page: Page, locale: string) {
  await page.addInitScript((l) => {
    const spoken: { text: string; lang: string }[] = [];
    (window as unknown as { spoken: typeof spoken }).spoken = spoken;
    const speak = speechSynthesis.speak.bind(speechSynthesis);
    speechSynthesis.speak = (u: SpeechSynthesisUtterance) => {
      spoken.push({ text: u.text, lang: u.lang });
      speak(u);
    };
    localStorage.setItem("kapok.locale", l);
  }, locale);
}

function spokenSoFar(page: Page) {
  return page.evaluate(() => (window as unknown as { spoken: { text: string; lang: string }[] }).spoken);
}

test("read-aloud's buttons keep keyboard focus: each press lands on the first button of what comes next", async ({ page }) => {
  // A voice that goes on until told to stop, as a long page read aloud does.
  await page.addInitScript(() => {
    speechSynthesis.speak = () => {};
    speechSynthesis.pause = () => {};
    speechSynthesis.resume = () => {};
    speechSynthesis.cancel = () => {};
  });
  await open(page, "/");
  const button = (name: string) => page.getByRole("button", { name, exact: true });
  await button(s.read_aloud.start).focus();
  await page.keyboard.press("Enter");
  await expect(button(s.read_aloud.pause)).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(button(s.read_aloud.resume)).toBeFocused();
  // Tab goes on to "stop", beside it, not from the top of the page.
  await page.keyboard.press("Tab");
  await expect(button(s.read_aloud.stop)).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(button(s.read_aloud.start)).toBeFocused();
});

test("read-aloud reads the page's text in the page's language, only when asked", async ({ page }) => {
  await recordSpeech(page, "zh-HK");
  const hk = strings["zh-HK"];
  await signIn(page, "resident");
  await open(page, "/resident/wallet");
  await expect(page.getByRole("status").filter({ hasText: hk.loading })).toHaveCount(0);
  // Nothing is read until the person asks.
  expect(await spokenSoFar(page)).toHaveLength(0);
  await page.getByRole("button", { name: hk.read_aloud.start }).click();
  const spoken = await spokenSoFar(page);
  const all = spoken.map((u) => u.text).join(" ");
  expect(spoken[0].lang).toBe("zh-HK");
  expect(spoken[0].text).toContain(hk.licence_type.resident_id_card);
  // The controls themselves are not read out.
  expect(all).not.toContain(hk.read_aloud.start);
  // Blocks are not run together: the page's heading and each licence's name end where their
  // line ends, so the voice pauses there.
  expect(spoken[0].text).toContain(`${hk.wallet.title}。`);
  expect(all).not.toMatch(new RegExp(`${hk.licence_type.resident_id_card}[^\\s。，：；]`));
  // Masked numbers are on the page; their hidden digits are named once, not read star by star.
  await expect(page.getByRole("main")).toContainText("**");
  expect(all).not.toContain("*");
  expect(all).toContain(hk.read_aloud.hidden);
  // Her name on her mainland licences is written in Simplified Chinese and marked so: it is
  // read apart, in Mandarin; everything else in the page's Cantonese. (Whatever else the page
  // marks so is read the same way: her mother's name, while another test has her mother's
  // grant standing.)
  const name = spoken.filter((u) => u.text.includes("陈嘉欣"));
  expect(name.length).toBeGreaterThan(0);
  for (const u of name) expect(u).toEqual({ text: "陈嘉欣", lang: "zh-CN" });
  const marked = new Set(await page.locator('main [lang="zh-CN"]').allTextContents());
  for (const u of spoken) expect(u.lang === "zh-CN" ? marked.has(u.text) : u.lang === "zh-HK", JSON.stringify(u)).toBe(true);
});

test("on an English page, read-aloud reads a licence's Chinese values in Chinese", async ({
  page,
  browser,
  baseURL,
}) => {
  await recordSpeech(page, "en");
  const en = strings.en;
  await signIn(page, "resident");
  await open(page, "/resident/wallet/lic-resident-id");
  await expect(page.getByRole("main")).toContainText("广州市公安局");
  // An official at a counter with a Chinese name checks her code, so her list of checks names him.
  await expect(page.getByTestId("licence-token")).toHaveText(/^KP1:/);
  const code = (await page.getByTestId("licence-token").textContent()) ?? "";
  const official = await (await browser.newContext({ baseURL })).newPage();
  await signIn(official, "official");
  const checked = await official.request.post("/api/v1/verify", {
    headers: { Origin: new URL(baseURL!).origin },
    data: { token: code, place: "越秀区政务服务中心 8 号窗口" },
  });
  expect(checked.ok()).toBe(true);
  await official.context().close();
  await page.getByRole("button", { name: en.wallet.seen_refresh }).click();
  await expect(page.getByRole("main")).toContainText("越秀区政务服务中心 8 号窗口");
  await page.getByRole("button", { name: en.read_aloud.start }).click();
  const spoken = await spokenSoFar(page);
  expect(spoken[0].lang).toBe("en-GB");
  expect(spoken[0].text).toContain(en.licence_type.resident_id_card);
  const said = (text: string) => spoken.find((u) => u.text.includes(text));
  expect(said("陈嘉欣")?.lang).toBe("zh-CN");
  expect(said("广州市公安局")?.lang).toBe("zh-CN");
  expect(said(en.field.name)?.lang).toBe("en-GB");
  expect(said("越秀区政务服务中心 8 号窗口")?.lang).toBe("zh");
  expect(said("王丽华")?.lang).toBe("zh");
  // No Chinese is left to the English voice: not the ticking watermark with her name (hidden
  // from screen readers too), nor an official's name or a counter's place among the checks.
  for (const u of spoken.filter((u) => u.lang === "en-GB")) expect(u.text).not.toMatch(/[\u4e00-\u9fff]/);
  expect(spoken.every((u) => !u.text.startsWith("."))).toBe(true);
});

test("keyboard only: sign in, open the wallet and reach the live code, with focus always visible", async ({ page }) => {
  await open(page, "/");
  const focusVisible = async () => {
    const outline = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      // Tabbing past the last element leaves the page for the browser's own controls.
      if (!el || el === document.body) return { width: Infinity, tag: "body" };
      const style = getComputedStyle(el);
      const width = style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth);
      return { width, tag: el.tagName };
    });
    expect(outline.width, `focus on ${outline.tag} is visible (${page.url()})`).toBeGreaterThanOrEqual(2);
  };
  /** Tabs until the focused element matches, checking focus is visible at every stop. */
  const tabTo = async (matches: () => Promise<boolean>) => {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab");
      await focusVisible();
      if (await matches()) return;
    }
    throw new Error("never reached by Tab");
  };
  const focusedIs = (name: string) => async () =>
    page.evaluate((n) => {
      const el = document.activeElement as HTMLElement | null;
      const label = el?.getAttribute("aria-label") ?? el?.textContent ?? "";
      const labelled = el?.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent ?? "" : "";
      return label.trim().includes(n) || labelled.trim() === n;
    }, name);

  await tabTo(focusedIs(s.sign_in.username));
  await page.keyboard.type("resident");
  await tabTo(focusedIs(s.sign_in.password));
  await page.keyboard.type("kapok-demo");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/resident$/);

  await tabTo(focusedIs(s.tabs.wallet));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/resident\/wallet$/);
  await tabTo(async () => page.evaluate(() => (document.activeElement?.getAttribute("href") ?? "").endsWith("/lic-resident-id")));
  await page.keyboard.press("Enter");
  await expect(page.getByRole("img", { name: fill(s.wallet.qr_label, { licence: s.licence_type.resident_id_card }) }).locator("svg")).toBeVisible();
});

test("the elderly home has four large tiles, each saying what it is for, and 'show my ID code' opens the live code in one tap", async ({ page }) => {
  // The elder's account asks for elderly mode.
  await signIn(page, "elder");
  const tiles = page.getByRole("main").getByRole("listitem").getByRole("link");
  await expect(tiles).toHaveCount(4);
  const said = [
    [s.home.show_id_code, s.home.show_id_code_hint],
    [s.home.my_licences, s.home.my_licences_hint],
    [s.home.my_applications, s.home.my_applications_hint],
    [s.home.call_help, s.home.call_help_hint],
  ];
  for (const [i, [label, hint]] of said.entries()) {
    await expect(tiles.nth(i).locator(".kp-tile__label")).toHaveText(label);
    await expect(tiles.nth(i).locator(".kp-tile__hint")).toHaveText(hint);
  }
  await expect(tiles.nth(3)).toHaveAttribute("href", "tel:12345");
  await expect(tiles.nth(3)).toContainText(s.home.call_help);
  await tiles.nth(0).click();
  await expect(page).toHaveURL(/\/resident\/wallet\/lic-elder-id$/);
  await expect(page.getByRole("img", { name: fill(s.wallet.qr_label, { licence: s.licence_type.resident_id_card }) }).locator("svg")).toBeVisible();
  // The phone's Back button leads home again, not to a page that reopens the card.
  await page.goBack();
  await expect(page).toHaveURL(/\/resident$/);
  await expect(tiles).toHaveCount(4);
});

test("an elder's home says a family member asks for her authority, and leads there in one tap", async ({ browser, baseURL, page }) => {
  // Her daughter asks.
  await askThroughApi(browser, baseURL, "resident", {
    kind: "family",
    principal: "elder",
    scopes: ["present_licences"],
    note: "妈，我帮你出示证件",
  });

  // Her elderly home has no family tile; the notice is the way there.
  await signIn(page, "elder");
  const review = page.getByRole("status").getByRole("link", { name: s.home.review });
  await expect(review).toBeVisible();
  await review.click();
  await expect(await heading(page)).toHaveText(s.home.family);
});

const SHELLS: [string, Persona][] = [
  ["elder", "resident"],
  ["legal-rep", "enterprise"],
  ["official", "official"],
];

test("every shell's elderly home is a few large tiles, the last one a call for help", async ({ page }) => {
  await rememberElderlyMode(page);
  for (const [username, persona] of SHELLS) {
    await signIn(page, username);
    await expect(page).toHaveURL(new RegExp(`/${persona}$`));
    const main = page.getByRole("main");
    const tiles = main.getByRole("listitem").getByRole("link");
    const count = await tiles.count();
    expect(count, `${persona} home tiles`).toBeGreaterThanOrEqual(3);
    expect(count, `${persona} home tiles`).toBeLessThanOrEqual(4);
    await expect(tiles.last()).toHaveAttribute("href", "tel:12345");
    // Only tiles: no cards of details on the simplified home.
    await expect(main.locator("dl")).toHaveCount(0);
    await page.context().clearCookies();
  }
});

test("in elderly mode every page says in words which shell it belongs to, not by colour alone", async ({ browser, baseURL }) => {
  for (const locale of LOCALES) {
    const t = strings[locale];
    const banners: string[] = [];
    for (const [username, persona] of SHELLS) {
      const context = await browser.newContext({ baseURL });
      const page = await context.newPage();
      await page.addInitScript((l) => {
        localStorage.setItem("kapok.locale", l);
        localStorage.setItem("kapok.mode", "elderly");
      }, locale);
      await signIn(page, username);
      // "Me" is titled the same in every shell; the bar still says whose it is.
      await open(page, `/${persona}/me`);
      const banner = page.getByRole("banner");
      await expect(banner).toContainText(t.shell[persona]);
      await expect(banner).toContainText(t.me.title);
      banners.push((await banner.innerText()).trim());
      await context.close();
    }
    expect(new Set(banners).size, banners.join(" / ")).toBe(3);
  }
});
