// A resident and her mother (the demo household register's only relatives): authority given
// in the family. A grant from her mother changes what the resident's wallet, home and lists
// show, which other specs read, so these run on their own, after them, one at a time
// (playwright.config.ts).
import { type Browser, type Page } from "@playwright/test";
import { expect, test } from "../../support/test";
import { fill, open, signIn, strings } from "../../support/kapok";
import { ask, personWithPasskey } from "../../support/delegation";
import { expectNoAxeViolations } from "../../support/axe";

const s = strings["zh-CN"];

test.describe.configure({ mode: "serial" });

/** The mother, with a passkey to approve with, and her daughter signed in: each on a phone of her own. */
async function motherAndDaughter(browser: Browser, baseURL: string | undefined) {
  const mother = await personWithPasskey(browser, baseURL, "elder", "/resident");
  const context = await browser.newContext({ baseURL, locale: "zh-CN", permissions: ["clipboard-read", "clipboard-write"] });
  const daughter = await context.newPage();
  await signIn(daughter, "resident");
  return { mother, daughter };
}

/** The mother revokes the authority she gave her daughter, from her family page. */
async function takeBack(mother: Page) {
  await open(mother, "/resident/family");
  await mother
    .getByRole("list", { name: s.delegation.given_title })
    .getByRole("button", { name: fill(s.delegation.revoke_label, { name: "陈嘉欣" }) })
    .first()
    .click();
  await expect(mother.getByText(s.delegation.revoked_done)).toBeVisible();
}

/** The daughter asks her mother for authority over applications only; the link to send her. */
async function askForApplications(daughter: Page, note: string): Promise<string> {
  await open(daughter, "/resident/family");
  await daughter.getByRole("checkbox", { name: s.scope.present_licences }).uncheck();
  await daughter.getByRole("checkbox", { name: s.scope.applications }).check();
  await daughter.getByLabel(s.delegation.note_label).fill(note);
  await daughter.getByRole("button", { name: s.delegation.submit }).click();
  await daughter.getByRole("button", { name: s.delegation.copy }).click();
  await expect(daughter.getByText(s.delegation.copied)).toBeVisible();
  return daughter.evaluate(() => navigator.clipboard.readText());
}

/** Opens the social security record's form from the catalogue, as a person would. */
async function openRecordForm(page: Page) {
  const service = s.service.social_security_record.name;
  await open(page, "/resident/services");
  await page.getByRole("link", { name: fill(s.services.apply_label, { service }) }).click();
  await expect(page.getByRole("heading", { level: 1, name: service })).toBeVisible();
}

test("family: a resident asks her mother, who approves with her passkey, and the mother's licences show as such", async ({
  browser,
  baseURL,
}) => {
  const { mother, daughter } = await motherAndDaughter(browser, baseURL);
  const { link, binding } = await ask(daughter, "/resident/family", [], "妈，我帮你去办社保卡");

  await mother.page.goto(link);
  await expect(mother.page.getByTestId("binding-code")).toHaveText(binding);
  await mother.page.getByRole("button", { name: s.authorize.approve }).click();
  await expect(mother.page.getByText(/已批准。陈嘉欣可以代办到/)).toContainText(`“${s.home.family}”`);

  await expect(daughter.getByText(fill(s.delegation.acting_for, { name: "李桂英" })).first()).toBeVisible({ timeout: 15_000 });
  await open(daughter, "/resident/wallet");
  const mothers = daughter.getByRole("link").filter({ hasText: "李桂英" });
  await expect(mothers.first()).toBeVisible();
  await expect(mothers.first()).toContainText(s.delegation.through_grant);

  // The mother takes it back; her licences leave her daughter's wallet at once.
  await takeBack(mother.page);
  await open(daughter, "/resident/wallet");
  await expect(daughter.getByRole("link", { name: new RegExp(`${s.licence_type.resident_id_card} 陈嘉欣`) })).toBeVisible();
  await expect(daughter.getByRole("link").filter({ hasText: "李桂英" })).toHaveCount(0);
  await daughter.context().close();
  await mother.page.context().close();
});

