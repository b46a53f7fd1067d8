// The shell's layout on a phone: the page scrolls above the tab bar, so the bar never covers a
// control (WCAG 2.5.8) or whatever has keyboard focus (WCAG 2.4.11), and each new page opens
// at its top.
import { type Locator, type Page } from "@playwright/test";
import { expect, test } from "../support/test";
import { LOCALES, open, rememberElderlyMode, signIn, strings, type Strings } from "../support/kapok";

/// The controls on the page that the tab bar overlaps at the current scroll position.
async function coveredControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bar = document.querySelector("nav.kp-tab-bar")!.getBoundingClientRect();
    // What of a control can be seen: the part inside the page's box and inside the window.
    const box = document.querySelector(".kp-shell__page")!.getBoundingClientRect();
    const covered: string[] = [];
    for (const el of document.querySelectorAll("main a, main button, main summary, main input, main select, main textarea")) {
      const r = el.getBoundingClientRect();
      const top = Math.max(r.top, box.top, 0);
      const bottom = Math.min(r.bottom, box.bottom, window.innerHeight);
      if (r.width === 0 || bottom <= top) continue;
      const overlap = Math.min(bottom, bar.bottom) - Math.max(top, bar.top);
      if (overlap > 0) covered.push(`${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 30)}" by ${overlap.toFixed(1)} px`);
    }
    return covered;
  });
}

for (const elderly of [false, true]) {
  test(`the tab bar covers no control anywhere on the ID card page (${elderly ? "elderly" : "standard"} mode)`, async ({ page }) => {
    if (elderly) await rememberElderlyMode(page);
    await signIn(page, "resident");
    await open(page, "/resident/wallet/lic-resident-id");
    await expect(page.getByRole("status").filter({ hasText: strings["zh-CN"].loading })).toHaveCount(0);
    const scroller = page.locator(".kp-shell__page");
    const { scrollHeight, clientHeight } = await scroller.evaluate((el) => ({ scrollHeight: el.scrollHeight, clientHeight: el.clientHeight }));
    expect(scrollHeight, "the page is long enough to scroll under the bar").toBeGreaterThan(clientHeight);
    for (let top = 0; top <= scrollHeight; top += 40) {
      await scroller.evaluate((el, y) => (el.scrollTop = y), top);
      await page.mouse.wheel(0, 0);
      expect(await coveredControls(page), `scrolled to ${top} px`).toEqual([]);
    }
    // The window itself never scrolls: the tab bar stays in view and the page moves above it.
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await expect(page.locator("nav.kp-tab-bar")).toBeInViewport({ ratio: 1 });
  });
}

test("keyboard focus is never behind the tab bar", async ({ page }) => {
  await rememberElderlyMode(page);
  await signIn(page, "resident");
  await open(page, "/resident/services");
  await expect(page.getByRole("status").filter({ hasText: strings["zh-CN"].loading })).toHaveCount(0);
  const bar = (await page.locator("nav.kp-tab-bar").boundingBox())!;
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement!;
      const r = el.getBoundingClientRect();
      return { inBar: !!el.closest("nav.kp-tab-bar"), top: r.top, bottom: r.bottom, text: (el.textContent ?? "").trim().slice(0, 30) };
    });
    if (focused.inBar) break;
    expect(focused.bottom, `"${focused.text}" is above the tab bar`).toBeLessThanOrEqual(bar.y + 0.5);
    expect(focused.top, `"${focused.text}" is on screen`).toBeGreaterThanOrEqual(0);
  }
});

