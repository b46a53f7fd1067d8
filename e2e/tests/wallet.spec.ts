// The licence wallet: show a live code, have it checked, see who checked it.
import { type Browser, type Page, type TestInfo, chromium } from "@playwright/test";
import { expect, test } from "../support/test";
import { CHROMIUM } from "../support/chromium";
import { fill, heading, open, signIn, strings, waitForServiceWorker } from "../support/kapok";
import { readQr, writeCameraVideo } from "../support/qr";

const s = strings["zh-CN"];
/** A place label of this test's own, so checks from other tests sharing the server never count. */
function uniquePlace() {
  return `天河区政务服务中心 ${Math.floor(Math.random() * 1e9)} 号窗口`;
}

async function openIdCard(page: Page) {
  await page.getByRole("navigation", { name: s.tabs.label }).getByRole("link", { name: s.tabs.wallet }).click();
  // Her own, not one she may see for her mother under a family grant.
  await page.getByRole("link", { name: new RegExp(`${s.licence_type.resident_id_card} 陈嘉欣`) }).click();
  await expect(qrImage(page).locator("svg")).toBeVisible();
  return page.getByTestId("licence-token");
}

function qrImage(page: Page) {
  return page.getByRole("img", { name: fill(s.wallet.qr_label, { licence: s.licence_type.resident_id_card }) });
}

async function verifyAs(
  browser: Browser,
  baseURL: string | undefined,
  username: string | null,
  code: string,
  place: string,
) {
  const context = await browser.newContext({ baseURL, locale: "zh-CN" });
  const page = await context.newPage();
  if (username) {
    await signIn(page, username);
    await open(page, "/official/verify");
  } else {
    await open(page, "/verify");
  }
  await check(page, code, place);
  return page;
}

async function check(page: Page, code: string, place = uniquePlace()) {
  await page.getByLabel(s.verify.token_label, { exact: true }).fill(code);
  await page.getByLabel(s.verify.place_label, { exact: true }).fill(place);
  await page.getByRole("button", { name: s.verify.submit, exact: true }).click();
}

test("a resident's live code renews itself, an official verifies it once, and the resident sees who checked", async ({
  page,
  browser,
  baseURL,
}) => {
  await page.clock.install();
  await signIn(page, "resident");
  const token = await openIdCard(page);
  const first = (await token.textContent()) ?? "";
  expect(first).toMatch(/^KP1:/);
  // The code renews itself before it expires; the countdown says when.
  await expect(page.getByText(fill(s.wallet.qr_countdown, { seconds: "45" }))).toBeVisible();
  // What a scanner reads from the picture is the code.
  const scanned = (await readQr(qrImage(page).locator("svg"))).text;
  expect(scanned).toBe(first);
  await page.clock.fastForward(46_000);
  await expect(token).not.toHaveText(first);
  expect(await token.textContent()).toMatch(/^KP1:/);
  // Only the page's clock jumped; by the real clock the first code is the current one.
  const code = scanned;

  // At the counter, in another browser.
  const place = uniquePlace();
  const official = await verifyAs(browser, baseURL, "official", code, place);
  await expect(official.getByRole("heading", { name: s.verify.valid_title })).toBeVisible();
  await expect(official.getByText("陈嘉欣", { exact: true })).toBeVisible();
  await expect(official.getByText("1991年3月14日")).toBeVisible();
  // What a verifier never sees: the full ID number and the address.
  await expect(official.getByText(/44010619910314232/)).toHaveCount(0);
  await expect(official.getByText(/天河路385号/)).toHaveCount(0);

  // The same official checking it again (the answer lost on the counter's network, or a
  // second look) sees it again: one check, no alarm.
  await official.getByRole("button", { name: s.verify.next }).click();
  await check(official, code, place);
  await expect(official.getByRole("heading", { name: s.verify.valid_title })).toBeVisible();
  await expect(official.getByRole("alert")).toHaveCount(0);
  // Shown at another counter, the same code is a copy.
  const other = await verifyAs(browser, baseURL, "market-official", code, place);
  await expect(other.getByRole("alert")).toContainText(s.errors.token_replayed);
  await expect(other.getByText("陈嘉欣", { exact: true })).toHaveCount(0);

  // The holder sees who checked, where, and the second showing flagged.
  await page.getByRole("button", { name: s.wallet.seen_refresh }).click();
  const checks = page.getByRole("listitem").filter({ hasText: place });
  await expect(checks).toHaveCount(2);
  await expect(checks.filter({ hasText: "王丽华" })).toHaveCount(1);
  await expect(checks.filter({ hasText: s.wallet.seen_replay })).toHaveCount(1);
  await expect(checks.filter({ hasText: s.wallet.seen_replay })).toContainText("黄志明");
});