// Only the applications scope: her wallet is left as it is.
test("family: with the applications scope a resident follows what her mother filed, until the mother takes it back", async ({
  browser,
  baseURL,
}) => {
  const { mother, daughter } = await motherAndDaughter(browser, baseURL);
  // The mother has asked for her social security record herself.
  const filed = await mother.page.request.post("/api/v1/applications", {
    headers: { Origin: new URL(baseURL!).origin },
    data: {
      form: { service: "social_security_record", identity_licence_id: "lic-elder-id", from_month: "2022-01", to_month: "2022-12", purpose: "housing" },
      submit: true,
    },
  });
  expect(filed.status()).toBe(201);
  const applicationId: string = (await filed.json()).id;
  const link = await askForApplications(daughter, "妈，我帮你跟进社保记录");
  await mother.page.goto(link);
  await mother.page.getByRole("button", { name: s.authorize.approve }).click();
  await expect(mother.page.getByText(/已批准。陈嘉欣可以代办到/)).toBeVisible();

  // In her list under her mother's name, and on its page; her wallet is her own.
  await open(daughter, "/resident/applications");
  const followed = daughter.locator(`a[href$="/${applicationId}"]`);
  await expect(followed).toContainText("李桂英");
  await expect(followed).toContainText(s.service.social_security_record.name);
  await followed.click();
  await expect(daughter.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(daughter.locator("dd").filter({ hasText: "李桂英" }).first()).toBeVisible();
  await open(daughter, "/resident/wallet");
  await expect(daughter.getByRole("link", { name: new RegExp(`${s.licence_type.resident_id_card} 陈嘉欣`) })).toBeVisible();
  await expect(daughter.getByRole("link").filter({ hasText: "李桂英" })).toHaveCount(0);

  // Taken back, it is gone from her list.
  await takeBack(mother.page);
  await open(daughter, "/resident/applications");
  await expect(daughter.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(daughter.locator(`a[href$="/${applicationId}"]`)).toHaveCount(0);
  await daughter.context().close();
  await mother.page.context().close();
});

test("family: with the applications scope a resident files for her mother, with her mother's ID card; the application is her mother's", async ({
  browser,
  baseURL,
}) => {
  const { mother, daughter } = await motherAndDaughter(browser, baseURL);
  // Before any authority, the form is for herself alone.
  await openRecordForm(daughter);
  await expect(daughter.getByRole("group", { name: s.form.identity }).getByRole("radio")).toBeChecked();
  await expect(daughter.getByRole("group", { name: s.apply.for_whom })).toHaveCount(0);

  const link = await askForApplications(daughter, "妈，我帮你开社保证明");
  await mother.page.goto(link);
  await mother.page.getByRole("button", { name: s.authorize.approve }).click();
  await expect(mother.page.getByText(/已批准。陈嘉欣可以代办到/)).toBeVisible();

  // Her family page leads her to the services she may now file for her mother.
  await open(daughter, "/resident/family");
  await daughter.getByRole("link", { name: fill(s.delegation.apply_for, { name: "李桂英" }) }).click();
  await expect(daughter).toHaveURL(/\/resident\/services$/);
  await openRecordForm(daughter);
  // She typed nothing in the form she opened before and left: the card it chose for her is
  // no work of hers to give back.
  await expect(daughter.getByText(s.idle.kept_left)).toHaveCount(0);
  const forWhom = daughter.getByRole("group", { name: s.apply.for_whom });
  const identity = daughter.getByRole("group", { name: s.form.identity });
  await expect(forWhom.getByRole("radio", { name: s.apply.for_me })).toBeChecked();
  await expect(identity.getByRole("radio", { name: /陈嘉欣/ })).toBeChecked();
  await expectNoAxeViolations(daughter, "the form with whom it is for");
  // For her mother, the form takes her mother's card, and only hers.
  await forWhom.getByRole("radio", { name: "李桂英" }).check();
  await expect(identity.getByText(fill(s.apply.from_relative, { name: "李桂英" }))).toBeVisible();
  await expect(identity.getByRole("radio", { name: new RegExp(`${s.licence_type.resident_id_card} 李桂英`) })).toBeChecked();
  await expect(identity.getByRole("radio", { name: /陈嘉欣/ })).toHaveCount(0);
  await daughter.getByLabel(s.form.from_month).fill("2023-01");
  await daughter.getByLabel(s.form.to_month).fill("2023-12");
  await daughter.getByRole("radio", { name: s.purpose.housing }).check();
  await daughter.getByRole("button", { name: s.apply.submit }).click();
  await expect(daughter).toHaveURL(/\/resident\/applications\/[\w-]+$/);
  const applicationId = daughter.url().split("/").pop()!;
  const facts = daughter.locator("dl.kp-facts");
  await expect(facts.locator("dt", { hasText: s.application.applicant }).locator("+ dd")).toHaveText("李桂英");
  await expect(facts.locator("dt", { hasText: s.application.filed_by }).locator("+ dd")).toHaveText("陈嘉欣");
  await expect(facts).toContainText(`${s.licence_type.resident_id_card} 李桂英`);
  await open(daughter, "/resident/applications");
  await expect(daughter.locator(`a[href$="/${applicationId}"]`)).toContainText("李桂英");
  // Her message says whose it is.
  await open(daughter, "/resident/messages");
  const told = fill(s.messages.relatives_application, {
    name: "李桂英",
    service: s.service.social_security_record.name,
    status: s.application_status.accepted,
  });
  await expect(daughter.locator(`a[href$="/${applicationId}"]`).first()).toContainText(told);

  // It is her mother's: in her list, filed by her daughter, and she was told.
  await open(mother.page, "/resident/applications");
  const hers = mother.page.locator(`a[href$="/${applicationId}"]`);
  await expect(hers).toContainText(fill(s.application.filed_by_row, { name: "陈嘉欣" }));
  await hers.click();
  await expect(mother.page.locator("dl.kp-facts dt", { hasText: s.application.filed_by }).locator("+ dd")).toHaveText("陈嘉欣");
  // Her family page says what her daughter did under the authority, and leads to it.
  await open(mother.page, "/resident/family");
  const given = mother.page
    .getByRole("list", { name: s.delegation.given_title })
    .getByRole("listitem")
    .filter({ hasText: s.grant_status.active });
  await given.getByText(s.delegation.uses_title).click();
  await expect(given.getByRole("link", { name: s.uses.application_started })).toHaveAttribute("href", `/resident/applications/${applicationId}`);
  await expect(given.getByText(s.uses.licences_for_form).first()).toBeVisible();
  const notices = await (await mother.page.request.get("/api/v1/notifications")).json();
  expect(notices.items.some((n: { kind: string; application_id?: string }) => n.kind === "application" && n.application_id === applicationId)).toBe(true);

  // Taken back, the form is for herself alone again.
  await takeBack(mother.page);
  await openRecordForm(daughter);
  await expect(daughter.getByRole("group", { name: s.form.identity }).getByRole("radio")).toBeChecked();
  await expect(daughter.getByRole("group", { name: s.apply.for_whom })).toHaveCount(0);
  await daughter.context().close();
  await mother.page.context().close();
});