test("a new page opens at its top, not where the last one was scrolled to", async ({ page }) => {
  await rememberElderlyMode(page);
  await signIn(page, "resident");
  await open(page, "/resident/services");
  await expect(page.getByRole("status").filter({ hasText: strings["zh-CN"].loading })).toHaveCount(0);
  const scroller = page.locator(".kp-shell__page");
  await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
  expect(await scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
  await page.getByRole("navigation").getByRole("link", { name: strings["zh-CN"].tabs.me }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(strings["zh-CN"].me.title);
  expect(await scroller.evaluate((el) => el.scrollTop)).toBe(0);
});

/// The text of each element `elements` matches, the lines it is drawn on, and its font size,
/// once the first of them shows.
async function drawnLines(elements: Locator): Promise<{ text: string; lines: number; size: number }[]> {
  await expect(elements.first()).toBeVisible();
  return elements.evaluateAll((els) =>
    els.map((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return {
        text: (el.textContent ?? "").trim(),
        lines: new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size,
        size: parseFloat(getComputedStyle(el).fontSize),
      };
    }),
  );
}

/// Each tab label's words and the lines they are drawn on: a label broken inside a word is
/// drawn on more lines than it has words.
async function tabLabelLines(page: Page): Promise<{ label: string; words: number; lines: number }[]> {
  const labels = await drawnLines(page.locator("nav.kp-tab-bar .kp-tab-bar__link > span:first-of-type"));
  return labels.map(({ text, lines }) => ({ label: text, words: text.split(/\s+/).length, lines }));
}

// At the elderly size the short tabs lend their room to the long labels, down to 60 px each: on
// a 320 px phone that is room for "Services" and no more, so the English enterprise tabs say
// "Wallet" and "Access" ("Licences" and "Authority" were drawn as "Licenc / es" and "Author / ity").
for (const width of [320, 360, 390]) {
  for (const [username, home] of [["resident", "/resident"], ["staff", "/enterprise"], ["official", "/official"]]) {
    test(`no English tab label is broken inside a word on a ${width} px phone in elderly mode (${username})`, async ({ page }) => {
      await page.setViewportSize({ width, height: 780 });
      await rememberElderlyMode(page);
      await page.addInitScript(() => localStorage.setItem("kapok.locale", "en"));
      await signIn(page, username);
      await open(page, home);
      // With each tab open in turn: the open one is marked, and its label must still fit.
      for (let i = 0; i < 5; i++) {
        const tab = page.locator("nav.kp-tab-bar a").nth(i);
        await tab.click();
        await expect(tab).toHaveAttribute("aria-current", "page");
        const labels = await tabLabelLines(page);
        expect(labels).toHaveLength(5);
        for (const { label, words, lines } of labels) {
          expect(lines, `"${label}" is drawn on ${lines} lines with tab ${i + 1} open`).toBeLessThanOrEqual(words);
        }
      }
      // Every tab is still a big enough target for elderly mode (60 × 60).
      for (const tab of await page.locator("nav.kp-tab-bar a").all()) {
        const box = (await tab.boundingBox())!;
        expect(box.width).toBeGreaterThanOrEqual(60);
        expect(box.height).toBeGreaterThanOrEqual(60);
      }
    });
  }
}

// An ID number read off the screen at a counter must not be broken in two: on a 320 px phone
// in elderly mode it is drawn a little smaller instead, and in standard mode as it always is.
test("an ID number stays on one line on a 320 px phone in elderly mode, in the wallet, on the card and in a form", async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 700 });
  await rememberElderlyMode(page);
  await signIn(page, "resident");
  const linesOf = async (selector: string) =>
    (await drawnLines(page.locator(selector).filter({ hasText: "4401**********2324" }).first()))[0];
  await open(page, "/resident/wallet");
  const inList = await linesOf(".kp-licence__number");
  expect(inList.lines).toBe(1);
  expect(inList.size).toBeGreaterThanOrEqual(18);
  await open(page, "/resident/wallet/lic-resident-id");
  const onCard = await linesOf("dd.kp-code");
  expect(onCard.lines).toBe(1);
  expect(onCard.size).toBeGreaterThanOrEqual(18);
  // And in a form that reuses the card, beside its radio button, with less room.
  await open(page, "/resident/services/driving_licence_renewal");
  const inForm = await linesOf(".kp-check .kp-code");
  expect(inForm.lines).toBe(1);
  expect(inForm.size).toBeGreaterThanOrEqual(18);
});

