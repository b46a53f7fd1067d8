// A legal representative with no passkey yet, asked for authority: the page says what he
// needs and where to get it, and once he has added one, the same tab approves. Removing every
// passkey of his account would fail any test approving with one at that moment, so this runs
// after them (playwright.config.ts); nothing else here uses the legal representative.
import { expect, test } from "../../support/test";
import { open, signIn, strings } from "../../support/kapok";
import { askThroughApi } from "../../support/delegation";
import { addAuthenticator, addPasskeyOnMe } from "../../support/passkeys";

const s = strings["zh-CN"];
const NOTE = "新手机上还没有通行密钥";

test("with no passkey yet, approving says where to add one, and with one added the same request is approved", async ({
  browser,
  baseURL,
  page,
}) => {
  await askThroughApi(browser, baseURL, "staff", {
    kind: "enterprise",
    principal: "kapok-digital",
    scopes: ["present_licences"],
    note: NOTE,
  });
  await signIn(page, "legal-rep");
  // The passkeys other tests added for him are removed, as on a new phone.
  await open(page, "/enterprise/me");
  const passkeys = page.getByRole("list", { name: s.passkey.list_label });
  const none = page.getByText(s.passkey.empty);
  // Once the list has loaded: the passkeys, or none.
  await expect(passkeys.or(none)).toBeVisible();
  for (let left = await passkeys.getByRole("listitem").count(); left > 0; left--) {
    await passkeys.getByRole("button", { name: new RegExp(s.passkey.remove) }).first().click();
    await page.getByRole("dialog").getByRole("button", { name: s.passkey.remove_confirm, exact: true }).click();
    await expect(passkeys.getByRole("listitem")).toHaveCount(left - 1);
  }
  await expect(none).toBeVisible();

  const asked = await page.request.get("/api/v1/delegation-requests");
  const id: string = (await asked.json()).to_decide.find((r: { note: string }) => r.note === NOTE).id;
  await open(page, `/authorize?request=${id}`);
  await page.getByRole("button", { name: s.authorize.approve }).click();
  const alert = page.getByRole("alert");
  await expect(alert).toContainText(s.authorize.no_passkey);
  // Not the sign-in page's advice to sign in with the password: he has.
  await expect(alert).not.toContainText(s.errors.no_passkey);
  await alert.getByRole("link", { name: s.authorize.add_passkey }).click();
  await expect(page).toHaveURL(/\/enterprise\/me$/);

  await addAuthenticator(page);
  await addPasskeyOnMe(page);
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/authorize\\?request=${id}$`));
  await page.getByRole("button", { name: s.authorize.approve }).click();
  const done = page.getByText(/已批准。周晓彤可以代办到/);
  await expect(done).toBeVisible();
  // The outcome takes the focus from the button that went with it.
  await expect(done).toBeFocused();
  await expect(page.getByRole("alert")).toHaveCount(0);
});