test("the public verifier needs no account, and the holder sees an anonymous check", async ({ page, browser, baseURL }) => {
  await signIn(page, "resident");
  const token = await openIdCard(page);
  const code = (await token.textContent()) ?? "";
  const place = uniquePlace();
  const verifier = await verifyAs(browser, baseURL, null, code, place);
  await expect(verifier.getByRole("heading", { name: s.verify.valid_title })).toBeVisible();
  await page.getByRole("button", { name: s.wallet.seen_refresh }).click();
  const checks = page.getByRole("listitem").filter({ hasText: place });
  await expect(checks).toHaveCount(1);
  await expect(checks).toContainText(s.wallet.seen_public);
});

test("a result goes as soon as the code is changed or sent again: the last person's 'valid' never stands under the next code", async ({
  page,
  browser,
  baseURL,
}) => {
  await signIn(page, "resident");
  const code = (await (await openIdCard(page)).textContent()) ?? "";
  const official = await verifyAs(browser, baseURL, "official", code, uniquePlace());
  const valid = official.getByRole("heading", { name: s.verify.valid_title });
  await expect(valid).toBeVisible();
  const field = official.getByLabel(s.verify.token_label, { exact: true });
  // The next person's code pasted over the last, without "check the next one".
  await field.fill("KP1:NOT-A-REAL-CODE");
  await expect(valid).toHaveCount(0);
  await expect(official.getByText("陈嘉欣", { exact: true })).toHaveCount(0);
  // The same code sent again, on a slow network: nothing stands while it is checked.
  await field.fill(code);
  let answer: () => void = () => {};
  const held = new Promise<void>((resolve) => (answer = resolve));
  await official.route("**/api/v1/verify", async (route) => {
    await held;
    await route.continue();
  });
  await official.getByRole("button", { name: s.verify.submit, exact: true }).click();
  await expect(official.getByRole("button", { name: s.verify.checking })).toBeDisabled();
  await expect(official.getByRole("alert")).toHaveCount(0);
  await expect(valid).toHaveCount(0);
  answer();
  // Checked again by the official who checked it first: the same result, not a copy.
  await expect(valid).toBeVisible();
  await expect(official.getByRole("alert")).toHaveCount(0);

  // The next person's code pasted while this one is still being checked: the answer, when it
  // comes, is the old code's, and is not shown under the new one.
  await official.unroute("**/api/v1/verify");
  let answerLate: () => void = () => {};
  const heldLate = new Promise<void>((resolve) => (answerLate = resolve));
  await official.route("**/api/v1/verify", async (route) => {
    await heldLate;
    await route.continue();
  });
  await official.getByRole("button", { name: s.verify.submit, exact: true }).click();
  await expect(official.getByRole("button", { name: s.verify.checking })).toBeDisabled();
  await field.fill("KP1:NEXT-PERSONS-CODE");
  const answered = official.waitForResponse("**/api/v1/verify");
  answerLate();
  expect((await answered).status()).toBe(200);
  await expect(official.getByRole("button", { name: s.verify.submit, exact: true })).toBeEnabled();
  await expect(valid).toHaveCount(0);
  await expect(official.getByText("陈嘉欣", { exact: true })).toHaveCount(0);
  await expect(field).toHaveValue("KP1:NEXT-PERSONS-CODE");
  await expect(official.getByRole("button", { name: s.verify.next })).toHaveCount(0);
  await official.context().close();
});

test("the place is kept as written, without what would turn it around, and fits the holder's screen", async ({ page, browser, baseURL }) => {
  await signIn(page, "resident");
  const code = (await (await openIdCard(page)).textContent()) ?? "";
  const mark = `窗口${Math.floor(Math.random() * 1e9)}`;
  // A right-to-left override would show "广州市公安局" for what is stored backwards; a long
  // word has no place to break.
  const verifier = await verifyAs(browser, baseURL, null, code, `${mark} \u202E局安公市州广\u202C ${"W".repeat(120)}`);
  await expect(verifier.getByRole("heading", { name: s.verify.valid_title })).toBeVisible();
  // The field takes no more than the holder is shown.
  expect((await verifier.getByLabel(s.verify.place_label, { exact: true }).inputValue()).length).toBe(80);
  await page.getByRole("button", { name: s.wallet.seen_refresh }).click();
  const check = page.getByRole("listitem").filter({ hasText: `${mark} 局安公市州广 W` });
  await expect(check).toHaveCount(1);
  expect(await check.textContent()).not.toContain("\u202E");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  const box = await check.boundingBox();
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
  await verifier.context().close();
});

