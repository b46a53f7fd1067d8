// Services end to end: file with licences from the wallet, the department decides, the
// applicant follows the timeline and gets a message, and an approval lands in the wallet.
import { type Browser, type Page, type Route } from "@playwright/test";
import { expect, test } from "../support/test";
import { expectNoAxeViolations } from "../support/axe";
import { ask, personWithPasskey } from "../support/delegation";
import { LOCALES, endSessionOnServer, fill, fillSignIn, open, signIn, strings } from "../support/kapok";

const s = strings["zh-CN"];
const COMPANY = "广州木棉数字科技有限公司";

async function person(browser: Browser, baseURL: string | undefined, username: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, locale: "zh-CN" });
  const page = await context.newPage();
  await signIn(page, username);
  return page;
}

/** Opens a service's form from the catalogue, as a person would. */
async function startApplying(page: Page, root: string, service: string) {
  await open(page, `${root}/services`);
  await page.getByRole("link", { name: fill(s.services.apply_label, { service }) }).click();
  await expect(page.getByRole("heading", { level: 1, name: service })).toBeVisible();
}

/** The official takes the application on from the inbox; returns the official's page on it. */
/// Opens the social-security record form as the resident, with its months and purpose filled
/// in, and counts the filings sent from here on; the first one reaches the server, and what
/// its answer then meets is `lose`'s to decide.
async function applyWithLostAnswer(page: Page, from: string, to: string, lose: (route: Route) => Promise<void>) {
  await signIn(page, "resident");
  await startApplying(page, "/resident", s.service.social_security_record.name);
  await page.getByLabel(s.form.from_month).fill(from);
  await page.getByLabel(s.form.to_month).fill(to);
  await page.getByRole("radio", { name: s.purpose.housing }).check();
  const sends = { count: 0 };
  await page.route("**/api/v1/applications", async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    sends.count += 1;
    if (sends.count > 1) return route.continue();
    await lose(route);
  });
  return sends;
}

/// Sending again opens the application, filed once: the one the first, lost, sending made.
async function sendAgainFilesOnce(page: Page, from: string, sends: { count: number }) {
  await page.getByRole("button", { name: s.apply.submit }).click();
  await expect(page).toHaveURL(/\/resident\/applications\/[\w-]+$/);
  expect(sends.count).toBe(2);
  const mine = await (await page.request.get("/api/v1/applications")).json();
  const these = mine.filter((a: { form: { from_month?: string } }) => a.form.from_month === from);
  expect(these).toHaveLength(1);
  expect(these[0].id).toBe(page.url().split("/").pop());
}

async function claim(official: Page, applicationId: string) {
  await open(official, "/official/inbox");
  await official.locator(`a[href="/official/inbox/${applicationId}"]`).click();
  await official.getByRole("button", { name: s.tasks.claim }).click();
  await expect(official.getByText(fill(s.tasks.handled_by, { name: "王丽华" }))).toBeVisible();
  // The button goes once it has done its work; the keyboard carries on from the reason.
  await expect(official.getByLabel(s.tasks.reason_label)).toBeFocused();
}

const applicationId = (page: Page) => page.url().split("/").pop() ?? "";

