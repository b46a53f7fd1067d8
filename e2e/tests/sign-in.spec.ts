// Sign-in as people get it wrong, and the doors between shells.
import { expect, test } from "../support/test";
import { type LocaleTag, fillSignIn, heading, open, pageLocale, saysUntil, signIn, strings } from "../support/kapok";

const s = strings["zh-CN"];

test("a wrong password gets a clear message and keeps what was typed", async ({ page }) => {
  await signIn(page, "resident", "not-the-password");
  await expect(page.getByRole("alert")).toHaveText(s.errors.bad_credentials);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByLabel(s.sign_in.username, { exact: true })).toHaveValue("resident");
});

test("after ten wrong passwords for one name, the form says to wait or use a passkey, and keeps what was typed", async ({ page }) => {
  // A name no account has (and new on every run): it is counted all the same.
  const name = `nobody-${Date.now()}`;
  await page.goto("/");
  const answer = () => page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/session" && r.request().method() === "POST");
  for (let i = 0; i < 10; i++) {
    const answered = answer();
    await fillSignIn(page, name, `guess-${i}`);
    expect((await answered).status()).toBe(401);
    await expect(page.getByRole("alert")).toHaveText(s.errors.bad_credentials);
  }
  const answered = answer();
  await fillSignIn(page, name, "guess-10");
  const refused = await answered;
  expect(refused.status()).toBe(429);
  // Until the first of the ten is 15 minutes old, which the form names as a time.
  const wait = Number(refused.headers()["retry-after"]);
  expect(wait).toBeGreaterThan(14 * 60);
  expect(wait).toBeLessThanOrEqual(15 * 60);
  await expect(page.getByRole("alert")).toHaveText(saysUntil(s.errors.too_many_sign_in_attempts_until, wait));
  await expect(page.getByLabel(s.sign_in.username, { exact: true })).toHaveValue(name);
  await expect(page).toHaveURL(/\/$/);
});

test("a username typed on a Chinese keyboard in full-width mode signs in as the account", async ({ page }) => {
  await signIn(page, "ｅｌｄｅｒ\u3000");
  await expect(page).toHaveURL(/\/resident$/);
  const me = await (await page.request.get("/api/v1/me")).json();
  expect(me.user.username).toBe("elder");
});

test("an empty form is caught before it is sent", async ({ page }) => {
  await page.goto("/");
  await page.getByRole("button", { name: s.sign_in.submit, exact: true }).click();
  await expect(page.getByRole("alert")).toHaveText(s.sign_in.missing_fields);
});

test("a demo account signs in with one tap", async ({ page }) => {
  await page.goto("/");
  const demo = page.getByRole("region", { name: s.sign_in.demo_heading }).or(page.locator("section", { hasText: s.sign_in.demo_heading }));
  await demo.getByRole("button", { name: /王丽华/ }).click();
  await expect(page).toHaveURL(/\/official$/);
  await expect(await heading(page)).toHaveText(s.shell.official);
});

test("a second demo account tapped while the first signs in is not sent: the page and the server agree on who is signed in", async ({ page }) => {
  await page.goto("/");
  const demo = page.getByRole("region", { name: s.sign_in.demo_heading }).or(page.locator("section", { hasText: s.sign_in.demo_heading }));
  // A slow network: the first sign-in's answer is held until the second tap has been made.
  const sent: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route("**/api/v1/session", async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    sent.push(route.request().postDataJSON().username);
    await held;
    await route.continue();
  });
  await demo.getByRole("button", { name: /陈嘉欣/ }).click();
  await expect.poll(() => sent).toEqual(["resident"]);
  // Every way to sign in waits meanwhile, and says so.
  for (const button of [demo.getByRole("button", { name: /王丽华/ }), page.getByRole("button", { name: s.sign_in.passkey })]) {
    await expect(button).toHaveAttribute("aria-disabled", "true");
    // Tapped all the same, as an impatient thumb would.
    await button.click({ force: true });
  }
  await expect(page.getByRole("button", { name: s.sign_in.submitting })).toHaveAttribute("aria-disabled", "true");
  release();
  await expect(page).toHaveURL(/\/resident$/);
  expect(sent).toEqual(["resident"]);
  const me = await (await page.request.get("/api/v1/me")).json();
  expect(me.user.username).toBe("resident");
});

test("a link opened while signed out leads to sign in, and from there to where it pointed", async ({ page }) => {
  await page.goto("/enterprise/delegation");
  await expect(await heading(page)).toHaveText(s.sign_in.title);
  expect(new URL(page.url()).pathname).toBe("/");
  expect(new URL(page.url()).searchParams.get("next")).toBe("/enterprise/delegation");
  await fillSignIn(page, "staff");
  await expect(page).toHaveURL(/\/enterprise\/delegation$/);
});

