// Passkeys: add one on "me", sign in with the phone's unlock and no username, and every way
// that must fail.
import { type APIRequestContext, type Browser, type Page, request } from "@playwright/test";
import { expect, test } from "../support/test";
import { expectNoAxeViolations } from "../support/axe";
import { LANGUAGE_NAMES, PASSWORD, fill, open, signIn, strings } from "../support/kapok";
import {
  addAuthenticator,
  addPasskeyOnMe,
  credentialCount,
  credentials,
  failUnlock,
  replaceCredentials,
  tamper,
} from "../support/passkeys";

const s = strings["zh-CN"];

// Each account reads the app in its own language once signed in (the Hong Kong resident's is zh-HK).
async function addPasskey(page: Page, t = s, me = "/resident/me") {
  await open(page, me);
  await addPasskeyOnMe(page, t);
}

async function signOut(page: Page, t = s, me = "/resident/me") {
  await open(page, me);
  await page.getByRole("button", { name: t.me.sign_out, exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
}

async function passkeySignIn(page: Page, t = s) {
  await open(page, "/");
  await page.getByRole("button", { name: t.sign_in.passkey }).click();
}

/** The same account on a second device that holds no passkey (a computer, signed in with the password). */
async function otherDevice(browser: Browser, baseURL: string | undefined, username: string) {
  const context = await browser.newContext({ baseURL, locale: "zh-CN" });
  const page = await context.newPage();
  await signIn(page, username);
  return page;
}

test("a resident adds a passkey and signs in with the phone's unlock, no password", async ({ page }) => {
  const phone = await addAuthenticator(page);
  await signIn(page, "resident");
  await addPasskey(page);
  expect(await credentialCount(phone)).toBe(1);
  const list = page.getByRole("list", { name: s.passkey.list_label });
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await expect(list).toContainText(s.passkey.never_used);

  // The account holder is told of the new passkey, by its name, so one added by someone else
  // with her session would not go unseen; the notice leads to where it can be removed.
  await open(page, "/resident/messages");
  const notice = page
    .getByRole("main")
    .getByRole("link")
    .filter({ hasText: fill(s.messages.passkey_added_named, { name: s.passkey.device_linux }) });
  await expect(notice).toHaveCount(1);
  await notice.click();
  await expect(page).toHaveURL(/\/resident\/me$/);
  await expect(list.getByRole("listitem")).toHaveCount(1);

  // No username: the phone offers the passkey it holds, and it names the account.
  await signOut(page);
  await passkeySignIn(page);
  await expect(page).toHaveURL(/\/resident$/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();

  // The use is recorded; removing the passkey ends passkey sign-in for the account, and the
  // phone is told to forget it, so it does not offer a passkey that no longer works.
  await open(page, "/resident/me");
  await expect(list).not.toContainText(s.passkey.never_used);
  // One tap only asks, and says what removing her only passkey means; keeping it is the
  // choice that has focus.
  const removeButton = list.getByRole("button", { name: new RegExp(s.passkey.remove) });
  await removeButton.click();
  // Named after the computer these tests run on, as the page suggested.
  const asked = page.getByRole("dialog", { name: fill(s.passkey.remove_title, { name: s.passkey.device_linux }) });
  await expect(asked).toContainText(s.passkey.remove_only);
  await expect(asked.getByRole("button", { name: s.passkey.keep })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(asked).toBeHidden();
  await expect(removeButton).toBeFocused();
  await expect(list.getByRole("listitem")).toHaveCount(1);
  expect(await credentialCount(phone)).toBe(1);
  // Escape keeps it too.
  await removeButton.click();
  await expect(asked).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(asked).toBeHidden();
  await expect(list.getByRole("listitem")).toHaveCount(1);

  await removeButton.click();
  await asked.getByRole("button", { name: s.passkey.remove_confirm, exact: true }).click();
  await expect(page.getByText(s.passkey.removed)).toBeVisible();
  await expect(page.getByText(s.passkey.empty)).toBeVisible();
  // Focus stays in the list, not lost to the top of the page with the button it was on.
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? "")).toBe(s.passkey.empty);
  await expect.poll(() => credentialCount(phone)).toBe(0);
});

test("a passkey removed on another device says so on the phone, which then forgets it", async ({
  page,
  browser,
  baseURL,
}) => {
  const hk = strings["zh-HK"];
  const phone = await addAuthenticator(page);
  await signIn(page, "hk-resident");
  await addPasskey(page, hk);
  await signOut(page, hk);

  // Removed from the computer, which does not hold it: the phone still does.
  const computer = await otherDevice(browser, baseURL, "hk-resident");
  await open(computer, "/resident/me");
  const list = computer.getByRole("list", { name: hk.passkey.list_label });
  await list.getByRole("button", { name: new RegExp(hk.passkey.remove) }).click();
  await computer.getByRole("dialog").getByRole("button", { name: hk.passkey.remove_confirm, exact: true }).click();
  await expect(computer.getByText(hk.passkey.empty)).toBeVisible();
  await computer.context().close();
  expect(await credentialCount(phone)).toBe(1);

  await passkeySignIn(page, hk);
  await expect(page.getByRole("alert")).toHaveText(hk.errors.passkey_unknown);
  await expect(page).toHaveURL(/\/$/);
  await expect.poll(() => credentialCount(phone)).toBe(0);
});

test("a failed unlock, an answer without user verification and a forged signature all keep the door shut", async ({
  page,
}) => {
  const phone = await addAuthenticator(page);
  await signIn(page, "elder");
  await addPasskey(page);
  await signOut(page);

  // The face or fingerprint did not match: the phone gives nothing.
  await failUnlock(phone);
  await passkeySignIn(page);
  await expect(page.getByRole("alert")).toHaveText(s.passkey.cancelled);
  await failUnlock(phone, false);

  // A tampered phone claims a check it did not make.
  await tamper(phone, { isBadUV: true });
  await passkeySignIn(page);
  await expect(page.getByRole("alert")).toHaveText(s.errors.user_not_verified);

  // A forged signature.
  await tamper(phone, { isBogusSignature: true });
  await passkeySignIn(page);
  await expect(page.getByRole("alert")).toHaveText(s.errors.passkey_rejected);

  // Still signed out: the shell is not reachable.
  await page.goto("/resident/me");
  await expect(page).toHaveURL(/\/\?next=%2Fresident%2Fme$/);

  // An honest answer gets in.
  await tamper(phone, {});
  await passkeySignIn(page);
  await expect(page).toHaveURL(/\/resident$/);
});

test("passkey sign-in asks for no username, so it tells no one which accounts exist or have a passkey", async ({
  page,
}) => {
  // A phone without a passkey for Kapok: the browser has nothing to offer, and the page says
  // only that no passkey was given, whatever is typed in the username field.
  const phone = await addAuthenticator(page);
  await open(page, "/");
  await expect(page.getByText(s.sign_in.passkey_hint)).toBeVisible();
  for (const name of ["", "official", "nobody-by-this-name"]) {
    await page.getByLabel(s.sign_in.username, { exact: true }).fill(name);
    await page.getByRole("button", { name: s.sign_in.passkey }).click();
    await expect(page.getByRole("alert")).toHaveText(s.passkey.cancelled);
  }
  expect(await credentialCount(phone)).toBe(0);
  await expect(page).toHaveURL(/\/$/);
});

test("a passkey whose answer names another account than its own is refused, though its signature is good", async ({
  page,
}) => {
  // The user handle in an answer is not signed. A phone holding the elder's passkey, altered
  // to claim the legal representative's handle, must sign in neither of them. (His passkey
  // stays on the server: no test counts his before the last ones, which remove them all.)
  const phone = await addAuthenticator(page);
  await signIn(page, "legal-rep");
  await addPasskey(page, s, "/enterprise/me");
  await signOut(page, s, "/enterprise/me");
  const [claimed] = await credentials(phone);
  await signIn(page, "elder");
  await addPasskey(page);
  await signOut(page);
  const elders = (await credentials(phone)).find((c) => c.credentialId !== claimed.credentialId)!;
  await replaceCredentials(phone, [{ ...elders, userHandle: claimed.userHandle }]);

  await passkeySignIn(page);
  await expect(page.getByRole("alert")).toHaveText(s.errors.passkey_rejected);
  await page.goto("/resident/me");
  await expect(page).toHaveURL(/\/\?next=%2Fresident%2Fme$/);

  // The same passkey with its own handle still works.
  await replaceCredentials(phone, [elders]);
  await passkeySignIn(page);
  await expect(page).toHaveURL(/\/resident$/);
  await open(page, "/resident/me");
  await expect(page.getByText("李桂英", { exact: true })).toBeVisible();
});

/**
 * A phishing relay: the look-alike site's server starts a passkey sign-in at Kapok, its page asks
 * the phone for an answer, and its server hands the answer back to Kapok. Returns Kapok's status
 * and problem code.
 */
async function relayThrough(page: Page, relay: APIRequestContext): Promise<[number, string | undefined]> {
  const started = await relay.post("/api/v1/session/passkey/start", { data: {} });
  expect(started.status()).toBe(200);
  const { ceremony, options } = await started.json();
  const credential = await page.evaluate(async (json) => {
    const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(json.publicKey);
    const answer = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential;
    return answer.toJSON();
  }, options);
  const finished = await relay.post("/api/v1/session/passkey/finish", { data: { ceremony, credential } });
  const body = finished.status() === 200 ? {} : await finished.json();
  return [finished.status(), body.code];
}

test("a passkey answer relayed from a look-alike site is refused: the phone signed it for that site's address", async ({
  page,
  baseURL,
}) => {
  // Staff whose passkeys nothing else here counts; they are removed at the end.
  await addAuthenticator(page);
  await signIn(page, "clerk");
  await addPasskey(page, s, "/enterprise/me");
  // Not a browser: no cookie of the clerk's, and no Origin header to be refused for.
  const relay = await request.newContext({ baseURL });

  // On Kapok's own page, an answer passed along this way signs in: the relay itself is sound.
  await open(page, "/");
  expect(await relayThrough(page, relay)).toEqual([200, undefined]);

  // The look-alike: the same host on another port, as a sibling name would be, where the
  // phone offers Kapok's passkey (a passkey belongs to a host name, whatever the port). The
  // answer is good and signed, but names the page it was made on, which is not Kapok.
  const kapok = new URL(baseURL!);
  const lookAlike = `${kapok.protocol}//${kapok.hostname}:${Number(kapok.port) + 1000}`;
  await page.route(`${lookAlike}/**`, (route) =>
    route.fulfill({ contentType: "text/html", body: "<!doctype html><html lang=zh-CN><title>粤商通</title><p>请刷脸登录</p></html>" }),
  );
  await page.goto(`${lookAlike}/`);
  expect(await relayThrough(page, relay)).toEqual([401, "passkey_rejected"]);
  // Nor does it leave a session for the relay to use.
  expect((await relay.get("/api/v1/me")).status()).toBe(200);
  const stranger = await request.newContext({ baseURL });
  await relayThrough(page, stranger);
  expect((await stranger.get("/api/v1/me")).status()).toBe(401);
  await stranger.dispose();
  await relay.dispose();

  for (const passkey of await (await page.request.get("/api/v1/passkeys")).json()) {
    const removed = await page.request.delete(`/api/v1/passkeys/${passkey.id}`, { headers: { "content-type": "application/json" } });
    expect(removed.status()).toBe(204);
  }
});

test("adding a passkey asks for the password again: a signed-in phone alone is not enough", async ({ page }) => {
  const phone = await addAuthenticator(page);
  await signIn(page, "clerk");
  await open(page, "/enterprise/me");
  const field = page.getByLabel(s.passkey.password_label, { exact: true });
  await expect(page.getByText(s.passkey.password_hint)).toBeVisible();

  // Nothing typed: the page says what is missing, and the phone is not asked.
  await page.getByRole("button", { name: s.passkey.add }).click();
  await expect(page.getByRole("alert")).toHaveText(s.passkey.password_missing);
  // A wrong password: refused, and the phone is not asked either.
  await field.fill("not-the-password");
  await field.press("Enter");
  await expect(page.getByRole("alert")).toHaveText(s.passkey.wrong_password);
  await expect(field).toHaveValue("not-the-password");
  expect(await credentialCount(phone)).toBe(0);
  await expect(page.getByText(s.passkey.empty)).toBeVisible();

  // The right one, after a wrong try, adds it (a right password clears the count).
  await addPasskeyOnMe(page);
  expect(await credentialCount(phone)).toBe(1);
  await expect(page.getByRole("list", { name: s.passkey.list_label }).getByRole("listitem")).toHaveCount(1);
});

test("on an English page, a passkey named in Chinese is marked as Chinese, in the list and in the question before removing it", async ({ page }) => {
  const en = strings.en;
  const name = "我的手机";
  await addAuthenticator(page);
  await page.addInitScript(() => localStorage.setItem("kapok.locale", "en"));
  // Not the resident, whose passkeys the first test counts.
  await signIn(page, "elder");
  await open(page, "/resident/me");
  await page.getByRole("textbox", { name: en.passkey.name_label, exact: true }).fill(name);
  await addPasskeyOnMe(page, en);
  const list = page.getByRole("list", { name: en.passkey.list_label });
  // Another test's passkey on the account may be listed too, named in Chinese after its device.
  await expect(list.getByRole("listitem").filter({ hasText: name }).locator('[lang="zh"]')).toHaveText(name);

  await list.getByRole("button", { name: fill(en.passkey.remove_label, { name }) }).click();
  const asked = page.getByRole("dialog", { name: fill(en.passkey.remove_title, { name }) });
  await expect(asked).toBeVisible();
  // The name only: the question around it is English.
  await expect(asked.getByRole("heading").locator('[lang="zh"]')).toHaveText(name);
  await expect(asked.locator("[lang]")).toHaveCount(1);
  // Removed, so the account is left as it was.
  await asked.getByRole("button", { name: en.passkey.remove_confirm, exact: true }).click();
  await expect(page.getByText(en.passkey.removed)).toBeVisible();
  await expect(list.getByRole("listitem").filter({ hasText: name })).toHaveCount(0);
});

const ANDROID_PHONE =
  "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

test("a passkey is named after the phone it is made on, in the reader's language, and its owner renames it", async ({
  browser,
  baseURL,
}) => {
  const en = strings.en;
  const context = await browser.newContext({
    baseURL,
    locale: "zh-CN",
    userAgent: ANDROID_PHONE,
    viewport: { width: 390, height: 844 },
  });
  const page = await context.newPage();
  await addAuthenticator(page);
  // An account no other test here adds a passkey to, so the list holds this test's alone.
  await signIn(page, "market-official");
  await open(page, "/official/me");

  // The name is suggested in the page's language, and follows a change of language until
  // the owner types one of their own.
  const name = page.getByRole("textbox", { name: s.passkey.name_label, exact: true });
  await expect(name).toHaveValue(s.passkey.device_android_phone);
  await page.getByRole("radio", { name: LANGUAGE_NAMES.en }).check();
  await expect(page.getByRole("textbox", { name: en.passkey.name_label, exact: true })).toHaveValue(en.passkey.device_android_phone);
  await page.getByRole("radio", { name: LANGUAGE_NAMES["zh-CN"] }).check();
  await expect(name).toHaveValue(s.passkey.device_android_phone);
  await name.fill("工作手机");
  await page.getByRole("radio", { name: LANGUAGE_NAMES.en }).check();
  await expect(page.getByRole("textbox", { name: en.passkey.name_label, exact: true })).toHaveValue("工作手机");
  await page.getByRole("radio", { name: LANGUAGE_NAMES["zh-CN"] }).check();

  // A name that would read otherwise than it is stored is refused before the phone is asked.
  await name.fill("工作\u202e机手");
  await page.getByLabel(s.passkey.password_label, { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: s.passkey.add }).click();
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText(s.passkey.name_disguised)).toBeVisible();
  await expect(page.getByText(s.passkey.empty)).toBeVisible();

  await name.fill(s.passkey.device_android_phone);
  await addPasskeyOnMe(page);
  await expect(name).not.toHaveAttribute("aria-invalid", "true");
  const list = page.getByRole("list", { name: s.passkey.list_label });
  await expect(list.getByRole("listitem")).toHaveText(new RegExp(s.passkey.device_android_phone));

  // Renaming: the field starts from the name, has focus, and a blank name is refused.
  await list.getByRole("button", { name: fill(s.passkey.rename_label, { name: s.passkey.device_android_phone }) }).click();
  const renaming = page.getByRole("dialog", { name: fill(s.passkey.rename_title, { name: s.passkey.device_android_phone }) });
  const newName = renaming.getByLabel(s.passkey.name_label, { exact: true });
  await expect(newName).toBeFocused();
  await expect(newName).toHaveValue(s.passkey.device_android_phone);
  await expectNoAxeViolations(page, "the rename dialog");
  await newName.fill("  \u3000");
  await newName.press("Enter");
  await expect(renaming.getByText(s.passkey.name_blank)).toBeVisible();
  await expect(newName).toHaveAttribute("aria-invalid", "true");
  // Escape leaves the name as it was.
  await page.keyboard.press("Escape");
  await expect(renaming).toBeHidden();
  await expect(list.getByRole("listitem")).toHaveText(new RegExp(s.passkey.device_android_phone));

  await list.getByRole("button", { name: fill(s.passkey.rename_label, { name: s.passkey.device_android_phone }) }).click();
  // Opened again, it starts afresh.
  await expect(newName).toHaveValue(s.passkey.device_android_phone);
  await expect(renaming.getByText(s.passkey.name_blank)).toHaveCount(0);
  await newName.fill("妈妈的旧手机");
  await renaming.getByRole("button", { name: s.passkey.rename_save }).click();
  await expect(renaming).toBeHidden();
  await expect(page.getByText(s.passkey.renamed)).toBeVisible();
  await expect(list.getByRole("listitem")).toHaveText(/妈妈的旧手机/);
  // Focus stays in the list, not lost to the top of the page with the dialog.
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? "")).toContain("妈妈的旧手机");
  await page.reload();
  await expect(list.getByRole("listitem")).toHaveText(/妈妈的旧手机/);

  // Removed on another device meanwhile: renaming it says so, and the list catches up.
  await list.getByRole("button", { name: fill(s.passkey.rename_label, { name: "妈妈的旧手机" }) }).click();
  const [passkey] = await (await page.request.get("/api/v1/passkeys")).json();
  const removed = await page.request.delete(`/api/v1/passkeys/${passkey.id}`, {
    headers: { "content-type": "application/json" },
  });
  expect(removed.status()).toBe(204);
  await page.getByRole("dialog").getByRole("button", { name: s.passkey.rename_save }).click();
  await expect(page.getByRole("alert")).toHaveText(s.passkey.gone);
  await expect(page.getByText(s.passkey.empty)).toBeVisible();
  await context.close();
});

test("a passkey given no name is named after the browser and system it was made in", async ({ page }) => {
  await addAuthenticator(page);
  await signIn(page, "official");
  await open(page, "/official/me");
  await page.getByRole("textbox", { name: s.passkey.name_label, exact: true }).fill("");
  await addPasskeyOnMe(page);
  const item = page.getByRole("list", { name: s.passkey.list_label }).getByRole("listitem");
  await expect(item).toContainText("Linux");
  await expect(item).not.toContainText(s.passkey.unnamed);
  await item.getByRole("button", { name: new RegExp(s.passkey.remove) }).click();
  await page.getByRole("dialog").getByRole("button", { name: s.passkey.remove_confirm, exact: true }).click();
  await expect(page.getByText(s.passkey.empty)).toBeVisible();
});