test("a resident renews a driving licence with the wallet's ID card; the official approves; the new licence is in the wallet with a working code", async ({
  browser,
  baseURL,
}) => {
  const resident = await person(browser, baseURL, "resident");
  const service = s.service.driving_licence_renewal.name;
  await startApplying(resident, "/resident", service);
  // Nothing to type for what the wallet holds: the only fitting licences are chosen already.
  await expect(resident.getByRole("group", { name: s.form.identity }).getByRole("radio", { name: /居民身份证/ })).toBeChecked();
  await expect(resident.getByRole("group", { name: s.form.licence }).getByRole("radio")).toBeChecked();

  // Sending an incomplete form says what is missing, field by field, and keeps what was typed.
  await resident.getByLabel(s.form.phone).fill("1380013800");
  await resident.getByRole("button", { name: s.apply.submit }).click();
  await expect(resident.getByRole("alert")).toContainText(fill(s.apply.problems.other, { count: "4" }));
  await expect(resident.getByLabel(s.form.phone)).toHaveAttribute("aria-invalid", "true");
  await expect(resident.getByText(s.problem.bad_phone)).toBeVisible();
  await expect(resident.getByLabel(s.form.phone)).toHaveValue("1380013800");
  // Each says what to do with that kind of field: choose, tick, fill in.
  await expect(resident.getByRole("group", { name: s.form.reason })).toContainText(s.problem.choose);
  await expect(resident.getByText(s.problem.tick)).toBeVisible();
  await expect(resident.getByText(s.problem.required)).toHaveCount(1);

  await resident.getByRole("radio", { name: s.reason.expiring }).check();
  await resident.getByRole("checkbox", { name: s.form.health_declared }).check();
  await resident.getByLabel(s.form.postal_address).fill("广州市天河区天河路385号");
  // Typed on a Chinese keyboard in full-width mode, with the country code: the number meant.
  await resident.getByLabel(s.form.phone).fill("＋８６ １３８ ００１３ ８０００");
  await resident.getByRole("button", { name: s.apply.submit }).click();
  await expect(resident).toHaveURL(/\/resident\/applications\/[\w-]+$/);
  const id = applicationId(resident);
  const filed = await (await resident.request.get(`/api/v1/applications/${id}`)).json();
  expect(filed.form.phone).toBe("138 0013 8000");
  await expect(resident.getByRole("status")).toContainText(s.application_status.accepted);

  // While it is in progress, the same licence is not sent for renewal again.
  const again = await resident.context().newPage();
  await startApplying(again, "/resident", service);
  await again.getByRole("radio", { name: s.reason.lost }).check();
  await again.getByRole("checkbox", { name: s.form.health_declared }).check();
  await again.getByLabel(s.form.postal_address).fill("广州市天河区天河路385号");
  await again.getByLabel(s.form.phone).fill("13800138000");
  await again.getByRole("button", { name: s.apply.submit }).click();
  await expect(again.getByRole("alert")).toHaveText(s.errors.already_applied);
  await expect(again.getByLabel(s.form.postal_address)).toHaveValue("广州市天河区天河路385号");
  await again.close();

  const official = await person(browser, baseURL, "official");
  await claim(official, id);
  // The official sees which licence is to be renewed: its kind, holder and masked number.
  await expect(official.getByRole("definition").filter({ hasText: s.licence_type.driving_licence })).toContainText(/陈嘉欣 4401\*+\d{4}/);
  await official.getByRole("button", { name: s.tasks.approve, exact: true }).click();
  await expect(official.getByText(fill(s.tasks.done, { status: s.application_status.issued }))).toBeVisible();
  await expect(official.getByText(fill(s.tasks.done, { status: s.application_status.issued }))).toBeFocused();

  // The applicant's page moves on by itself.
  await expect(resident.getByRole("status")).toContainText(s.application_status.issued, { timeout: 15_000 });
  const timeline = resident.getByRole("list").filter({ hasText: s.application_status.under_review });
  for (const step of ["submitted", "accepted", "under_review", "approved", "issued"]) {
    await expect(timeline).toContainText(s.application_status[step]);
  }
  await expect(timeline).toContainText(fill(s.application.by, { name: "王丽华" }));

  // A message waits in the inbox, counted on the tab.
  const tab = resident.getByRole("link", { name: new RegExp(s.tabs.messages) });
  await expect(tab).toContainText(/\d/);
  await tab.click();
  const message = resident.getByRole("listitem").filter({ hasText: fill(s.messages.application, { service, status: s.application_status.issued }) });
  await expect(message.first()).toBeVisible();

  // The renewed licence is in the wallet, and its code checks out at the counter.
  await open(resident, `/resident/applications/${id}`);
  await resident.getByRole("link", { name: s.application.see_licence }).click();
  await expect(resident.getByRole("heading", { level: 1, name: s.licence_type.driving_licence })).toBeVisible();
  await expect(resident.getByTestId("licence-token")).toHaveText(/^KP1:/);
  const token = (await resident.getByTestId("licence-token").textContent()) ?? "";
  await open(official, "/official/verify");
  await official.getByLabel(s.verify.token_label, { exact: true }).fill(token);
  await official.getByRole("button", { name: s.verify.submit, exact: true }).click();
  await expect(official.getByRole("heading", { name: s.verify.valid_title })).toBeVisible();
  await expect(official.getByText(s.licence_type.driving_licence).first()).toBeVisible();
  await resident.context().close();
  await official.context().close();
});

