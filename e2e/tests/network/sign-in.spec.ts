// A script guessing from one network at many accounts. It pauses password sign-in for this
// machine's address, every test's, for 15 minutes, so it runs after all the rest
// (playwright.config.ts).
import { expect, test } from "../../support/test";
import { expectNoAxeViolations } from "../../support/axe";
import { personWithPasskey } from "../../support/delegation";
import { PASSWORD, fillSignIn, open, saysUntil, strings } from "../../support/kapok";

const s = strings["zh-CN"];

test("a hundred wrong passwords from one network for many names pause password sign-in there; the form says why, keeps what was typed, and a passkey, or the password on a phone signed in on before, still signs in", async ({ browser, baseURL }) => {
  // Someone at the same address as the guesser (a shared Wi-Fi) has a passkey on their phone.
  const { page } = await personWithPasskey(browser, baseURL, "staff", "/enterprise");
  await open(page, "/enterprise/me");
  await page.getByRole("button", { name: s.me.sign_out, exact: true }).click();
  await expect(page).toHaveURL(/\/$/);

  // A password or two for each of many names: never enough for any one name's own limit.
  // Earlier tests' wrong passwords from this machine count as well, so the pause may come sooner.
  const guesser = await (await browser.newContext({ baseURL })).newPage();
  const statuses: number[] = [];
  for (let i = 0; i < 100 && !statuses.includes(429); i++) {
    const answer = await guesser.request.post("/api/v1/session", {
      headers: { Origin: new URL(baseURL!).origin },
      data: { username: `someone-${i % 25}`, password: "123456" },
    });
    statuses.push(answer.status());
    if (answer.status() === 429) {
      expect((await answer.json()).code).toBe("too_many_sign_in_attempts_from_network");
      expect(Number(answer.headers()["retry-after"])).toBeGreaterThan(0);
    }
  }
  expect(statuses.at(-1), "password sign-in was never paused").toBe(429);
  expect(statuses.slice(0, -1).every((status) => status === 401)).toBe(true);

  // The right password of an account nobody guessed at is refused there too, on a phone it
  // was never signed in on (one borrowed), and the form says why.
  const borrowed = await (await browser.newContext({ baseURL })).newPage();
  await open(borrowed, "/");
  const answered = borrowed.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/session" && r.request().method() === "POST");
  await fillSignIn(borrowed, "staff", PASSWORD);
  const refused = await answered;
  expect(refused.status()).toBe(429);
  // Until when, as a time: the network's pause ends when its first wrong password is 15 minutes old.
  const wait = Number(refused.headers()["retry-after"]);
  expect(wait).toBeGreaterThan(0);
  expect(wait).toBeLessThanOrEqual(15 * 60);
  await expect(borrowed.getByRole("alert")).toHaveText(saysUntil(s.errors.too_many_sign_in_attempts_from_network_until, wait));
  await expect(borrowed.getByLabel(s.sign_in.username, { exact: true })).toHaveValue("staff");
  await expect(borrowed.getByLabel(s.sign_in.password, { exact: true })).toHaveValue(PASSWORD);
  await expectNoAxeViolations(borrowed, "sign-in, paused for the network");

  // On the phone they signed in on before, the password still signs in: the script's wrong
  // passwords do not hold it, only that phone's own would.
  await open(page, "/");
  await fillSignIn(page, "staff", PASSWORD);
  await expect(page).toHaveURL(/\/enterprise$/);
  await open(page, "/enterprise/me");
  await page.getByRole("button", { name: s.me.sign_out, exact: true }).click();
  await expect(page).toHaveURL(/\/$/);

  // The passkey the message points to signs in.
  await page.getByRole("button", { name: s.sign_in.passkey }).click();
  await expect(page).toHaveURL(/\/enterprise$/);

  // In English, in elderly mode, the message says the same.
  const en = strings.en;
  const context = await browser.newContext({ baseURL, locale: "en-GB" });
  await context.addInitScript(() => localStorage.setItem("kapok.mode", "elderly"));
  const reader = await context.newPage();
  await open(reader, "/");
  const answeredInEnglish = reader.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/session" && r.request().method() === "POST");
  await fillSignIn(reader, "clerk", PASSWORD);
  const waitInEnglish = Number((await answeredInEnglish).headers()["retry-after"]);
  await expect(reader.getByRole("alert")).toHaveText(saysUntil(en.errors.too_many_sign_in_attempts_from_network_until, waitInEnglish));
  await expectNoAxeViolations(reader, "sign-in, paused for the network, English elderly");
});