// A demo account's username is one word to type: on a 320 px phone in elderly mode it is not
// broken at its hyphen ("legal-" over "rep"), in any of the three languages.
for (const locale of LOCALES) {
  test(`demo usernames stay whole on a 320 px phone in elderly mode (${locale})`, async ({ page }) => {
    await page.setViewportSize({ width: 320, height: 700 });
    await rememberElderlyMode(page);
    await page.addInitScript((l) => localStorage.setItem("kapok.locale", l), locale);
    await open(page, "/");
    const drawn = await drawnLines(page.locator(".kp-demo-account__username"));
    expect(drawn.map((d) => d.text)).toContain("legal-rep");
    for (const { text, lines } of drawn) expect(lines, `${text} is drawn on ${lines} lines`).toBe(1);
  });
}

// The elderly-mode switch's words keep the card's width on a small phone: where they would be
// squeezed beside the track to a word a line, the track goes below them. On a wider phone it
// stays beside them.
for (const [width, locale, elderly, beside] of [[320, "en", true, false], [390, "zh-CN", false, true]] as const) {
  test(`the elderly-mode switch reads as lines, not a word a line (${width} px, ${locale}, ${elderly ? "elderly" : "standard"})`, async ({ page }) => {
    await page.setViewportSize({ width, height: 700 });
    if (elderly) await rememberElderlyMode(page);
    await page.addInitScript((l) => localStorage.setItem("kapok.locale", l), locale);
    await open(page, "/");
    const toggle = page.getByRole("switch");
    const [description] = await drawnLines(toggle.locator(".kp-switch__description"));
    expect(description.lines).toBeLessThanOrEqual(3);
    const below = await toggle.evaluate((el) => {
      const words = el.querySelector(".kp-switch__text")!.getBoundingClientRect();
      const track = el.querySelector(".kp-switch__track")!.getBoundingClientRect();
      return track.top >= words.bottom;
    });
    expect(below).toBe(!beside);
  });
}

// The unread count on the messages tab is one pill on one line, above the label, whatever its
// digits: "13" drawn as "1" over "3" covered the tab's name.
for (const [width, elderly] of [[320, true], [360, true], [320, false]] as const) {
  test(`a two- or three-digit unread count covers no tab label (${width} px, ${elderly ? "elderly" : "standard"})`, async ({ page }) => {
    await page.setViewportSize({ width, height: 700 });
    if (elderly) await rememberElderlyMode(page);
    await page.addInitScript(() => localStorage.setItem("kapok.locale", "en"));
    await signIn(page, "legal-rep");
    for (const unread of [13, 120]) {
      await page.route("**/api/v1/notifications", (route) => route.fulfill({ json: { unread, items: [] } }));
      await open(page, "/enterprise/me");
      const badge = page.locator("nav.kp-tab-bar .kp-tab-bar__badge");
      await expect(badge).toHaveText(unread > 99 ? "99+" : String(unread));
      const drawn = await badge.evaluate((el) => {
        const label = el.parentElement!.querySelector("span:not(.kp-tab-bar__badge):not(.kp-visually-hidden)")!.getBoundingClientRect();
        const pill = el.getBoundingClientRect();
        return { lines: Math.round(pill.height / parseFloat(getComputedStyle(el).lineHeight)), overLabel: pill.bottom > label.top };
      });
      expect(drawn).toEqual({ lines: 1, overLabel: false });
      await page.unroute("**/api/v1/notifications");
    }
  });
}

// At the counter on a small phone in large text, the result of a check comes below the form,
// off the screen: it is brought into view, so the official sees that something happened.
test("the result of a check comes into view on a 320 px phone in elderly mode", async ({ page, browser, baseURL }) => {
  const holder = await (await browser.newContext({ baseURL })).newPage();
  await signIn(holder, "resident");
  const issued = await holder.request.post("/api/v1/wallet/lic-resident-id/presentations", {
    headers: { Origin: new URL(baseURL!).origin },
    data: { count: 1 },
  });
  const code: string = (await issued.json())[0].token;
  await holder.context().close();

  const en = strings.en;
  await page.setViewportSize({ width: 320, height: 640 });
  await rememberElderlyMode(page);
  await page.addInitScript(() => localStorage.setItem("kapok.locale", "en"));
  await signIn(page, "official");
  await open(page, "/official/verify");
  await page.getByLabel(en.verify.token_label, { exact: true }).fill(code);
  await page.getByLabel(en.verify.token_label, { exact: true }).press("Enter");
  await expect(page.getByRole("heading", { name: en.verify.valid_title })).toBeInViewport();
});

