// Time limits: the session ends after a while with nothing done, and the person is warned
// first, with time to stay (WCAG 2.2.1). The page's clock is fast-forwarded; the server's is not.
import { type Page } from "@playwright/test";
import { expect, test } from "../support/test";
import { expectEnhancedContrast, expectNoAxeViolations, smallTargets } from "../support/axe";
import { LOCALES, endSessionOnServer, fillSignIn, open, signIn, strings, waitForServiceWorker } from "../support/kapok";

const s = strings["zh-CN"];

/** Signed in on the wallet, with the page's clock run on to the time-out warning. */
async function atTheIdleWarning(page: Page) {
  await page.clock.install();
  await signIn(page, "resident");
  await open(page, "/resident/wallet");
  await page.clock.fastForward("27:30");
  const dialog = page.getByRole("alertdialog", { name: s.idle.title });
  await expect(dialog).toBeVisible();
  return dialog;
}

test("a warning dialog comes before the idle sign-out, holds focus, and staying keeps the session", async ({ page }) => {
  await page.clock.install();
  await signIn(page, "resident");
  await open(page, "/resident/wallet");
  const walletTab = page.getByRole("link", { name: s.tabs.wallet });
  await walletTab.focus();

  // Nothing for 27½ minutes: the warning shows, with the safe choice focused.
  await page.clock.fastForward("27:30");
  const dialog = page.getByRole("alertdialog", { name: s.idle.title });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(/\d:\d\d/);
  const stay = dialog.getByRole("button", { name: s.idle.stay });
  const leave = dialog.getByRole("button", { name: s.me.sign_out });
  await expect(stay).toBeFocused();
  // Tab and Shift+Tab cycle inside the dialog.
  await page.keyboard.press("Tab");
  await expect(leave).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(stay).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  await expect(leave).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  await expect(stay).toBeFocused();

  // Staying closes it, gives focus back, and the session lives on.
  await page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(walletTab).toBeFocused();
  expect((await page.request.get("/api/v1/me")).status()).toBe(200);
  await page.clock.fastForward("10:00");
  await expect(dialog).toBeHidden();

  // Escape is the same answer as "stay".
  await page.clock.fastForward("18:00");
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(/\/resident\/wallet$/);
});

test("with no answer the app signs out by itself, wipes the device and says why", async ({ page }) => {
  await page.clock.install();
  await signIn(page, "resident");
  await open(page, "/resident/wallet/lic-resident-id");
  await expect(page.getByTestId("licence-token")).toHaveText(/^KP1:/);
  const saved = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("kapok.data.")));
  expect(await saved()).not.toHaveLength(0);

  await page.clock.fastForward("27:30");
  await expect(page.getByRole("alertdialog", { name: s.idle.title })).toBeVisible();
  await page.clock.fastForward("02:00");
  await expect(page.getByText(s.sign_in.timed_out)).toBeVisible();
  expect(new URL(page.url()).pathname).toBe("/");
  expect(await saved()).toHaveLength(0);
  // The server agrees: the session is gone.
  expect((await page.request.get("/api/v1/me")).status()).toBe(401);
  // Signing in again leads back to the licence.
  expect(new URL(page.url()).searchParams.get("next")).toBe("/resident/wallet/lic-resident-id");
  await fillSignIn(page, "resident");
  await expect(page).toHaveURL(/\/resident\/wallet\/lic-resident-id$/);
});

test("a session the server ended while the app was closed takes the device's saved data with it", async ({ page, context, baseURL }) => {
  await signIn(page, "resident");
  await open(page, "/resident/wallet/lic-resident-id");
  await expect(page.getByTestId("licence-token")).toHaveText(/^KP1:/);
  const saved = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("kapok.data.")));
  expect(await saved()).not.toHaveLength(0);
  await waitForServiceWorker(page);

  // The app is closed; meanwhile the session ends on the server (idle, past its 12 hours, or
  // signed out on another tab).
  await page.goto("about:blank");
  await endSessionOnServer(page, baseURL);

  // Opened again, the app learns the session is over: sign-in, saying why, and nothing of hers
  // is left.
  await page.goto("/resident/wallet/lic-resident-id");
  await expect(page.getByRole("button", { name: s.sign_in.submit, exact: true })).toBeVisible();
  await expect(page.getByText(s.sign_in.expired)).toBeVisible();
  expect(new URL(page.url()).searchParams.get("next")).toBe("/resident/wallet/lic-resident-id");
  expect(await saved()).toEqual([]);
  // So a phone taken offline afterwards opens nothing of hers either.
  await context.setOffline(true);
  await page.goto("/resident/wallet/lic-resident-id");
  await expect(page.getByRole("button", { name: s.sign_in.submit, exact: true })).toBeVisible();
  await expect(page.getByTestId("licence-token")).toHaveCount(0);
});