test("in an English page a licence's Chinese values are marked as Chinese for screen readers, a Hong Kong card's as Cantonese; its dates are not", async ({
  browser,
  baseURL,
}) => {
  for (const [username, id, chinese, lang] of [
    ["resident", "lic-resident-id", /^女$/, "zh-CN"],
    ["hk-resident", "lic-hk-id", /^陳志偉 CHAN, Chi Wai$/, "zh-HK"],
  ] as const) {
    const page = await (await browser.newContext({ baseURL, locale: "en" })).newPage();
    await page.addInitScript(() => localStorage.setItem("kapok.locale", "en"));
    await signIn(page, username);
    await open(page, `/resident/wallet/${id}`);
    const facts = page.locator(".kp-licence-face dd");
    await expect(facts.filter({ hasText: chinese })).toHaveAttribute("lang", lang);
    // The issuing authority too; the birth date is written in English, and is not.
    await expect(facts.last()).toHaveAttribute("lang", lang);
    const birth = facts.filter({ hasText: /^\d{1,2} \w+ \d{4}$/ }).first();
    await expect(birth).toBeVisible();
    expect(await birth.getAttribute("lang")).toBeNull();
    await page.context().close();
  }
});

test("an altered or made-up code is not accepted", async ({ page }) => {
  await signIn(page, "resident");
  const code = (await (await openIdCard(page)).textContent()) ?? "";
  const altered = code.slice(0, 40) + (code[40] === "A" ? "B" : "A") + code.slice(41);
  await open(page, "/verify");
  await check(page, altered);
  await expect(page.getByRole("heading", { name: s.verify.invalid_title })).toBeVisible();
  await page.getByRole("button", { name: s.verify.next }).click();
  // Text that is no code at all is refused on the phone, without asking the server.
  const asked: string[] = [];
  page.on("request", (r) => {
    if (r.url().endsWith("/api/v1/verify")) asked.push(r.url());
  });
  for (const text of ["KP1:NOT-A-REAL-CODE", "KP1:\u0000", "x".repeat(100_000), altered.slice(0, 30)]) {
    await check(page, text);
    await expect(page.getByRole("alert")).toContainText(s.errors.token_malformed);
    await page.getByRole("button", { name: s.verify.next }).click();
  }
  expect(asked).toEqual([]);
});

test("identifiers stay masked until the holder reveals them", async ({ page }) => {
  await signIn(page, "resident");
  await openIdCard(page);
  await expect(page.getByText("440106199103142324")).toHaveCount(0);
  const reveal = page.getByRole("button", { name: s.wallet.reveal });
  await reveal.click();
  await expect(page.getByText("440106199103142324")).toBeVisible();
  await page.getByRole("button", { name: s.wallet.conceal }).click();
  await expect(page.getByText("440106199103142324")).toHaveCount(0);
});

test("the wallet filters by status, and an expired licence shows no code", async ({ page }) => {
  await signIn(page, "elder");
  await open(page, "/resident/wallet");
  await page.getByRole("radio", { name: s.licence_status.expired }).check();
  const list = page.getByRole("list", { name: s.wallet.list_label });
  await expect(list.getByRole("link")).toHaveCount(1);
  await list.getByRole("link", { name: new RegExp(s.licence_type.driving_licence) }).click();
  await expect(await heading(page)).toHaveText(s.licence_type.driving_licence);
  await expect(page.getByText(s.wallet.cannot_show_expired)).toBeVisible();
  await expect(page.getByRole("img", { name: /二维码/ })).toHaveCount(0);
  // It says why, and leads to renewing it, with this licence already chosen.
  await page.getByRole("link", { name: s.wallet.renew }).click();
  await expect(page).toHaveURL(/\/resident\/services\/driving_licence_renewal$/);
  await expect(page.getByRole("group", { name: s.form.licence }).getByRole("radio")).toBeChecked();

  // A status none of her licences has is not "no licences yet"; all of them are one tap away.
  await open(page, "/resident/wallet");
  await expect(list.getByRole("link")).toHaveCount(3);
  await page.getByRole("radio", { name: s.licence_status.expiring }).check();
  await expect(page.getByRole("heading", { name: s.wallet.filter_empty_title })).toBeVisible();
  await expect(page.getByText(fill(s.wallet.filter_empty, { status: s.licence_status.expiring }))).toBeVisible();
  await expect(page.getByText(s.wallet.empty_title)).toHaveCount(0);
  // From the keyboard: the button goes with the empty list, and focus stays on the filter it
  // changed rather than falling to the top of the page.
  await page.getByRole("button", { name: s.wallet.filter_show_all }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("radio", { name: s.wallet.filter_all })).toBeChecked();
  await expect(page.getByRole("radio", { name: s.wallet.filter_all })).toBeFocused();
  await expect(list.getByRole("link")).toHaveCount(3);
});