// A summary the app lays out itself still shows it opens: a triangle, turned when open.
test("the show-as-text line on the ID card shows it can be opened, and that it is open", async ({ page }) => {
  await signIn(page, "resident");
  await open(page, "/resident/wallet/lic-resident-id");
  await expect(page.getByTestId("licence-token")).toHaveText(/^KP1:/);
  const summary = page.locator(".kp-details summary");
  const marker = () =>
    summary.evaluate((el) => {
      const before = getComputedStyle(el, "::before");
      return { drawn: parseFloat(before.borderLeftWidth) > 0 && before.content !== "none", turned: before.transform !== "none" };
    });
  expect(await marker()).toEqual({ drawn: true, turned: false });
  await summary.click();
  expect(await marker()).toEqual({ drawn: true, turned: true });
});

// An icon is a second way to tell tabs apart (and the only one for someone who cannot read the
// label's script): no two tabs of a bar draw the same one.
for (const [username, home] of [["resident", "/resident"], ["staff", "/enterprise"], ["official", "/official"]]) {
  test(`each tab of the ${username} bar has an icon of its own`, async ({ page }) => {
    await signIn(page, username);
    await open(page, home);
    const icons = await page.locator("nav.kp-tab-bar a svg").evaluateAll((svgs) => svgs.map((svg) => svg.innerHTML));
    expect(icons).toHaveLength(5);
    expect(new Set(icons).size).toBe(5);
  });
}

test("a page the browser opens starts at its top, and a page reached by a link starts at its content", async ({ page }) => {
  const s = strings["zh-CN"];
  await signIn(page, "resident");
  // Opened by the browser (typed, reloaded, a link from a chat app): the first Tab reaches the
  // skip link, as on any web page, and then the top bar.
  await open(page, "/resident/wallet/lic-resident-id");
  expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: s.skip_link })).toBeFocused();
  await page.keyboard.press("Tab");
  const back = page.getByRole("link", { name: s.back });
  await expect(back).toBeFocused();
  // Reached by a link that goes away with its page: focus is not lost at the document's end,
  // it moves to the new page's main content.
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/resident\/wallet$/);
  await expect(page.locator("main#main")).toBeFocused();
});

/** The wallet filters' boxes: where each sits, its size, and whether its text spills out. */
async function filterBoxes(page: Page, s: Strings) {
  const options = page.getByRole("group", { name: s.wallet.filter_legend }).locator("label");
  await expect(options).toHaveCount(4);
  return options.evaluateAll((labels) =>
    labels.map((label) => {
      const r = label.getBoundingClientRect();
      // The text's own width, against the room the box leaves it.
      const overflows = label.scrollWidth > label.clientWidth + 1;
      const radio = Math.round(label.querySelector("input")!.getBoundingClientRect().width);
      return { x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width), height: Math.round(r.height), overflows, radio };
    }),
  );
}

type FilterBox = Awaited<ReturnType<typeof filterBoxes>>[number];

/** Two rows of two, each option as wide as the others and as tall as the one beside it. */
function expectTwoEvenRows(boxes: FilterBox[]) {
  expect(boxes[0].y).toBe(boxes[1].y);
  expect(boxes[2].y).toBe(boxes[3].y);
  expect(boxes[2].y).toBeGreaterThan(boxes[0].y);
  expect(new Set(boxes.map((b) => b.x)).size).toBe(2);
  expect(new Set(boxes.map((b) => b.width)).size).toBe(1);
  expect(boxes[0].height).toBe(boxes[1].height);
  expect(boxes[2].height).toBe(boxes[3].height);
}