test("a session that ends while the app is open signs her out at the next request, says why, and signing in again brings her back", async ({ page, baseURL }) => {
  await signIn(page, "resident");
  await open(page, "/resident/wallet/lic-resident-id");
  await expect(page.getByTestId("licence-token")).toHaveText(/^KP1:/);
  const saved = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("kapok.data.")));
  expect(await saved()).not.toHaveLength(0);

  // Signed out on another tab (the same cookie), with this one left open on the wallet.
  await page.getByRole("link", { name: s.tabs.wallet }).click();
  await expect(page).toHaveURL(/\/resident\/wallet$/);
  await endSessionOnServer(page, baseURL);

  // The next thing she opens asks the server, which refuses: no error page with a retry that
  // cannot work, but the sign-in page, saying why, and the device is wiped. (The app's own
  // next request, the inbox count, may find out first: then she is there before she taps.)
  await page.getByRole("link", { name: s.tabs.services }).click({ timeout: 5_000 }).catch(() => {});
  await expect(page.getByText(s.sign_in.expired)).toBeVisible();
  await expect(page.getByRole("button", { name: s.sign_in.submit, exact: true })).toBeVisible();
  const next = new URL(page.url()).searchParams.get("next");
  expect(["/resident/wallet", "/resident/services"]).toContain(next);
  expect(await saved()).toEqual([]);

  // Signing in again lands where she was, and the notice is gone.
  await fillSignIn(page, "resident");
  await expect(page).toHaveURL(new RegExp(`${next}$`));
  await expect(page.getByText(s.sign_in.expired)).toHaveCount(0);
});

test("an answer given before her session ended and arriving after the device was wiped is not kept on it", async ({ page, baseURL }) => {
  await signIn(page, "resident");
  const saved = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("kapok.data.")));
  // The wallet's answer, given while her session was alive, is held back on a slow network
  // until the app has found the session ended (signed out on another tab) and wiped the device.
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const answered = new Promise<void>((resolve) => {
    void page.route("**/api/v1/wallet", async (route) => {
      const answer = await route.fetch();
      resolve();
      await released;
      await route.fulfill({ response: answer });
    });
  });
  await page.getByRole("link", { name: s.tabs.wallet }).click();
  await answered;
  await endSessionOnServer(page, baseURL);
  // Her tap asks the server, unless the app's own request (the inbox count) is refused first:
  // then she is at sign-in before she can tap.
  await page.getByRole("link", { name: new RegExp(s.tabs.messages) }).click({ timeout: 5_000 }).catch(() => {});
  await expect(page.getByText(s.sign_in.expired)).toBeVisible();
  expect(await saved()).toEqual([]);

  const arrived = page.waitForResponse("**/api/v1/wallet");
  release();
  await arrived;
  // Time for the page to read the answer (a few milliseconds), many times over.
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
  expect(await saved()).toEqual([]);
});

test("staying, when the server has already ended the session, goes to sign-in and says why", async ({ page, baseURL }) => {
  const dialog = await atTheIdleWarning(page);
  await endSessionOnServer(page, baseURL);
  // Her tap asks the server, unless a request the page made as it opened (the inbox count)
  // comes back refused first: then she is at sign-in before she can tap.
  await dialog.getByRole("button", { name: s.idle.stay }).click({ timeout: 5_000 }).catch(() => {});
  await expect(page.getByText(s.sign_in.expired)).toBeVisible();
  expect(new URL(page.url()).searchParams.get("next")).toBe("/resident/wallet");
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("kapok.data.")))).toEqual([]);
});

test("staying while the server is too busy to answer keeps her signed in", async ({ page }) => {
  const dialog = await atTheIdleWarning(page);
  let asked = 0;
  await page.route("**/api/v1/me", (route) => {
    asked += 1;
    return route.fulfill({ status: 503, contentType: "text/html", body: "<html>Service Unavailable</html>" });
  });
  await dialog.getByRole("button", { name: s.idle.stay }).click();
  await expect.poll(() => asked).toBe(1);
  await expect(dialog).toBeHidden();
  await page.clock.fastForward("00:30");
  await expect(page).toHaveURL(/\/resident\/wallet$/);
  await expect(page.getByRole("button", { name: s.sign_in.submit, exact: true })).toHaveCount(0);
  await expect(page.getByText(s.sign_in.timed_out)).toHaveCount(0);
});

