// Each demo persona's whole first visit: sign in, land in the right shell, visit every tab,
// read it in every locale, switch elderly mode, reload, sign out.
import { expect, test } from "../support/test";
import {
  ACCOUNTS,
  LANGUAGE_NAMES,
  LOCALES,
  TABS,
  bodyFontSize,
  heading,
  pageLocale,
  signIn,
  strings,
} from "../support/kapok";

for (const account of ACCOUNTS) {
  test(`${account.username} signs in, visits every tab, switches locale and elderly mode, and signs out`, async ({ page }) => {
    await signIn(page, account.username);
    await expect(page).toHaveURL(new RegExp(`/${account.persona}$`));

    // A device with no choice of its own takes the account's preferences.
    await expect.poll(() => pageLocale(page)).toBe(account.locale);
    let s = strings[account.locale];
    await expect(await heading(page)).toHaveText(s.shell[account.persona]);
    if (account.elderly) {
      expect(await bodyFontSize(page)).toBeGreaterThanOrEqual(22);
    } else {
      expect(await bodyFontSize(page)).toBeLessThan(22);
    }

    // Every tab leads to a real page with its own heading, and is marked current there.
    const nav = page.getByRole("navigation", { name: s.tabs.label });
    for (const tab of TABS[account.persona]) {
      // A tab's name may carry a count after it ("Messages, 1 unread message").
      const link = nav.getByRole("link", { name: new RegExp(`^${tab.tab(s)}(\\s|$)`) });
      await link.click();
      await expect(page).toHaveURL(new RegExp(`${tab.path}$`));
      await expect(await heading(page)).toHaveText(tab.heading(s));
      await expect(link).toHaveAttribute("aria-current", "page");
      await expect(page).toHaveTitle(`${tab.heading(s)} · ${s.app_name}`);
    }

    // On "me": every locale changes the text and <html lang>.
    await expect(page).toHaveURL(new RegExp(`/${account.persona}/me$`));
    for (const locale of LOCALES) {
      await page.getByRole("radio", { name: LANGUAGE_NAMES[locale] }).check();
      await expect.poll(() => pageLocale(page)).toBe(locale);
      s = strings[locale];
      await expect(await heading(page)).toHaveText(s.me.title);
      await expect(page.getByRole("navigation", { name: s.tabs.label })).toBeVisible();
      // The settings' own options too, at once, not after a reload.
      const sizes = page.getByRole("group", { name: s.text_size.legend }).getByRole("radio");
      const names = await sizes.evaluateAll((radios) => radios.map((r) => r.closest("label")?.textContent?.trim()));
      expect(names).toEqual([s.text_size.standard, s.text_size.larger, s.text_size.largest]);
    }

    // Elderly mode: the text grows to at least 22 px.
    const elderly = page.getByRole("switch", { name: new RegExp(s.elderly.label) });
    await expect(elderly).toHaveAttribute("aria-checked", String(account.elderly));
    await elderly.click();
    await expect(elderly).toHaveAttribute("aria-checked", String(!account.elderly));
    const size = await bodyFontSize(page);
    if (account.elderly) {
      expect(size).toBeLessThan(22);
    } else {
      expect(size).toBeGreaterThanOrEqual(22);
    }

    // A reload keeps the session, the locale (en, chosen last) and the mode.
    await page.reload();
    await expect(await heading(page)).toHaveText(s.me.title);
    expect(await pageLocale(page)).toBe("en");
    expect(await bodyFontSize(page)).toBe(size);
    await expect(page.getByRole("switch", { name: new RegExp(s.elderly.label) })).toHaveAttribute(
      "aria-checked",
      String(!account.elderly),
    );

    // Sign out: back on the start page with a confirmation, and the shell is closed.
    await page.getByRole("button", { name: s.me.sign_out, exact: true }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("status").filter({ hasText: s.sign_in.signed_out })).toBeVisible();
    await page.goto(`/${account.persona}`);
    await expect(page).toHaveURL(new RegExp(`/\\?next=%2F${account.persona}$`));
    await expect(await heading(page)).toHaveText(s.sign_in.title);
  });
}