test("the company wallet is the legal representative's; staff without authority see why it is empty", async ({ page }) => {
  await signIn(page, "legal-rep");
  await open(page, "/enterprise/wallet");
  const list = page.getByRole("list", { name: s.wallet.list_label });
  await expect(list.getByRole("link", { name: new RegExp(s.licence_type.business_licence) })).toBeVisible();
  await expect(list.getByRole("link", { name: new RegExp(s.licence_type.food_business_permit) })).toBeVisible();

  await page.context().clearCookies();
  await signIn(page, "staff");
  await open(page, "/enterprise/wallet");
  await expect(page.getByText(s.wallet.company_empty_message)).toBeVisible();
  await page.getByRole("main").getByRole("link", { name: s.delegation.ask_title }).click();
  await expect(page).toHaveURL(/\/enterprise\/delegation$/);
  await expect(page.getByRole("heading", { name: s.delegation.ask_title })).toBeVisible();
});

/** The resident's live code, and a verifier (a browser of its own, its clock `behindMs`
 * behind) that has opened the verifier page online, which saves the issuer keys on its device. */
async function codeAndVerifierWithSavedKeys(page: Page, browser: Browser, baseURL: string | undefined, behindMs = 0) {
  await signIn(page, "resident");
  const code = (await (await openIdCard(page)).textContent()) ?? "";
  const context = await browser.newContext({ baseURL, locale: "zh-CN" });
  if (behindMs) await context.clock.install({ time: Date.now() - behindMs });
  const verifier = await context.newPage();
  const keysSaved = verifier.waitForResponse((r) => r.url().endsWith("/api/v1/issuer-keys") && r.ok());
  await open(verifier, "/verify");
  await keysSaved;
  return { code, context, verifier };
}

test("with the network gone, the verifier checks a code on the device with the keys it saved", async ({
  page,
  browser,
  baseURL,
}) => {
  const { code, context, verifier } = await codeAndVerifierWithSavedKeys(page, browser, baseURL);
  await context.setOffline(true);

  await check(verifier, code);
  await expect(verifier.getByRole("heading", { name: s.verify.valid_title })).toBeVisible();
  await expect(verifier.getByText("陈嘉欣", { exact: true })).toBeVisible();
  await expect(verifier.getByText(/已离线核验/)).toBeVisible();

  // The same code shown again at this counter, still offline: this phone remembers it.
  await verifier.getByRole("button", { name: s.verify.next }).click();
  await check(verifier, code);
  await expect(verifier.getByRole("alert")).toContainText(s.verify.seen_offline);
  await expect(verifier.getByRole("heading", { name: s.verify.valid_title })).toHaveCount(0);

  // Offline, an altered code is still caught.
  await verifier.getByRole("button", { name: s.verify.next }).click();
  const altered = code.slice(0, 60) + (code[60] === "A" ? "B" : "A") + code.slice(61);
  await check(verifier, altered);
  await expect(verifier.getByRole("heading", { name: s.verify.invalid_title })).toBeVisible();
  await context.close();
});

test("offline, a verifier whose clock is ten minutes behind says the code is not valid yet, not that it expired", async ({
  page,
  browser,
  baseURL,
}) => {
  const { code, context, verifier } = await codeAndVerifierWithSavedKeys(page, browser, baseURL, 10 * 60_000);
  await context.setOffline(true);

  await check(verifier, code);
  await expect(verifier.getByRole("heading", { name: s.verify.invalid_title })).toBeVisible();
  await expect(verifier.getByText(s.errors.token_not_yet_valid)).toBeVisible();
  await expect(verifier.getByText(s.errors.token_expired)).toHaveCount(0);
  await context.close();
});

test("checking with the keyboard keeps focus on the button while the check runs and after it", async ({ page }) => {
  await open(page, "/verify");
  await page.getByLabel(s.verify.token_label, { exact: true }).fill("KP1:NOT-A-CODE");
  const submit = page.getByRole("button", { name: s.verify.submit, exact: true });
  await submit.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: s.verify.invalid_title })).toBeVisible();
  // Not dropped to the top of the page when the button was busy: the next Tab goes on from here.
  expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("BUTTON");
  // "Check the next one" goes with the result; the cursor goes where the next code is pasted.
  await page.getByRole("button", { name: s.verify.next }).focus();
  await page.keyboard.press("Enter");
  const field = page.getByLabel(s.verify.token_label, { exact: true });
  await expect(field).toBeFocused();
  await expect(field).toHaveValue("");
  // Sent empty, the field to fill takes focus, so a screen reader reads its label and the
  // error tied to it; the error goes once there is something to check.
  await submit.focus();
  await page.keyboard.press("Enter");
  await expect(field).toBeFocused();
  await expect(field).toHaveAttribute("aria-invalid", "true");
  await expect(field).toHaveAccessibleDescription(new RegExp(s.verify.empty));
  await page.keyboard.type("KP1:");
  await expect(page.getByText(s.verify.empty)).toHaveCount(0);
  await expect(field).not.toHaveAttribute("aria-invalid", "true");
});