test("activity keeps the session without any warning", async ({ page }) => {
  await page.clock.install();
  await signIn(page, "resident");
  const dialog = page.getByRole("alertdialog", { name: s.idle.title });
  for (let i = 0; i < 4; i++) {
    await page.clock.fastForward("20:00");
    // A tap on the page counts as being there.
    await page.getByRole("main").click({ position: { x: 5, y: 5 } });
    await expect(dialog).toBeHidden();
  }
  expect((await page.request.get("/api/v1/me")).status()).toBe(200);
  await expect(page).toHaveURL(/\/resident$/);
});

test("signing out with no signal signs her out on the phone and wipes it, and the server is told when the app next opens online", async ({ page }) => {
  await signIn(page, "resident");
  await open(page, "/resident/wallet/lic-resident-id");
  await expect(page.getByTestId("licence-token")).toHaveText(/^KP1:/);
  const saved = () => page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("kapok.data.")));
  expect(await saved()).not.toHaveLength(0);
  await open(page, "/resident/me");
  await page.route("**/api/v1/session", (route) => route.abort("internetdisconnected"));
  await page.getByRole("button", { name: s.me.sign_out, exact: true }).click();
  await expect(page.getByText(s.sign_in.signed_out_offline)).toBeVisible();
  expect(new URL(page.url()).pathname).toBe("/");
  expect(await saved()).toHaveLength(0);
  // The phone no longer opens her pages; the server, not yet told, still has the session.
  await page.goto("/resident/wallet");
  await expect(page.getByRole("button", { name: s.sign_in.submit, exact: true })).toBeVisible();
  expect((await page.request.get("/api/v1/me")).status()).toBe(200);
  // Back online, the app's next start tells it.
  await page.unroute("**/api/v1/session");
  await page.reload();
  await expect.poll(async () => (await page.request.get("/api/v1/me")).status()).toBe(401);
});

test("a tab left alone does not sign her out while she works in another, and warns once she stops", async ({ context }) => {
  // One clock for both tabs of the browser, as on a phone.
  await context.clock.install();
  const working = await context.newPage();
  await signIn(working, "resident");
  const left = await context.newPage();
  await open(left, "/resident/wallet/lic-resident-id");
  const warning = left.getByRole("alertdialog", { name: s.idle.title });
  // Playwright skips a page it cannot reach at that moment (one starting a navigation) without
  // a word; a tab whose clock stayed behind would then make the other look idle for 40 minutes.
  const clocksAgree = async () => {
    const [a, b] = await Promise.all([working, left].map((p) => p.evaluate(() => Date.now())));
    expect(Math.abs(a - b), "both tabs' clocks moved on together").toBeLessThan(60_000);
  };
  for (let i = 0; i < 4; i++) {
    await context.clock.fastForward("20:00");
    await clocksAgree();
    await working.getByRole("main").click({ position: { x: 5, y: 5 } });
    // The tap is what every tab reads as "she is still here".
    const sinceHeard = () => working.evaluate(() => Date.now() / 1000 - Number(localStorage.getItem("kapok.heard")));
    await expect.poll(sinceHeard).toBeLessThan(60);
    // The other tab's copy of the storage catches up a moment later (seen lagging by more than
    // the test's next step takes), and twenty minutes never pass in that moment on a phone.
    const heardIn = (p: Page) => p.evaluate(() => localStorage.getItem("kapok.heard"));
    const tapped = await heardIn(working);
    await expect.poll(() => heardIn(left), "the other tab heard of the tap").toBe(tapped);
  }
  // 80 minutes on, with nothing done in it, the licence's tab neither warns nor signs out.
  await left.clock.runFor(2000);
  await expect(warning).toBeHidden();
  await expect(left).toHaveURL(/\/resident\/wallet\/lic-resident-id$/);
  expect((await working.request.get("/api/v1/me")).status()).toBe(200);
  // Once she stops everywhere, the time-out comes as before, in both.
  await context.clock.fastForward("27:30");
  await expect(warning).toBeVisible();
  await expect(working.getByRole("alertdialog", { name: s.idle.title })).toBeVisible();
});