test.describe("what she was typing and has not sent", () => {
  // The social security record: no test running beside these changes her identity card.
  const service = s.service.social_security_record.name;
  const from = "2024-01";
  const to = "2024-12";

  async function halfFilled(page: Page) {
    await signIn(page, "resident");
    await startApplying(page, "/resident", service);
    await expect(page.getByRole("group", { name: s.form.identity }).getByRole("radio")).toBeChecked();
    await page.getByLabel(s.form.from_month).fill(from);
    await page.getByLabel(s.form.to_month).fill(to);
    await page.getByRole("radio", { name: s.purpose.housing }).check();
    return new URL(page.url()).pathname;
  }

  test("is there again after she signs in again, and sends", async ({ page, baseURL }) => {
    const form = await halfFilled(page);
    await endSessionOnServer(page, baseURL);
    // Saving it as a draft is what finds the session gone.
    await page.getByRole("button", { name: s.apply.save_draft }).click();
    await expect(page.getByText(s.sign_in.expired)).toBeVisible();
    expect(new URL(page.url()).searchParams.get("next")).toBe(form);
    // Meanwhile the card she chose was replaced (revoked, renewed): the choice kept for her
    // no longer fits, and is not sent.
    const replaced = await page.evaluate((form) => {
      const kept: { path: string; form: string }[] = JSON.parse(sessionStorage.getItem("kapok.unsaved")!);
      const hers = kept.find((k) => k.path === form)!;
      const was = hers.form;
      hers.form = was.replace(/"identity_licence_id":"lic-[^"]*"/, '"identity_licence_id":"lic-replaced"');
      sessionStorage.setItem("kapok.unsaved", JSON.stringify(kept));
      return hers.form !== was;
    }, form);
    expect(replaced).toBe(true);

    await fillSignIn(page, "resident");
    await expect(page).toHaveURL(new RegExp(`${form}$`));
    await expect(page.getByText(s.idle.kept)).toBeVisible();
    // The one card that fits now is chosen in its place.
    await expect(page.getByRole("group", { name: s.form.identity }).getByRole("radio")).toBeChecked();
    await expect(page.getByLabel(s.form.from_month)).toHaveValue(from);
    await expect(page.getByLabel(s.form.to_month)).toHaveValue(to);
    await expect(page.getByRole("radio", { name: s.purpose.housing })).toBeChecked();
    await page.getByRole("button", { name: s.apply.submit }).click();
    await expect(page).toHaveURL(/\/resident\/applications\/[\w-]+$/);

    // Given back once: the form opened afresh is empty.
    await startApplying(page, "/resident", service);
    await expect(page.getByLabel(s.form.from_month)).toHaveValue("");
    await expect(page.getByText(s.idle.kept)).toHaveCount(0);
  });

  test("is there again after the app's own time-out", async ({ page }) => {
    await page.clock.install();
    const form = await halfFilled(page);
    await page.clock.fastForward("27:30");
    await expect(page.getByRole("alertdialog", { name: s.idle.title })).toBeVisible();
    await page.clock.fastForward("02:00");
    await expect(page.getByText(s.sign_in.timed_out)).toBeVisible();
    await fillSignIn(page, "resident");
    await expect(page).toHaveURL(new RegExp(`${form}$`));
    await expect(page.getByLabel(s.form.from_month)).toHaveValue(from);
    await expect(page.getByLabel(s.form.to_month)).toHaveValue(to);
  });

  test("is not shown to someone else who signs in on the phone, and is gone for her too", async ({ page, baseURL }) => {
    const form = await halfFilled(page);
    await endSessionOnServer(page, baseURL);
    // Saving it as a draft is what finds the session gone.
    await page.getByRole("button", { name: s.apply.save_draft }).click();
    await expect(page.getByText(s.sign_in.expired)).toBeVisible();
    expect(await page.evaluate(() => sessionStorage.getItem("kapok.unsaved"))).toContain(from);

    // Another resident picks up the phone and signs in: the link leads to the same form, empty.
    await fillSignIn(page, "elder");
    await expect(page).toHaveURL(new RegExp(`${form}$`));
    await expect(page.getByLabel(s.form.from_month)).toHaveValue("");
    await expect(page.getByLabel(s.form.to_month)).toHaveValue("");
    await expect(page.getByText(s.idle.kept)).toHaveCount(0);
    expect(await page.evaluate(() => sessionStorage.getItem("kapok.unsaved"))).toBeNull();
  });

  test("a request for authority is there again, and an untouched one is not kept", async ({ page, baseURL }) => {
    const note = "请授权我下周代办营业执照年报";
    await signIn(page, "staff");
    await open(page, "/enterprise/delegation");
    await page.getByRole("checkbox", { name: s.scope.applications }).check();
    await page.getByLabel(s.delegation.note_label).fill(note);
    await endSessionOnServer(page, baseURL);
    // Sending it is what finds the session gone, unless one of the app's own requests (the
    // page's, the inbox count's) finds it first: then she is at sign-in before she taps.
    await page.getByRole("button", { name: s.delegation.submit }).click({ timeout: 5_000 }).catch(() => {});
    await expect(page.getByText(s.sign_in.expired)).toBeVisible();

    await fillSignIn(page, "staff");
    await expect(page).toHaveURL(/\/enterprise\/delegation$/);
    await expect(page.getByText(s.idle.kept)).toBeVisible();
    await expect(page.getByLabel(s.delegation.note_label)).toHaveValue(note);
    await expect(page.getByRole("checkbox", { name: s.scope.applications })).toBeChecked();
    await expect(page.getByRole("checkbox", { name: s.scope.present_licences })).toBeChecked();

    // Left unsent for another page, it is there again when she comes back.
    await page.getByRole("link", { name: s.tabs.me }).click();
    await page.getByRole("link", { name: s.tabs.delegation }).click();
    await expect(page.getByText(s.idle.kept_left)).toBeVisible();
    await expect(page.getByLabel(s.delegation.note_label)).toHaveValue(note);
    // Started again, it is as the form opens, focus is on its first field, and nothing is kept.
    await page.getByRole("button", { name: s.idle.start_again }).click();
    await expect(page.getByLabel(s.delegation.note_label)).toHaveValue("");
    await expect(page.getByRole("checkbox", { name: s.scope.applications })).not.toBeChecked();
    await expect(page.getByText(s.idle.kept_left)).toHaveCount(0);
    await expect(page.locator("form input").first()).toBeFocused();
    await page.getByRole("link", { name: s.tabs.me }).click();
    await page.getByRole("link", { name: s.tabs.delegation }).click();
    await expect(page.getByLabel(s.delegation.note_label)).toHaveValue("");
    await expect(page.getByText(s.idle.kept_left)).toHaveCount(0);
    await expect(page.getByText(s.idle.kept)).toHaveCount(0);
    await endSessionOnServer(page, baseURL);
    await page.getByRole("button", { name: s.delegation.submit }).click({ timeout: 5_000 }).catch(() => {});
    await expect(page.getByText(s.sign_in.expired)).toBeVisible();
    expect(await page.evaluate(() => sessionStorage.getItem("kapok.unsaved"))).toBeNull();
  });

  test("is there again after the page reloads, and after another page and Back; sent, it is gone", async ({ page }) => {
    const form = await halfFilled(page);
    // A phone about to discard the tab in the background hides it first: the form is kept then.
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    expect(await page.evaluate(() => sessionStorage.getItem("kapok.unsaved"))).toContain(from);

    await page.reload();
    await expect(page.getByText(s.idle.kept_left)).toBeVisible();
    await expect(page.getByLabel(s.form.from_month)).toHaveValue(from);
    await expect(page.getByLabel(s.form.to_month)).toHaveValue(to);
    await expect(page.getByRole("radio", { name: s.purpose.housing })).toBeChecked();

    await page.getByRole("link", { name: s.tabs.wallet }).click();
    await expect(page).toHaveURL(/\/resident\/wallet$/);
    await page.goBack();
    await expect(page).toHaveURL(new RegExp(`${form}$`));
    await expect(page.getByText(s.idle.kept_left)).toBeVisible();
    await expect(page.getByLabel(s.form.from_month)).toHaveValue(from);
    await expect(page.getByRole("radio", { name: s.purpose.housing })).toBeChecked();

    await page.getByRole("button", { name: s.apply.submit }).click();
    await expect(page).toHaveURL(/\/resident\/applications\/[\w-]+$/);
    await page.goBack();
    await expect(page).toHaveURL(new RegExp(`${form}$`));
    await expect(page.getByLabel(s.form.from_month)).toHaveValue("");
    await expect(page.getByText(s.idle.kept_left)).toHaveCount(0);
  });

  test("is gone when she signs out on purpose in another tab", async ({ page, context }) => {
    const form = await halfFilled(page);
    await page.getByRole("link", { name: s.tabs.wallet }).click();
    await expect(page).toHaveURL(/\/resident\/wallet$/);
    expect(await page.evaluate(() => sessionStorage.getItem("kapok.unsaved"))).toContain(from);
    const other = await context.newPage();
    await open(other, "/resident/me");
    await other.getByRole("button", { name: s.me.sign_out, exact: true }).click();
    await expect(other.getByText(s.sign_in.signed_out)).toBeVisible();
    // This tab follows as she signed out there: to sign-in, saying so, and nothing kept.
    await expect(page.getByText(s.sign_in.signed_out)).toBeVisible();
    expect(new URL(page.url()).search).toBe("");
    expect(await page.evaluate(() => sessionStorage.getItem("kapok.unsaved"))).toBeNull();
    await fillSignIn(page, "resident");
    await expect(page).toHaveURL(/\/resident$/);
    await open(page, form);
    await expect(page.getByLabel(s.form.from_month)).toHaveValue("");
    await expect(page.getByText(s.idle.kept)).toHaveCount(0);
    await expect(page.getByText(s.idle.kept_left)).toHaveCount(0);
  });

  test("is kept when another tab finds her session ended, and is there again after she signs in", async ({ page, context, baseURL }) => {
    const form = await halfFilled(page);
    await endSessionOnServer(page, baseURL);
    // Another tab opened now asks the server, which refuses; this tab, left as it was, follows.
    const other = await context.newPage();
    await other.goto("/resident/wallet");
    await expect(other.getByText(s.sign_in.expired)).toBeVisible();
    await expect(page.getByText(s.sign_in.expired)).toBeVisible();
    expect(new URL(page.url()).searchParams.get("next")).toBe(form);
    expect(await page.evaluate(() => sessionStorage.getItem("kapok.unsaved"))).toContain(from);
    await fillSignIn(page, "resident");
    await expect(page).toHaveURL(new RegExp(`${form}$`));
    await expect(page.getByText(s.idle.kept)).toBeVisible();
    await expect(page.getByLabel(s.form.from_month)).toHaveValue(from);
    await expect(page.getByLabel(s.form.to_month)).toHaveValue(to);
    await expect(page.getByRole("radio", { name: s.purpose.housing })).toBeChecked();
  });

  test("is gone when she signs out on purpose, even for her", async ({ page }) => {
    const form = await halfFilled(page);
    await page.getByRole("link", { name: s.tabs.me }).click();
    expect(await page.evaluate(() => sessionStorage.getItem("kapok.unsaved"))).toContain(from);
    await page.getByRole("button", { name: s.me.sign_out, exact: true }).click();
    await expect(page.getByText(s.sign_in.signed_out)).toBeVisible();
    expect(await page.evaluate(() => sessionStorage.getItem("kapok.unsaved"))).toBeNull();
    await signIn(page, "resident");
    await open(page, form);
    await expect(page.getByRole("heading", { level: 1, name: service })).toBeVisible();
    await expect(page.getByLabel(s.form.from_month)).toHaveValue("");
    await expect(page.getByText(s.idle.kept_left)).toHaveCount(0);
  });

  test("an official's reason for sending an application back is there again", async ({ browser, baseURL }) => {
    const resident = await person(browser, baseURL, "resident");
    await startApplying(resident, "/resident", service);
    await resident.getByLabel(s.form.from_month).fill("2023-03");
    await resident.getByLabel(s.form.to_month).fill("2023-09");
    await resident.getByRole("radio", { name: s.purpose.schooling }).check();
    await resident.getByRole("button", { name: s.apply.submit }).click();
    await expect(resident).toHaveURL(/\/resident\/applications\/[\w-]+$/);
    const id = applicationId(resident);
    await resident.context().close();

    const official = await person(browser, baseURL, "official");
    await claim(official, id);
    const reason = "请补充说明用于哪一所学校的入学";
    await official.getByLabel(s.tasks.reason_label).fill(reason);
    await endSessionOnServer(official, baseURL);
    await official.getByRole("button", { name: s.tasks.send_back }).click();
    await expect(official.getByText(s.sign_in.expired)).toBeVisible();

    await fillSignIn(official, "official");
    await expect(official).toHaveURL(new RegExp(`/official/inbox/${id}$`));
    await expect(official.getByText(s.idle.kept)).toBeVisible();
    await expect(official.getByLabel(s.tasks.reason_label)).toHaveValue(reason);
    await official.getByRole("button", { name: s.tasks.send_back }).click();
    await expect(official.getByText(fill(s.tasks.done, { status: s.application_status.returned }))).toBeVisible();
    await official.context().close();
  });
});