test("offline on a device that never saved keys, the verifier says it cannot check", async ({ browser, baseURL }) => {
  // A real code, which only the issuer's keys can check.
  const holder = await (await browser.newContext({ baseURL })).newPage();
  await signIn(holder, "resident");
  const issued = await holder.request.post("/api/v1/wallet/lic-resident-id/presentations", {
    headers: { Origin: new URL(baseURL!).origin },
    data: { count: 1 },
  });
  const [{ token }] = await issued.json();
  await holder.context().close();

  const context = await browser.newContext({ baseURL, locale: "zh-CN" });
  const verifier = await context.newPage();
  await verifier.route("**/api/v1/issuer-keys", (route) => route.abort());
  await open(verifier, "/verify");
  await context.setOffline(true);
  await check(verifier, token);
  await expect(verifier.getByRole("alert")).toContainText(s.verify.no_keys);
  // Text that is no code at all is said so offline too: that needs no keys.
  await verifier.getByRole("button", { name: s.verify.next }).click();
  await check(verifier, "https://example.com/KP1:ANYTHING");
  await expect(verifier.getByRole("alert")).toContainText(s.errors.token_malformed);
  await context.close();
});

test("with the network cut, a licence opened before still shows a valid code and says until when", async ({ page, context }) => {
  await signIn(page, "resident");
  await openIdCard(page);
  await context.setOffline(true);

  // Back to the list: the device's saved copy, marked as such.
  await page.getByRole("link", { name: s.back }).click();
  await expect(page.getByText(s.wallet.offline_list)).toBeVisible();
  const token = await openIdCard(page);
  await expect(token).toHaveText(/^KP1:/);
  await expect(page.getByText(/离线出示中，码有效至 \d\d:\d\d:\d\d/)).toBeVisible();

  // The saved code is a real one: back online, it verifies.
  const code = (await token.textContent()) ?? "";
  await context.setOffline(false);
  await open(page, "/verify");
  await check(page, code);
  await expect(page.getByRole("heading", { name: s.verify.valid_title })).toBeVisible();
});

test("once the codes saved for offline are used up, the page says so, and offers no empty code to copy", async ({ page, context }) => {
  await page.clock.install();
  await signIn(page, "resident");
  await openIdCard(page);
  await expect(page.getByText(s.wallet.qr_text_label)).toBeVisible();
  // Opened, the code's text is not a live region: each new code is not read out in full.
  await page.getByText(s.wallet.qr_text_label).click();
  await expect(page.getByTestId("licence-token")).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "KP1:" })).toHaveCount(0);
  await context.setOffline(true);
  await page.clock.fastForward("06:00");
  await expect(page.getByRole("alert").filter({ hasText: s.wallet.offline_none })).toBeVisible();
  await expect(qrImage(page)).toHaveCount(0);
  await expect(page.getByText(s.wallet.qr_text_label)).toBeHidden();
});

test("with the server down or too busy, a returning holder still opens her licence and its code from the device", async ({ page }) => {
  await signIn(page, "resident");
  await openIdCard(page);
  await waitForServiceWorker(page);
  const saved = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("kapok.data.")).sort());
  const before = await saved();

  // The city opens the app at once: who-am-I is a 503, the licence a proxy's own 502 page,
  // fresh codes a 429, the wallet list a 500. None of them says the session has ended.
  const answers: Record<string, { status: number; contentType: string; body: string }> = {
    "/api/v1/me": { status: 503, contentType: "application/problem+json", body: JSON.stringify({ type: "about:blank", title: "Unavailable", status: 503, detail: "", code: "internal" }) },
    "/api/v1/wallet/lic-resident-id": { status: 502, contentType: "text/html", body: "<html><body>502 Bad Gateway</body></html>" },
    "/api/v1/wallet/lic-resident-id/presentations": { status: 429, contentType: "text/plain", body: "Too Many Requests" },
    "/api/v1/wallet": { status: 500, contentType: "application/problem+json", body: JSON.stringify({ type: "about:blank", title: "Internal", status: 500, detail: "", code: "internal" }) },
  };
  await page.route("**/api/v1/**", (route) => {
    const answer = answers[new URL(route.request().url()).pathname];
    return answer ? route.fulfill(answer) : route.continue();
  });
  // Only a code that will not last the visit (one, half a minute old), so the page asks for
  // more at once (and hears 429).
  await page.evaluate(() => {
    const key = "kapok.data.codes.lic-resident-id";
    const batch = JSON.parse(localStorage.getItem(key)!);
    batch.presentations = batch.presentations.slice(0, 1);
    batch.received_at -= 30;
    localStorage.setItem(key, JSON.stringify(batch));
  });
  const codesAsked = page.waitForResponse((r) => r.url().endsWith("/presentations"));
  await page.reload();

  await expect(await heading(page)).toHaveText(s.licence_type.resident_id_card);
  await expect(qrImage(page).locator("svg")).toBeVisible();
  await expect(page.getByTestId("licence-token")).toHaveText(/^KP1:/);
  expect((await codesAsked).status()).toBe(429);
  await expect(page.getByText(/离线出示中，码有效至 \d\d:\d\d:\d\d/)).toBeVisible();
  await expect(page.getByRole("button", { name: s.sign_in.submit, exact: true })).toHaveCount(0);
  await page.getByRole("link", { name: s.back }).click();
  await expect(page.getByText(s.wallet.offline_list)).toBeVisible();
  await expect(page.getByRole("link", { name: new RegExp(s.licence_type.resident_id_card) })).toBeVisible();
  // Nothing was thrown away for a server's bad moment.
  expect(await saved()).toEqual(before);
});

