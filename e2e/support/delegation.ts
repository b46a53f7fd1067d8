// Delegation steps other specs build on: a person with a passkey, and asking for authority.
import { type Browser, type Page, expect } from "@playwright/test";
import { type Strings, open, signIn, strings } from "./kapok";
import { addAuthenticator, addPasskeyOnMe } from "./passkeys";

const s = strings["zh-CN"];

/** A zh-CN browser signed in as `username`, with a passkey added under "me". */
export async function personWithPasskey(browser: Browser, baseURL: string | undefined, username: string, home: string) {
  const context = await browser.newContext({ baseURL, locale: "zh-CN" });
  const page = await context.newPage();
  const phone = await addAuthenticator(page);
  await signIn(page, username);
  await open(page, `${home}/me`);
  await addPasskeyOnMe(page);
  return { page, phone };
}

/** Asks for authority on the delegation page and returns the link as copied. */
export async function ask(page: Page, path: string, scopes: string[], note: string) {
  await open(page, path);
  // The last request asked in this tab comes back with its link: this is another one.
  const another = page.getByRole("button", { name: s.delegation.new_request });
  if (await another.count()) await another.click();
  for (const scope of scopes) await page.getByRole("checkbox", { name: scope }).check();
  await page.getByLabel(s.delegation.note_label).fill(note);
  await page.getByRole("button", { name: s.delegation.submit }).click();
  // The panel that takes the form's place takes focus too, where a screen reader reads on.
  await expect(page.locator("main :focus")).toContainText(s.delegation.share_intro.split("{{")[0]);
  await page.getByRole("button", { name: s.delegation.copy }).click();
  await expect(page.getByText(s.delegation.copied)).toBeVisible();
  const link: string = await page.evaluate(() => navigator.clipboard.readText());
  const binding = ((await page.getByTestId("binding-code").textContent()) ?? "").trim();
  expect(binding).toMatch(/^[A-Z0-9]{6}$/);
  return { link, binding };
}

/** `username` asks for authority through the API, as their phone would, in a browser of their
 * own that is closed again: what the one who decides sees is what is under test. */
export async function askThroughApi(
  browser: Browser,
  baseURL: string | undefined,
  username: string,
  request: { kind: "enterprise" | "family"; principal: string; scopes: string[]; note: string },
) {
  const page = await (await browser.newContext({ baseURL })).newPage();
  await signIn(page, username);
  const asked = await page.request.post("/api/v1/delegation-requests", {
    headers: { Origin: new URL(baseURL!).origin },
    data: request,
  });
  expect(asked.ok()).toBe(true);
  await page.context().close();
}

/** On the open delegation or family page, the requester withdraws the request with this binding
 * code, from the list of her own requests. */
export async function withdraw(page: Page, binding: string, t: Strings = s) {
  await page
    .getByRole("list", { name: t.delegation.mine_title })
    .getByRole("listitem")
    .filter({ hasText: binding })
    .getByRole("button", { name: t.delegation.cancel })
    .click();
  await expect(page.getByText(t.delegation.cancelled_done)).toBeVisible();
}