test("someone with no driving licence is told the renewal cannot be done online, and is not shown a form", async ({
  browser,
  baseURL,
}) => {
  // The Hong Kong resident's wallet holds only her identity card; her account reads zh-HK.
  const hk = strings["zh-HK"];
  const page = await person(browser, baseURL, "hk-resident");
  await open(page, "/resident/services");
  await page.getByRole("link", { name: fill(hk.services.apply_label, { service: hk.service.driving_licence_renewal.name }) }).click();
  await expect(page.getByRole("heading", { name: hk.apply.not_online })).toBeVisible();
  const why = page.getByText(fill(hk.apply.none_in_wallet, { kinds: hk.licence_type.driving_licence }));
  await expect(why.filter({ visible: true })).toHaveCount(1);
  await expect(page.getByRole("button", { name: hk.apply.submit })).toBeHidden();
  await expect(page.getByRole("button", { name: hk.apply.save_draft })).toBeHidden();
  // The way out goes back to the catalogue.
  await page.getByRole("main").getByRole("link", { name: hk.services.title }).click();
  await expect(page).toHaveURL(/\/resident\/services$/);
});

test("an answer lost after the application was filed: the message does not claim nothing changed, and sending again files it once", async ({
  page,
}) => {
  // The first send reaches the server and is filed; the proxy in front loses the answer.
  const sends = await applyWithLostAnswer(page, "2023-02", "2023-03", async (route) => {
    await route.fetch();
    await route.fulfill({ status: 502, contentType: "text/html", body: "<html><body>502 Bad Gateway</body></html>" });
  });
  await page.getByRole("button", { name: s.apply.submit }).click();
  await expect(page.getByRole("alert")).toHaveText(s.errors.unavailable);
  await expect(page.getByText(s.errors.internal)).toHaveCount(0);
  await expect(page.getByLabel(s.form.from_month)).toHaveValue("2023-02");
  await sendAgainFilesOnce(page, "2023-02", sends);
});

