// Policies: found by words in any language and by tag; a company follows tags, and a new
// policy with one of them reaches every member's messages.
import { type Browser } from "@playwright/test";
import { expect, test } from "../support/test";
import { expectNoAxeViolations } from "../support/axe";
import { LOCALES, type LocaleTag, fill, open, signIn, strings } from "../support/kapok";

const s = strings["zh-CN"];

/** Seeded policies and a word that finds each, one per script. */
const SEARCHES = [
  { query: "信用保险", policy: "pol-gd-export-credit-insurance" },
  { query: "紓困", policy: "pol-gz-catering-relief" },
  { query: "digital", policy: "pol-gd-manufacturing-digital" },
];
const TAGGED = { tag: "export", policy: "pol-gd-export-credit-insurance", not: "pol-gz-catering-relief" };

async function person(browser: Browser, baseURL: string | undefined, username: string, locale: LocaleTag = "zh-CN") {
  const context = await browser.newContext({ baseURL });
  await context.addInitScript((l) => localStorage.setItem("kapok.locale", l), locale);
  const page = await context.newPage();
  await signIn(page, username);
  return page;
}

test("a company follows a tag, and a new policy with it reaches every member's messages", async ({ browser, baseURL }) => {
  const rep = await person(browser, baseURL, "legal-rep");
  await open(rep, "/enterprise/policies");
  const follow = rep.getByRole("group", { name: s.tag_group.stage }).getByRole("checkbox", { name: s.tag.export });
  await follow.check();
  await rep.getByRole("button", { name: s.policies.save }).click();
  await expect(rep.getByText(s.policies.saved)).toBeVisible();
  await rep.reload();
  await expect(rep.getByRole("group", { name: s.tag_group.stage }).getByRole("checkbox", { name: s.tag.export })).toBeChecked();

  // An official publishes a policy with that tag.
  const official = await person(browser, baseURL, "official");
  const unique = `${Date.now()}`;
  const title = { zh_cn: `跨境电商出口补贴 ${unique}`, zh_hk: `跨境電商出口資助 ${unique}`, en: `Cross-border e-commerce export grant ${unique}` };
  const published = await official.request.post("/api/v1/policies", {
    data: {
      title,
      summary: { zh_cn: "对出口额增长的企业给予补贴。", zh_hk: "向出口額增長的企業提供資助。", en: "A grant for companies whose exports grow." },
      issuer: "广州市商务局",
      tags: ["city", "export"],
    },
  });
  expect(published.status()).toBe(201);
  const policy = await published.json();

  // Both the legal representative and the staff of the company are told.
  for (const page of [rep, await person(browser, baseURL, "clerk")]) {
    await open(page, "/enterprise/messages");
    const message = page.getByRole("link", { name: new RegExp(fill(s.messages.policy, { title: title.zh_cn })) });
    await expect(message).toBeVisible();
    await message.click();
    await expect(page).toHaveURL(new RegExp(`/enterprise/policies#policy-${policy.id}$`));
    await expect(page.locator(`#policy-${policy.id}`)).toContainText(title.zh_cn);
  }
  // On an English page the issuer, as the official typed it in Chinese, is marked as Chinese, so
  // a screen reader does not read it with an English voice.
  const english = await person(browser, baseURL, "clerk", "en");
  await open(english, "/enterprise/policies");
  const issuer = english.locator(`#policy-${policy.id}`).getByText("广州市商务局", { exact: true });
  await expect(issuer).toHaveAttribute("lang", "zh");
  await expect(english.locator(`#policy-${policy.id}`)).toContainText(`${strings.en.policies.issuer_before}广州市商务局`);
  // A resident, whose company follows nothing, is not.
  const resident = await person(browser, baseURL, "resident");
  await open(resident, "/resident/messages");
  await expect(resident.getByText(title.zh_cn)).toHaveCount(0);

  // The company stops following: the next policy does not arrive.
  await open(rep, "/enterprise/policies");
  await rep.getByRole("group", { name: s.tag_group.stage }).getByRole("checkbox", { name: s.tag.export }).uncheck();
  await rep.getByRole("button", { name: s.policies.save }).click();
  await expect(rep.getByText(s.policies.saved)).toBeVisible();
  for (const page of [rep, official, resident]) await page.context().close();
});

for (const locale of LOCALES) {
  test(`${locale}: policies are found by words in either Chinese script or English, and by tag`, async ({ browser, baseURL }) => {
    const t = strings[locale];
    const page = await person(browser, baseURL, "clerk", locale);
    await open(page, "/enterprise/policies");
    const search = page.getByRole("searchbox", { name: t.policies.search_label });
    for (const words of SEARCHES) {
      await search.fill(words.query);
      await expect(page.locator(`#policy-${words.policy}`)).toBeVisible();
    }
    await search.fill("不存在的政策");
    await expect(page.getByText(t.policies.empty)).toBeVisible();
    await search.fill("");
    await page.getByLabel(t.policies.tag_legend).selectOption(TAGGED.tag);
    await expect(page.locator(`#policy-${TAGGED.policy}`)).toBeVisible();
    await expect(page.locator(`#policy-${TAGGED.not}`)).toHaveCount(0);
    // Staff without the policies scope read policies, and are told why they cannot choose.
    await expect(page.getByText(t.errors.scope_not_granted)).toBeVisible();
    await expectNoAxeViolations(page, `policies (${locale})`);
    await page.context().close();
  });
}