test("with the server too busy to check a code, the verifier checks it on the device and says so", async ({ page, browser, baseURL }) => {
  const { code, context, verifier } = await codeAndVerifierWithSavedKeys(page, browser, baseURL);
  await verifier.route("**/api/v1/verify", (route) =>
    route.fulfill({ status: 503, contentType: "text/html", body: "<html><body>Service Unavailable</body></html>" }),
  );
  await check(verifier, code);
  await expect(verifier.getByRole("heading", { name: s.verify.valid_title })).toBeVisible();
  await expect(verifier.getByText(/已离线核验/)).toBeVisible();
  await context.close();
});

test("signing out wipes the holder's saved licences and codes from the device", async ({ page }) => {
  await signIn(page, "resident");
  await openIdCard(page);
  const saved = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("kapok.data.")));
  expect((await saved()).length).toBeGreaterThan(0);
  await open(page, "/resident/me");
  await page.getByRole("button", { name: s.me.sign_out, exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  expect(await saved()).toEqual([]);
});

test("with no network, the app reopens from the device and still shows the licence's code", async ({ page, context }) => {
  await signIn(page, "resident");
  await openIdCard(page);
  // The service worker has cached this build: the reload comes from it.
  await waitForServiceWorker(page);

  await context.setOffline(true);
  await page.reload();
  await expect(await heading(page)).toHaveText(s.licence_type.resident_id_card);
  const qr = page.getByRole("img", { name: fill(s.wallet.qr_label, { licence: s.licence_type.resident_id_card }) });
  await expect(qr.locator("svg")).toBeVisible();
  await expect(page.getByText(/离线出示中，码有效至 \d\d:\d\d:\d\d/)).toBeVisible();
});

test("a repeat visit takes the app from the device: no request leaves but the API's", async ({ page, context }) => {
  await signIn(page, "resident");
  await waitForServiceWorker(page);

  const fromNetwork: string[] = [];
  const notApi = (url: string) => !new URL(url).pathname.startsWith("/api/");
  page.on("response", (r) => {
    if (notApi(r.url()) && !r.url().startsWith("data:") && !r.fromServiceWorker()) fromNetwork.push(r.url());
  });
  // What the service worker itself fetches (Chromium reports it to the context); the browser's
  // own update check of the worker's script is no page load.
  context.on("request", (r) => {
    if (r.serviceWorker() && notApi(r.url()) && !r.url().endsWith("/sw.js")) fromNetwork.push(`worker: ${r.url()}`);
  });
  await page.reload();
  await expect(page).toHaveURL(/\/resident$/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(fromNetwork).toEqual([]);
});

test("the service worker keeps no answer of the API: her licences are in no cache, and offline the API is not answered from one", async ({ page, context }) => {
  await signIn(page, "resident");
  await waitForServiceWorker(page);
  const apiAnswers: { url: string; fromWorker: boolean }[] = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname.startsWith("/api/")) apiAnswers.push({ url: r.url(), fromWorker: r.fromServiceWorker() });
  });
  // The wallet and a licence, read under the worker's control.
  await page.reload();
  await openIdCard(page);
  expect(apiAnswers.some((a) => a.url.includes("/api/v1/wallet"))).toBe(true);
  expect(apiAnswers.filter((a) => a.fromWorker)).toEqual([]);

  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
    }
    return urls;
  });
  // The app's files are there (so the look is not at an empty cache); nothing of the API is.
  expect(cached).toContain("/");
  expect(cached.some((path) => path.endsWith(".wasm"))).toBe(true);
  expect(cached.filter((path) => path.startsWith("/api/"))).toEqual([]);

  // Offline, a read of the API fails as it would with no worker: no copy answers for it.
  await context.setOffline(true);
  const offline = await page.evaluate(() =>
    fetch("/api/v1/wallet", { credentials: "same-origin" }).then(
      (r) => `answered ${r.status}`,
      () => "failed",
    ),
  );
  expect(offline).toBe("failed");
});