test("a tab reloaded while its form was being sent gives the form back, and sending it opens the application that sending filed, not a second", async ({
  page,
}) => {
  // The filing reaches the server; its answer is slow, and the tab reloads before it comes.
  let reached!: () => void;
  const atServer = new Promise<void>((resolve) => (reached = resolve));
  let reloaded!: () => void;
  const afterReload = new Promise<void>((resolve) => (reloaded = resolve));
  const sends = await applyWithLostAnswer(page, "2023-05", "2023-06", async (route) => {
    await route.fetch();
    reached();
    await afterReload;
    await route.abort().catch(() => {});
  });
  await page.getByRole("button", { name: s.apply.submit }).click();
  await atServer;
  await page.reload();
  reloaded();
  await expect(page.getByText(s.idle.kept_left)).toBeVisible();
  await expect(page.getByLabel(s.form.from_month)).toHaveValue("2023-05");
  await sendAgainFilesOnce(page, "2023-05", sends);
});

test("a sending with no answer is given up after 30 seconds in words that say it may have arrived, and sending again files it once", async ({
  page,
}) => {
  await page.clock.install();
  // The first send reaches the server and is filed; its answer never comes back.
  let reached: () => void = () => {};
  const filed = new Promise<void>((resolve) => (reached = resolve));
  const sends = await applyWithLostAnswer(page, "2023-10", "2023-11", async (route) => {
    await route.fetch();
    reached();
  });
  const send = page.getByRole("button", { name: s.apply.submit });
  await send.click();
  await filed;
  await page.clock.runFor(25_000);
  await expect(page.getByRole("button", { name: s.apply.working })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);
  await page.clock.runFor(6_000);
  await expect(page.getByRole("alert")).toHaveText(s.errors.timed_out);
  await expect(send).toBeEnabled();
  await expect(page.getByLabel(s.form.from_month)).toHaveValue("2023-10");
  await sendAgainFilesOnce(page, "2023-10", sends);
});