for (const locale of LOCALES) {
  for (const elderly of [false, true]) {
    test(`the time-out warning has no axe violations (${locale}, ${elderly ? "elderly" : "standard"})`, async ({ page }) => {
      const t = strings[locale];
      await page.addInitScript(
        ([l, mode]) => {
          localStorage.setItem("kapok.locale", l);
          localStorage.setItem("kapok.mode", mode);
        },
        [locale, elderly ? "elderly" : "standard"],
      );
      await page.clock.install();
      await signIn(page, "resident");
      await page.clock.fastForward("27:30");
      const dialog = page.getByRole("alertdialog", { name: t.idle.title });
      await expect(dialog).toBeVisible();
      await expectNoAxeViolations(page, `time-out warning (${locale})`);
      if (elderly) {
        await expectEnhancedContrast(page, `time-out warning (${locale})`);
        expect(await smallTargets(page, 60)).toEqual([]);
      }
    });
  }
}

test("a first visit asks the server nothing it can only refuse, and the console stays clean", async ({ page }) => {
  const refused: string[] = [];
  const errors: string[] = [];
  page.on("response", (r) => {
    if (r.status() >= 400) refused.push(`${r.status()} ${r.url()}`);
  });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await open(page, "/");
  await expect(page.getByLabel(s.sign_in.username, { exact: true })).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(refused).toEqual([]);
  expect(errors).toEqual([]);

  // Once someone has signed in here, opening the app asks who is signed in, and they are.
  await signIn(page, "resident");
  await page.reload();
  await expect(page).toHaveURL(/\/resident$/);
  expect(refused).toEqual([]);
});

test.describe("a returning device", () => {
  // The app's files come from the network, so holding the wasm back holds the app back.
  test.use({ serviceWorkers: "block" });

  test("asks who is signed in once, while the app is still on its way", async ({ page }) => {
    await signIn(page, "resident");
    const asked: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname === "/api/v1/me") asked.push(r.url());
    });
    // Hold the app back until the question has gone out: the page, not the app, asked it.
    let releaseApp = () => {};
    const appHeld = new Promise<void>((resolve) => (releaseApp = resolve));
    await page.route(/_bg\.wasm$/, async (route) => {
      await appHeld;
      await route.continue();
    });
    const reload = page.reload();
    await expect.poll(() => asked.length).toBe(1);
    releaseApp();
    await reload;
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page).toHaveURL(/\/resident$/);
    await page.waitForLoadState("networkidle");
    // The app took the answer that was waiting rather than asking again.
    expect(asked).toHaveLength(1);
    const timings = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((e) => new URL(e.name).pathname === "/api/v1/me")
        .map((e) => (e as PerformanceResourceTiming).initiatorType),
    );
    expect(timings).toEqual(["link"]);
  });
});

test("a page left alone is not redrawn every second while no warning shows", async ({ page }) => {
  await signIn(page, "resident");
  await open(page, "/resident/me");
  await page.waitForLoadState("networkidle");
  const changes = await page.evaluate(
    () =>
      new Promise<string[]>((resolve) => {
        const seen: string[] = [];
        const observer = new MutationObserver((records) => {
          for (const r of records) {
            const element = r.target instanceof Element ? r.target : r.target.parentElement;
            seen.push(`${r.type} in <${element?.tagName.toLowerCase()} class="${element?.className}">`);
          }
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        setTimeout(() => {
          observer.disconnect();
          resolve(seen);
        }, 3500);
      }),
  );
  expect(changes).toEqual([]);
});

test("signing out in one tab leaves no licence showing in the others, and no link the next person could open", async ({ page, context }) => {
  await signIn(page, "resident");
  await open(page, "/resident/wallet/lic-resident-id");
  await expect(page.getByTestId("licence-token")).toHaveText(/^KP1:/);
  const other = await context.newPage();
  await open(other, "/resident/wallet");
  await expect(other.getByRole("link", { name: new RegExp(s.licence_type.resident_id_card) }).first()).toBeVisible();
  // A forwarded link opened in this tab and not decided on.
  await page.evaluate(() => sessionStorage.setItem("kapok.authorize", "a-secret-from-a-forwarded-link"));

  await open(page, "/resident/me");
  await page.getByRole("main").getByRole("button", { name: s.me.sign_out, exact: true }).click();
  await expect(page).toHaveURL(/\/$/);
  expect(await page.evaluate(() => sessionStorage.getItem("kapok.authorize"))).toBeNull();
  // The other tab goes to sign-in by itself, without a request of its own failing first, and
  // says she signed out; signing in there leads home, not back (the next person may be another).
  await expect(other).toHaveURL(/\/$/);
  await expect(other.getByText(s.sign_in.signed_out)).toBeVisible();
  await expect(other.getByRole("button", { name: s.sign_in.submit, exact: true })).toBeVisible();
  await expect(other.getByRole("link", { name: new RegExp(s.licence_type.resident_id_card) })).toHaveCount(0);
});