/** A row each, one under the other, all as wide. */
function expectARowEach(boxes: FilterBox[]) {
  for (let i = 1; i < boxes.length; i++) expect(boxes[i].y).toBeGreaterThan(boxes[i - 1].y);
  expect(new Set(boxes.map((b) => b.x)).size).toBe(1);
  expect(new Set(boxes.map((b) => b.width)).size).toBe(1);
}

function expectInside(boxes: FilterBox[]) {
  expect(boxes.filter((b) => b.overflows)).toEqual([]);
  // A label that wraps keeps its radio button whole.
  expect(new Set(boxes.map((b) => b.radio)).size).toBe(1);
}

for (const locale of ["zh-CN", "zh-HK", "en"] as const) {
  for (const elderly of [false, true]) {
    test(`the wallet's four filters sit in two even rows, each option's text inside its box (${locale}, ${elderly ? "elderly" : "standard"})`, async ({ page }) => {
      await page.addInitScript((l) => localStorage.setItem("kapok.locale", l), locale);
      if (elderly) await rememberElderlyMode(page);
      await signIn(page, "resident");
      await open(page, "/resident/wallet");
      const boxes = await filterBoxes(page, strings[locale]);
      // Two rows of two: not three and one, nor a row for each longer option.
      expectTwoEvenRows(boxes);
      expectInside(boxes);
    });
  }
}

test("on the narrowest phone, where an English word does not fit half the width in elderly mode, every filter takes a row, not just that one; the rows follow the text size as it changes", async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 700 });
  await page.addInitScript(() => localStorage.setItem("kapok.locale", "en"));
  await signIn(page, "resident");
  await open(page, "/resident/wallet");
  const s = strings.en;
  // Standard text: two rows of two, as on a wider phone.
  let boxes = await filterBoxes(page, s);
  expectTwoEvenRows(boxes);
  expectInside(boxes);

  // Elderly mode, switched on the me page: "Expiring" no longer fits beside another option.
  await page.getByRole("link", { name: s.tabs.me, exact: true }).click();
  await page.getByRole("switch", { name: s.elderly.label }).click();
  await page.getByRole("link", { name: s.tabs.wallet }).click();
  await expect(page).toHaveURL(/\/resident\/wallet$/);
  boxes = await filterBoxes(page, s);
  expectARowEach(boxes);
  expectInside(boxes);

  // The same page, left open while the phone turns: wide enough again, two rows of two.
  await page.setViewportSize({ width: 600, height: 700 });
  await expect.poll(async () => new Set((await filterBoxes(page, s)).map((b) => b.y)).size).toBe(2);
  boxes = await filterBoxes(page, s);
  expectTwoEvenRows(boxes);
  expectInside(boxes);
  await page.setViewportSize({ width: 320, height: 700 });
  await expect.poll(async () => new Set((await filterBoxes(page, s)).map((b) => b.y)).size).toBe(4);
  expectARowEach(await filterBoxes(page, s));
});

for (const elderly of [false, true]) {
  test(`with the phone's text at twice its size, the wallet's filters stay inside their boxes and the screen (en, ${elderly ? "elderly" : "standard"})`, async ({ page }) => {
    // The browser's own text size setting, as a phone's accessibility settings change it.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Page.setFontSizes", { fontSizes: { standard: 32 } });
    await page.addInitScript(() => localStorage.setItem("kapok.locale", "en"));
    if (elderly) await rememberElderlyMode(page);
    await signIn(page, "resident");
    await open(page, "/resident/wallet");
    const s = strings.en;
    const options = page.getByRole("group", { name: s.wallet.filter_legend }).locator("label");
    await expect(options).toHaveCount(4);
    expect(await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize))).toBeGreaterThanOrEqual(32);
    const boxes = await options.evaluateAll((labels) =>
      labels.map((label) => ({ right: label.getBoundingClientRect().right, overflows: label.scrollWidth > label.clientWidth + 1 })),
    );
    expect(boxes.filter((b) => b.overflows)).toEqual([]);
    for (const b of boxes) expect(b.right).toBeLessThanOrEqual(390);
  });
}