test("a list with no answer for 30 seconds says so in words for reading, and Retry asks again; an empty one says so once", async ({
  page,
}) => {
  await page.clock.install();
  await signIn(page, "resident");
  // A network that swallows the request: no answer, no error.
  await page.route("**/api/v1/applications", () => {});
  await open(page, "/resident/applications");
  await page.clock.runFor(25_000);
  await expect(page.getByText(s.errors.timed_out_reading)).toHaveCount(0);
  await page.clock.runFor(6_000);
  await expect(page.getByText(s.errors.timed_out_reading)).toBeVisible();
  await expect(page.getByText(s.errors.timed_out)).toHaveCount(0);
  await page.unroute("**/api/v1/applications");
  // Asked again, the list comes back as a new account's would: empty. The empty state says
  // so in its own words, not by repeating the page's heading.
  await page.route("**/api/v1/applications", (route) => route.fulfill({ json: [] }));
  await page.getByRole("button", { name: s.errors.retry }).click();
  await expect(page.getByRole("heading", { level: 2, name: s.application.empty })).toBeVisible();
  await expect(page.getByText(s.application.empty_hint)).toBeVisible();
  await expect(page.getByRole("heading", { name: s.services.my_applications })).toHaveCount(1);
});

test("a returned application is changed and sent again, and the timeline shows both rounds", async ({ browser, baseURL }) => {
  // The elder's account uses elderly mode: the same form, larger.
  const elder = await person(browser, baseURL, "elder");
  await startApplying(elder, "/resident", s.service.social_security_record.name);
  await elder.getByLabel(s.form.from_month).fill("2030-01");
  await elder.getByLabel(s.form.to_month).fill("2024-12");
  await elder.getByRole("radio", { name: s.purpose.housing }).check();
  // A month in the future is caught before sending.
  await elder.getByRole("button", { name: s.apply.submit }).click();
  await expect(elder.getByText(s.problem.bad_month).first()).toBeVisible();
  await elder.getByLabel(s.form.from_month).fill("2024-01");
  await elder.getByRole("button", { name: s.apply.submit }).click();
  await expect(elder).toHaveURL(/\/resident\/applications\/[\w-]+$/);
  const id = applicationId(elder);

  const official = await person(browser, baseURL, "official");
  await claim(official, id);
  // The months asked for, written as the page writes dates, not as the form's field keeps them.
  await expect(official.getByRole("definition").filter({ hasText: /^2024年1月$/ })).toBeVisible();
  await expect(official.getByRole("definition").filter({ hasText: /^2024年12月$/ })).toBeVisible();
  await expect(official.getByText("2024-01")).toHaveCount(0);
  // A return needs a reason: one a reader would see.
  await official.getByRole("button", { name: s.tasks.send_back }).click();
  await expect(official.getByText(s.tasks.reason_needed)).toBeVisible();
  const reasonField = official.getByLabel(s.tasks.reason_label);
  await reasonField.fill("\u200B\u200B");
  await official.getByRole("button", { name: s.tasks.send_back }).click();
  await expect(official.getByText(s.tasks.reason_needed)).toBeVisible();
  // A reason with a text-direction override in it (pasted, or typed to mislead) says what is
  // wrong with it, keeps what was typed, and shows one message, not the last one too.
  const disguised = "资料不全\u202E请补交";
  await reasonField.fill(disguised);
  await official.getByRole("button", { name: s.tasks.send_back }).click();
  await expect(official.getByRole("alert")).toHaveText(s.tasks.reason_hidden);
  await expect(reasonField).toHaveValue(disguised);
  const reason = "请把起始月份改为 2023 年 1 月";
  await official.getByLabel(s.tasks.reason_label).fill(reason);
  await official.getByRole("button", { name: s.tasks.send_back }).click();
  await expect(official.getByText(fill(s.tasks.done, { status: s.application_status.returned }))).toBeVisible();

  await expect(elder.getByText(s.application.returned)).toBeVisible({ timeout: 15_000 });
  await expect(elder.getByText(fill(s.application.reason, { reason })).first()).toBeVisible();
  await elder.getByLabel(s.form.from_month).fill("2023-01");
  await elder.getByRole("button", { name: s.apply.resubmit }).click();
  await expect(elder.getByRole("status")).toContainText(s.application_status.accepted);
  await expect(elder.getByRole("heading", { name: fill(s.application.round, { round: "1" }) })).toBeVisible();
  await expect(elder.getByRole("heading", { name: fill(s.application.round, { round: "2" }) })).toBeVisible();

  await claim(official, id);
  await official.getByRole("button", { name: s.tasks.approve, exact: true }).click();
  await expect(elder.getByRole("status")).toContainText(s.application_status.approved, { timeout: 15_000 });
  await elder.context().close();
  await official.context().close();
});