/**
 * The resident's live code, and a second phone whose camera sees her screen: a browser whose
 * fake camera plays a video of the code.
 */
async function cameraOnResidentCode(page: Page, info: TestInfo): Promise<{ text: string; browser: Browser }> {
  await signIn(page, "resident");
  await openIdCard(page);
  const { text, image } = await readQr(qrImage(page).locator("svg"));
  const video = info.outputPath("camera.y4m");
  // 800 × 450: as wide as the frames the scanner hands its decoder (FRAME_WIDTH in
  // app/src/scanner.rs), so they reach it unscaled and every module stays whole pixels.
  writeCameraVideo(video, image, 800, 450);
  const browser = await chromium.launch({
    ...CHROMIUM,
    args: [...CHROMIUM.args, "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${video}`],
  });
  return { text, browser };
}

test("an official reads a resident's code with the camera and it checks out", async ({ page, baseURL, watchUncaught }, info) => {
  const { text, browser } = await cameraOnResidentCode(page, info);
  try {
    const context = await browser.newContext({ baseURL, locale: "zh-CN", permissions: ["camera"] });
    watchUncaught(context);
    const official = await context.newPage();
    await signIn(official, "official");
    await open(official, "/official/verify");
    // Chromium on Linux has no BarcodeDetector: the frames go to the wasm decoder's worker,
    // which is fetched only now.
    const decoder = official.waitForResponse((r) => r.url().endsWith("/kapok-scanner_bg.wasm") && r.ok());
    await official.getByRole("button", { name: s.verify.scan }).click();
    await decoder;
    await expect(official.getByRole("heading", { name: s.verify.valid_title })).toBeVisible({ timeout: 20_000 });
    await expect(official.getByText("陈嘉欣", { exact: true })).toBeVisible();
    await expect(official.getByLabel(s.verify.token_label, { exact: true })).toHaveValue(text);
    // The camera is off once the code is read.
    await expect(official.getByLabel(s.verify.scan_view)).toHaveCount(0);
    expect(await official.evaluate(() => document.querySelectorAll("video").length)).toBe(0);
  } finally {
    await browser.close();
  }
});

test("a decoder worker that crashes on a frame is replaced, and the camera still reads the code", async ({ page, baseURL }, info) => {
  const { text, browser } = await cameraOnResidentCode(page, info);
  try {
    // The service worker would answer the worker's script itself, out of the route's reach.
    const context = await browser.newContext({ baseURL, locale: "zh-CN", permissions: ["camera"], serviceWorkers: "block" });
    const official = await context.newPage();
    // The first decoder answers one frame and then dies on the next, as a panicking decoder
    // does (panic=abort in wasm: an uncaught error in the worker); later ones are the real one.
    let loads = 0;
    await official.route("**/kapok-scanner_loader.js", (route) =>
      loads++ === 0
        ? route.fulfill({
            contentType: "text/javascript",
            body: 'let frames = 0; onmessage = () => { if (frames++ === 0) postMessage(null); else throw new Error("unreachable executed"); }; postMessage(true);',
          })
        : route.continue(),
    );
    await signIn(official, "official");
    await open(official, "/official/verify");
    await official.getByRole("button", { name: s.verify.scan }).click();
    await expect(official.getByRole("heading", { name: s.verify.valid_title })).toBeVisible({ timeout: 20_000 });
    await expect(official.getByLabel(s.verify.token_label, { exact: true })).toHaveValue(text);
    expect(loads, "a second worker was started").toBe(2);
    await expect(official.getByRole("alert")).toHaveCount(0);
  } finally {
    await browser.close();
  }
});

test("with no camera, or the camera refused, the verifier says which and pasting still works", async ({ page, watchUncaught }) => {
  // This machine has no camera at all.
  await open(page, "/verify");
  await page.getByRole("button", { name: s.verify.scan }).click();
  await expect(page.getByRole("alert")).toHaveText(s.verify.camera_missing);
  await expect(page.getByRole("button", { name: s.verify.scan })).toBeVisible();
  await expect(page.getByLabel(s.verify.token_label, { exact: true })).toBeEditable();

  // A phone with a camera whose owner said no.
  const browser = await chromium.launch({ ...CHROMIUM, args: [...CHROMIUM.args, "--use-fake-device-for-media-stream"] });
  try {
    const context = await browser.newContext({ baseURL: test.info().project.use.baseURL, locale: "zh-CN" });
    watchUncaught(context);
    const verifier = await context.newPage();
    await open(verifier, "/verify");
    await verifier.getByRole("button", { name: s.verify.scan }).click();
    await expect(verifier.getByRole("alert")).toHaveText(s.verify.camera_denied);
  } finally {
    await browser.close();
  }
});

test.describe("a returning holder", () => {
  const idCard = "/api/v1/wallet/lic-resident-id";
  const savedKey = "kapok.data.licence.lic-resident-id";

  /** Holds the server's answers to GETs of `path` until `release` is called. */
  async function holdAnswers(page: Page, path: string) {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let asked = 0;
    await page.route(`**${path}`, async (route) => {
      if (route.request().method() === "GET") {
        asked += 1;
        await held;
      }
      await route.continue();
    });
    const answered = () => page.waitForResponse((r) => new URL(r.url()).pathname === path);
    return { release, asked: () => asked, answered };
  }

  test("sees the licence and its code at once on a slow network, and an answer that agrees changes nothing", async ({ page }) => {
    await signIn(page, "resident");
    await expect(await openIdCard(page)).toHaveText(/^KP1:/);
    const slow = await holdAnswers(page, idCard);
    await page.reload();
    // The server has not answered yet: the page is the device's saved copy, code and all.
    await expect(await heading(page)).toHaveText(s.licence_type.resident_id_card);
    await expect(qrImage(page).locator("svg")).toBeVisible();
    await expect(page.getByTestId("licence-token")).toHaveText(/^KP1:/);
    await expect(page.getByText("广州市公安局天河分局")).toBeVisible();
    // The question may leave after the saved copy is drawn; it leaves once.
    await expect.poll(() => slow.asked()).toBe(1);

    // The answer is the same licence: nothing on the page is drawn again.
    await page.locator(".kp-licence-face").evaluate((el) => el.setAttribute("data-drawn-before", ""));
    const answered = slow.answered();
    slow.release();
    expect((await answered).status()).toBe(200);
    await page.waitForLoadState("networkidle");
    await expect(page.locator(".kp-licence-face[data-drawn-before]")).toHaveCount(1);
  });

  test("sees the wallet's list at once on a slow network", async ({ page }) => {
    await signIn(page, "resident");
    await open(page, "/resident/wallet");
    await expect(page.getByRole("link", { name: new RegExp(`${s.licence_type.resident_id_card} 陈嘉欣`) })).toBeVisible();
    const slow = await holdAnswers(page, "/api/v1/wallet");
    await page.reload();
    await expect(page.getByRole("link", { name: new RegExp(`${s.licence_type.resident_id_card} 陈嘉欣`) })).toBeVisible();
    await expect(page.getByText(s.wallet.offline_list)).toHaveCount(0);
    await expect.poll(() => slow.asked()).toBe(1);
    slow.release();
  });

  test("a saved copy the server no longer agrees with gives way to the server's answer", async ({ page }) => {
    await signIn(page, "resident");
    await expect(await openIdCard(page)).toHaveText(/^KP1:/);
    // What the device kept differs from the register (as after a change made elsewhere).
    await page.evaluate((key) => {
      const licence = JSON.parse(localStorage.getItem(key)!);
      licence.summary.issuing_authority = "旧的签发机关";
      localStorage.setItem(key, JSON.stringify(licence));
    }, savedKey);
    const slow = await holdAnswers(page, idCard);
    await page.reload();
    await expect(page.getByText("旧的签发机关")).toBeVisible();
    slow.release();
    await expect(page.getByText("广州市公安局天河分局")).toBeVisible();
    await expect(page.getByText("旧的签发机关")).toHaveCount(0);
    expect(JSON.parse((await page.evaluate((key) => localStorage.getItem(key), savedKey))!).summary.issuing_authority).toBe(
      "广州市公安局天河分局",
    );
  });

  test("a licence the server no longer shows them is not kept on the device", async ({ page }) => {
    await signIn(page, "resident");
    await expect(await openIdCard(page)).toHaveText(/^KP1:/);
    // A copy saved for a licence the register no longer gives this person.
    await page.evaluate((key) => {
      const licence = JSON.parse(localStorage.getItem(key)!);
      licence.summary.id = "lic-withdrawn";
      localStorage.setItem("kapok.data.licence.lic-withdrawn", JSON.stringify(licence));
    }, savedKey);
    // The saved copy shows first, and its code's refusal says "not found" too: what counts is
    // the answer for the licence itself.
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/wallet/lic-withdrawn");
    await open(page, "/resident/wallet/lic-withdrawn");
    expect((await answered).status()).toBe(404);
    await expect(await heading(page)).toHaveText(s.wallet.title);
    await expect(page.getByText(s.errors.not_found)).toBeVisible();
    await expect(qrImage(page)).toHaveCount(0);
    expect(await page.evaluate(() => localStorage.getItem("kapok.data.licence.lic-withdrawn"))).toBeNull();
  });
});
