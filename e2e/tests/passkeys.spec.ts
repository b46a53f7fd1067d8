// Passkeys: add one on "me", sign in with the phone's unlock, and every way that must fail.
import { type Page, expect, test } from "@playwright/test";
import { open, signIn, strings } from "../support/kapok";
import { addAuthenticator, credentialCount, failUnlock, tamper } from "../support/passkeys";

const s = strings["zh-CN"];

async function addPasskey(page: Page) {
  await open(page, "/resident/me");
  await page.getByRole("button", { name: s.passkey.add }).click();
  await expect(page.getByText(s.passkey.added)).toBeVisible();
}

async function signOut(page: Page) {
  await open(page, "/resident/me");
  await page.getByRole("button", { name: s.me.sign_out, exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
}

async function passkeySignIn(page: Page, username: string) {
  await open(page, "/");
  await page.getByLabel(s.sign_in.username, { exact: true }).fill(username);
  await page.getByRole("button", { name: s.sign_in.passkey }).click();
}

test("a resident adds a passkey and signs in with the phone's unlock, no password", async ({ page }) => {
  const phone = await addAuthenticator(page);
  await signIn(page, "resident");
  await addPasskey(page);
  expect(await credentialCount(phone)).toBe(1);
  const list = page.getByRole("list", { name: s.passkey.list_label });
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await expect(list).toContainText(s.passkey.never_used);

  // The account holder is told of the new passkey, so one added by someone else with her
  // session would not go unseen; the notice leads to where it can be removed.
  await open(page, "/resident/messages");
  const notice = page.getByRole("main").getByRole("link").filter({ hasText: s.messages.passkey_added });
  await expect(notice).toHaveCount(1);
  await notice.click();
  await expect(page).toHaveURL(/\/resident\/me$/);
  await expect(list.getByRole("listitem")).toHaveCount(1);

  await signOut(page);
  await passkeySignIn(page, "resident");
  await expect(page).toHaveURL(/\/resident$/);

  // The use is recorded; removing the passkey ends passkey sign-in for the account.
  await open(page, "/resident/me");
  await expect(list).not.toContainText(s.passkey.never_used);
  await list.getByRole("button", { name: new RegExp(s.passkey.remove) }).click();
  await expect(page.getByText(s.passkey.removed)).toBeVisible();
  await expect(page.getByText(s.passkey.empty)).toBeVisible();
  await signOut(page);
  await passkeySignIn(page, "resident");
  await expect(page.getByRole("alert")).toHaveText(s.errors.no_passkey);
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
  await passkeySignIn(page, "elder");
  await expect(page.getByRole("alert")).toHaveText(s.passkey.cancelled);
  await failUnlock(phone, false);

  // A tampered phone claims a check it did not make.
  await tamper(phone, { isBadUV: true });
  await passkeySignIn(page, "elder");
  await expect(page.getByRole("alert")).toHaveText(s.errors.user_not_verified);

  // A forged signature.
  await tamper(phone, { isBogusSignature: true });
  await passkeySignIn(page, "elder");
  await expect(page.getByRole("alert")).toHaveText(s.errors.passkey_rejected);

  // Still signed out: the shell is not reachable.
  await page.goto("/resident/me");
  await expect(page).toHaveURL(/\/$/);

  // An honest answer gets in.
  await tamper(phone, {});
  await passkeySignIn(page, "elder");
  await expect(page).toHaveURL(/\/resident$/);
});

test("passkey sign-in asks for the username first, and an account without passkeys is told to use its password", async ({
  page,
}) => {
  await open(page, "/");
  await page.getByRole("button", { name: s.sign_in.passkey }).click();
  await expect(page.getByRole("alert")).toHaveText(s.sign_in.passkey_needs_username);
  await passkeySignIn(page, "official");
  await expect(page.getByRole("alert")).toHaveText(s.errors.no_passkey);
  await passkeySignIn(page, "nobody-by-this-name");
  await expect(page.getByRole("alert")).toHaveText(s.errors.no_passkey);
});