test("an official deciding an application another tab decided meanwhile is shown where it stands, with no error asking to reload", async ({
  browser,
  baseURL,
}) => {
  const elder = await person(browser, baseURL, "elder");
  await startApplying(elder, "/resident", s.service.social_security_record.name);
  await elder.getByLabel(s.form.from_month).fill("2022-01");
  await elder.getByLabel(s.form.to_month).fill("2022-02");
  await elder.getByRole("radio", { name: s.purpose.housing }).check();
  await elder.getByRole("button", { name: s.apply.submit }).click();
  await expect(elder).toHaveURL(/\/resident\/applications\/[\w-]+$/);
  const id = applicationId(elder);
  await elder.context().close();

  const official = await person(browser, baseURL, "official");
  await claim(official, id);
  const otherTab = await official.context().newPage();
  await open(otherTab, `/official/inbox/${id}`);
  await otherTab.getByLabel(s.tasks.reason_label).fill("缴费记录不全");
  await otherTab.getByRole("button", { name: s.tasks.reject, exact: true }).click();
  const rejected = fill(s.tasks.done, { status: s.application_status.rejected });
  await expect(otherTab.getByText(rejected)).toBeVisible();

  // The first tab still offers the decision.
  await official.getByRole("button", { name: s.tasks.approve, exact: true }).click();
  await expect(official.getByText(s.tasks.moved_on)).toBeVisible();
  await expect(official.getByText(rejected)).toBeVisible();
  await expect(official.getByRole("alert")).toHaveCount(0);
  await expect(official.getByRole("button", { name: s.tasks.approve, exact: true })).toHaveCount(0);
  await official.context().close();
});

test("staff file the food-business permit for the company only with the applications scope", async ({ browser, baseURL }) => {
  const service = s.service.food_business_permit.name;
  const clerk = await browser.newContext({ baseURL, locale: "zh-CN", permissions: ["clipboard-read", "clipboard-write"] });
  const staff = await clerk.newPage();
  await signIn(staff, "clerk");

  // Without authority: told before and refused on sending, in words.
  await startApplying(staff, "/enterprise", service);
  await expect(staff.getByText(fill(s.apply.for_company, { company: COMPANY }))).toBeVisible();
  await expect(staff.getByText(fill(s.apply.need_scope, { company: COMPANY }))).toBeVisible();
  await staff.getByRole("button", { name: s.apply.submit }).click();
  await expect(staff.getByRole("alert").filter({ hasText: s.errors.scope_not_granted })).toBeVisible();

  // The legal representative grants it with a passkey.
  const rep = await personWithPasskey(browser, baseURL, "legal-rep", "/enterprise");
  const { link } = await ask(staff, "/enterprise/delegation", [s.scope.present_licences, s.scope.applications], "请授权我办理食品经营许可");
  await rep.page.goto(link);
  await rep.page.getByRole("button", { name: s.authorize.approve }).click();
  await expect(rep.page.getByRole("status").filter({ hasText: s.request_status.approved }).first()).toBeVisible();

  await startApplying(staff, "/enterprise", service);
  await expect(staff.getByText(fill(s.apply.need_scope, { company: COMPANY }))).toHaveCount(0);
  await expect(staff.getByRole("group", { name: s.form.business_licence }).getByRole("radio")).toBeChecked();
  // Every answer is needed, and the form says so, in words and to a screen reader field by field.
  await expect(staff.getByText(s.apply.all_needed)).toBeVisible();
  for (const field of [s.form.premises_address, s.form.area, s.form.safety_manager, s.form.phone]) {
    await expect(staff.getByLabel(field)).toHaveJSProperty("required", true);
  }
  await staff.getByLabel(s.form.premises_address).fill("广州市天河区珠江新城花城大道 88 号首层");
  await staff.getByRole("checkbox", { name: s.food_kind.catering }).check();
  await staff.getByLabel(s.form.area).fill("120");
  await staff.getByLabel(s.form.safety_manager).fill("周晓彤");
  await staff.getByLabel(s.form.phone).fill("13900139000");
  await staff.getByRole("button", { name: s.apply.submit }).click();
  await expect(staff).toHaveURL(/\/enterprise\/applications\/[\w-]+$/);
  await expect(staff.getByRole("status")).toContainText(s.application_status.accepted);
  await expect(staff.getByText(COMPANY).first()).toBeVisible();

  // The market regulator sees it; the service centre does not.
  const id = applicationId(staff);
  const regulator = await person(browser, baseURL, "market-official");
  await open(regulator, "/official/inbox");
  await expect(regulator.locator(`a[href="/official/inbox/${id}"]`)).toBeVisible();
  const centre = await person(browser, baseURL, "official");
  await open(centre, "/official/inbox");
  await expect(centre.getByRole("heading", { level: 1 })).toHaveText(s.tasks.title);
  await expect(centre.locator(`a[href="/official/inbox/${id}"]`)).toHaveCount(0);
  await clerk.close();
  await rep.page.context().close();
  await regulator.context().close();
  await centre.context().close();
});

