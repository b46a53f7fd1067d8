// Changing a password, and the owner hearing that someone is guessing it. These change what
// demo accounts sign in with, so they run after every other test (playwright.config.ts).
import { type Browser, type Page } from "@playwright/test";
import { expect, test } from "../../support/test";
import { expectNoAxeViolations } from "../../support/axe";
import { PASSWORD, fillSignIn, open, signIn, strings } from "../../support/kapok";

const s = strings["zh-CN"];
const NEW_PASSWORD = "tea-lamp-river-42";

async function signedIn(browser: Browser, baseURL: string | undefined, username: string, locale = "zh-CN") {
  const context = await browser.newContext({ baseURL, locale });
  const page = await context.newPage();
  await signIn(page, username);
  return page;
}

/** Every request the page sends to change the password. */
function countChanges(page: Page) {
  const sent: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/api/v1/password") sent.push(r.method());
  });
  return sent;
}

test("a resident changes her password: each mistake is named at its field, the new one signs in, her other device is signed out and she is told", async ({ browser, baseURL }) => {
  const phone = await signedIn(browser, baseURL, "resident");
  const tablet = await signedIn(browser, baseURL, "resident");
  await open(phone, "/resident/me");
  const sent = countChanges(phone);
  const current = phone.getByLabel(s.password.current_label, { exact: true });
  const fresh = phone.getByLabel(s.password.new_label, { exact: true });
  const submit = phone.getByRole("button", { name: s.password.submit });
  // A password manager learns whose password changes: the form names the account, unseen.
  const account = phone.locator('form input[autocomplete="username"]');
  await expect(account).toHaveValue("resident");
  await expect(account).toBeHidden();

  // Caught before anything is sent, with the cursor put where the fix goes.
  await submit.click();
  await expect(current).toHaveAttribute("aria-invalid", "true");
  await expect(current).toBeFocused();
  await expect(phone.getByText(s.password.current_missing)).toBeVisible();
  await current.fill(PASSWORD);
  await fresh.fill("木棉花开在天河");
  await submit.click();
  await expect(fresh).toBeFocused();
  await expect(phone.getByText(s.errors.password_length)).toBeVisible();
  await expect(current).not.toHaveAttribute("aria-invalid", "true");
  expect(sent).toEqual([]);

  // The server's refusals: a wrong current password, then a new one easy to guess.
  await current.fill("not-my-password");
  await fresh.fill(NEW_PASSWORD);
  await submit.click();
  await expect(phone.getByText(s.password.wrong_current)).toBeVisible();
  await expect(current).toBeFocused();
  await expect(fresh).toHaveValue(NEW_PASSWORD);
  await current.fill(PASSWORD);
  await fresh.fill("Guangzhou2026");
  await submit.click();
  await expect(phone.getByText(s.errors.password_guessable)).toBeVisible();
  await expect(fresh).toBeFocused();
  await expect(current).toHaveValue(PASSWORD);
  await expectNoAxeViolations(phone, "me, password card with an error");
  expect(sent).toEqual(["PUT", "PUT"]);

  // The tablet (and any other device still signed in) is listed until the change.
  const devices = phone.getByRole("list", { name: s.sessions.list_label });
  await expect(devices.getByRole("listitem").nth(1)).toBeVisible();
  // The change is made, but its answer is lost on the way back: tapping again finishes it,
  // where it would have said the current password (the old one, as typed) was wrong.
  let lost = false;
  await phone.route("**/api/v1/password", async (route) => {
    if (lost) return route.continue();
    lost = true;
    await route.fetch();
    await route.abort("connectionreset");
  });
  await fresh.fill(NEW_PASSWORD);
  await submit.click();
  await expect(phone.getByText(s.errors.network)).toBeVisible();
  await expect(current).toHaveValue(PASSWORD);
  await expect(fresh).toHaveValue(NEW_PASSWORD);
  await submit.click();
  await expect(phone.getByText(s.password.changed)).toBeVisible();
  await expect(phone.getByText(s.password.wrong_current)).toHaveCount(0);
  await expect(current).toHaveValue("");
  await expect(fresh).toHaveValue("");
  await expect(devices.getByRole("listitem")).toHaveCount(1);
  await expect(devices).toContainText(s.sessions.this_device);

  // The tablet is signed out; the old password no longer signs in, the new one does.
  await tablet.reload();
  await expect(tablet).toHaveURL(/\/(\?next=[^&]*)?$/);
  await fillSignIn(tablet, "resident", PASSWORD);
  await expect(tablet.getByRole("alert")).toHaveText(s.errors.bad_credentials);
  await fillSignIn(tablet, "resident", NEW_PASSWORD);
  await expect(tablet).toHaveURL(/\/resident$/);

  // She hears of it in her inbox, which leads to Me.
  await open(phone, "/resident/messages");
  const notice = phone.getByRole("link", { name: s.messages.password_changed });
  await expect(notice).toBeVisible();
  await notice.click();
  await expect(phone).toHaveURL(/\/resident\/me$/);
});

test("ten wrong passwords pause password sign-in, and the owner reads it in her inbox in her language; on her own phone her password still signs her in", async ({ browser, baseURL }) => {
  const t = strings["zh-HK"];
  const owner = await signedIn(browser, baseURL, "hk-resident", "zh-HK");
  // Someone else, somewhere else, guessing.
  const guesser = await (await browser.newContext({ baseURL })).newPage();
  for (let i = 0; i < 10; i++) {
    const answer = await guesser.request.post("/api/v1/session", {
      headers: { Origin: new URL(baseURL!).origin },
      data: { username: "hk-resident", password: `guess-${i}` },
    });
    expect(answer.status()).toBe(401);
  }

  await open(owner, "/resident/messages");
  // The notice, with the time it is paused until (15 minutes on) in between.
  const [before, after] = t.messages.sign_in_paused.split("{{ time }}");
  const notice = owner.getByRole("link").filter({ hasText: before.trim() });
  await expect(notice).toContainText(after.trim());
  await expect(notice).toContainText(/\d{1,2}:\d{2}/);
  await notice.click();
  await expect(owner).toHaveURL(/\/resident\/me$/);
  await expect(owner.getByRole("heading", { name: t.password.title })).toBeVisible();

  // Her password is refused everywhere else, the right one too…
  const elsewhere = await guesser.request.post("/api/v1/session", {
    headers: { Origin: new URL(baseURL!).origin },
    data: { username: "hk-resident", password: PASSWORD },
  });
  expect(elsewhere.status()).toBe(429);
  // …but not on her own phone, where she has signed in before.
  await owner.getByRole("button", { name: t.me.sign_out, exact: true }).click();
  await expect(owner).toHaveURL(/\/$/);
  await fillSignIn(owner, "hk-resident", PASSWORD);
  await expect(owner).toHaveURL(/\/resident$/);
});