test("signed in, going back to the sign-in page goes on home, without building it or an error", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto("/");
  await fillSignIn(page, "resident");
  await expect(page).toHaveURL(/\/resident$/);
  // Back, and a route change to "/" from within the app.
  await page.goBack();
  await expect(page).toHaveURL(/\/resident$/);
  await page.evaluate(() => {
    history.pushState({}, "", "/");
    dispatchEvent(new PopStateEvent("popstate"));
  });
  await expect(page).toHaveURL(/\/resident$/);
  await expect(await heading(page)).toHaveText(s.shell.resident);
  // A "next" that is the sign-in page itself would go round in a circle: home instead.
  await page.goto("/?next=%2F%3Fnext%3D%252F");
  await expect(page).toHaveURL(/\/resident$/);
  await page.getByRole("link", { name: s.tabs.wallet }).click();
  await expect(page).toHaveURL(/\/resident\/wallet$/);
  expect(errors).toEqual([]);
});

test("no next, however written, sends anyone signed in or signing in to another site", async ({ page, context }) => {
  // Each of these passes for a path at a glance; the browser's URL parser drops the tab or
  // line break and reads "//evil.example", another site.
  const payloads = ["/%09/evil.example/", "/%0A/evil.example/", "/%0D/evil.example/", "//evil.example/", "/%5Cevil.example/", "%2F%2Fevil.example/"];
  const elsewhere: string[] = [];
  await context.route((url) => url.hostname.endsWith("evil.example"), (route) => {
    elsewhere.push(route.request().url());
    return route.abort();
  });
  // Signing in with a next that leads away: home instead.
  await page.goto(`/?next=${payloads[0]}`);
  await fillSignIn(page, "resident");
  await expect(page).toHaveURL(/\/resident$/);
  // Already signed in: each is ignored, home instead.
  for (const payload of payloads) {
    await page.goto(`/?next=${payload}`);
    await expect(page).toHaveURL(/localhost:\d+\/resident$/);
  }
  expect(elsewhere).toEqual([]);
});

test("a resident cannot open another persona's shell, and her own comes back in its own colours", async ({ page }) => {
  const theme = () => page.locator("html");
  await signIn(page, "resident");
  await expect(page).toHaveURL(/\/resident$/);
  await expect(theme()).toHaveAttribute("data-persona", "resident");
  await page.goto("/official/inbox");
  await expect(page).toHaveURL(/\/resident$/);
  await expect(theme()).toHaveAttribute("data-persona", "resident");
  await page.goto("/");
  await expect(page).toHaveURL(/\/resident$/);
  await expect(theme()).toHaveAttribute("data-persona", "resident");
});

test("staff sent from the officials' address to their own shell see its colours, not the resident's", async ({ page }) => {
  await signIn(page, "staff");
  await expect(page).toHaveURL(/\/enterprise$/);
  const brand = () => page.locator("header").first().evaluate((el) => getComputedStyle(el).backgroundColor);
  const enterprise = await brand();
  await page.goto("/official/inbox");
  await expect(page).toHaveURL(/\/enterprise$/);
  await expect(page.locator("html")).toHaveAttribute("data-persona", "enterprise");
  expect(await brand()).toBe(enterprise);
});

test("a deep link survives a reload", async ({ page }) => {
  await signIn(page, "staff");
  await page.goto("/enterprise/wallet");
  await page.reload();
  await expect(await heading(page)).toHaveText(s.wallet.company_title);
});

test("an unknown address says so and leads home", async ({ page }) => {
  await page.goto("/no/such/page");
  await expect(await heading(page)).toHaveText(s.not_found.title);
  await page.getByRole("link", { name: s.not_found.home }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("an application that is not there (or not hers) says so and leads home, with nothing to retry", async ({ page }) => {
  await signIn(page, "resident");
  await open(page, "/resident/applications/no-such-application");
  await expect(page.getByText(s.errors.not_found)).toBeVisible();
  await expect(page.getByRole("button", { name: s.errors.retry })).toHaveCount(0);
  await page.getByRole("main").getByRole("link", { name: s.not_found.home }).click();
  await expect(page).toHaveURL(/\/resident$/);
});

test("the enterprise home shows the company register entry", async ({ page }) => {
  await signIn(page, "legal-rep");
  await expect(page.getByRole("heading", { name: "广州木棉数字科技有限公司" })).toBeVisible();
  await expect(page.getByText(/^91440106MA5D8XKP3[0-9A-Z]$/)).toBeVisible();
  await expect(page.getByText(s.home.role_legal_representative, { exact: true })).toBeVisible();
});

const BROWSER_LANGUAGES: [string, LocaleTag][] = [
  ["zh-TW", "zh-HK"],
  ["zh-HK", "zh-HK"],
  ["zh-SG", "zh-CN"],
  ["en-GB", "en"],
  ["fr-FR", "en"],
];

for (const [browser, expected] of BROWSER_LANGUAGES) {
  test.describe(`a first visit from a ${browser} browser`, () => {
    test.use({ locale: browser });
    test(`is in ${expected}`, async ({ page }) => {
      await open(page, "/");
      expect(await pageLocale(page)).toBe(expected);
      await expect(await heading(page)).toHaveText(strings[expected].sign_in.title);
    });
  });
}