test("the catalogue finds a service in either Chinese script or English, whatever the page's language", async ({ page }) => {
  await signIn(page, "resident");
  await open(page, "/resident/services");
  const search = page.getByRole("searchbox", { name: s.services.search_label });
  for (const words of ["驾驶证", "駕駛執照", "driving"]) {
    await search.fill(words);
    const results = page.getByRole("region", { name: s.services.results });
    await expect(results.getByRole("heading", { name: s.service.driving_licence_renewal.name })).toBeVisible();
    await expect(results.getByRole("heading", { name: s.service.social_security_record.name })).toHaveCount(0);
  }
  await search.fill("不存在的服务");
  await expect(page.getByText(s.services.no_results)).toBeVisible();
  await search.fill("");
  // High-frequency services come first, grouped by topic after.
  const headings = page.getByRole("main").getByRole("heading", { level: 2 });
  await expect(headings.first()).toHaveText(s.services.frequent);
  await expect(page.getByRole("heading", { level: 2, name: s.topic.household })).toBeVisible();
  // A service done at a counter says so, and offers no form.
  const counter = page.locator('[data-service="household_move"]');
  await expect(counter).toContainText(s.services.visit_needed);
  await expect(counter.getByRole("link")).toHaveCount(0);
});

for (const locale of LOCALES) {
  for (const elderly of [false, true]) {
    test(`services pages have no axe violations (${locale}, ${elderly ? "elderly" : "standard"})`, async ({ page }) => {
      const t = strings[locale];
      await page.addInitScript(
        ([l, mode]) => {
          localStorage.setItem("kapok.locale", l);
          localStorage.setItem("kapok.mode", mode);
        },
        [locale, elderly ? "elderly" : "standard"],
      );
      const context = `(${locale}, ${elderly ? "elderly" : "standard"})`;
      await signIn(page, "hk-resident");
      await open(page, "/resident/services");
      await expectNoAxeViolations(page, `catalogue ${context}`);
      await page.getByRole("link", { name: fill(t.services.apply_label, { service: t.service.social_security_record.name }) }).click();
      const identity = page.getByRole("group", { name: t.form.identity }).getByRole("radio");
      await expect(identity).toBeChecked();
      await page.getByRole("button", { name: t.apply.submit }).click();
      await expect(page.getByRole("alert").first()).toBeVisible();
      await expectNoAxeViolations(page, `form with errors ${context}`);
      await page.getByRole("button", { name: t.apply.save_draft }).click();
      await expect(page).toHaveURL(/\/resident\/applications\/[\w-]+$/);
      await expect(identity).toBeChecked();
      await expectNoAxeViolations(page, `draft ${context}`);
      // Sent, it shows its timeline.
      await page.getByLabel(t.form.from_month).fill("2024-01");
      await page.getByLabel(t.form.to_month).fill("2024-06");
      await page.getByRole("radio", { name: t.purpose.employment }).check();
      await page.getByRole("button", { name: t.apply.submit }).click();
      await expect(page.getByRole("status")).toContainText(t.application_status.accepted);
      await expect(page.getByRole("heading", { name: t.application.timeline })).toBeVisible();
      // The ID card taken from her wallet, its holder's name marked as the card writes it.
      await expect(page.locator('dd [lang="zh-HK"]', { hasText: "陳志偉" })).toBeVisible();
      await expectNoAxeViolations(page, `timeline ${context}`);
      await open(page, "/resident/applications");
      await expect(page.getByRole("main").getByRole("listitem").first()).toBeVisible();
      await expectNoAxeViolations(page, `applications ${context}`);
      await open(page, "/resident/messages");
      await expectNoAxeViolations(page, `messages ${context}`);
      await page.context().clearCookies();
      await signIn(page, "official");
      await open(page, "/official/inbox");
      await expectNoAxeViolations(page, `approvals inbox ${context}`);
    });
  }
}

test("with the server failing, the form offers the licences saved on the device, or says what failed and tries again", async ({ page }) => {
  await signIn(page, "resident");
  const service = s.service.social_security_record.name;
  const identity = page.getByRole("group", { name: s.form.identity });
  // Never opened the wallet on this device: nothing saved, so the failure is said, with Retry.
  await page.route("**/api/v1/wallet", (route) => route.fulfill({ status: 503, contentType: "application/problem+json", body: "{}" }));
  await startApplying(page, "/resident", service);
  const retry = identity.getByRole("button", { name: s.errors.retry });
  await expect(retry).toBeVisible();
  await expect(identity.getByText(s.loading)).toHaveCount(0);
  await page.unroute("**/api/v1/wallet");
  await retry.click();
  await expect(identity.getByRole("radio", { name: /居民身份证/ })).toBeChecked();

  // The wallet is now saved on the device; with the server failing again, the form offers it.
  await page.route("**/api/v1/wallet", (route) => route.abort("internetdisconnected"));
  await startApplying(page, "/resident", service);
  await expect(identity.getByRole("radio", { name: /居民身份证/ })).toBeChecked();
});
