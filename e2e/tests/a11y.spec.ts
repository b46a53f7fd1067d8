// axe-core (WCAG 2.2 A/AA) on the sign-in page and every shell's home, in every locale,
// in standard and elderly mode.
import { expect, test } from "../support/test";
import { expectEnhancedContrast, expectNoAxeViolations, smallTargets } from "../support/axe";
import { LOCALES, bodyFontSize, heading, open, pageLocale, rememberElderlyMode, signIn, strings } from "../support/kapok";

const PAGES: { name: string; username: string | null; path?: string; heading: (s: any) => string }[] = [
  { name: "sign-in", username: null, heading: (s) => s.sign_in.title },
  { name: "resident home", username: "resident", heading: (s) => s.shell.resident },
  { name: "enterprise home", username: "staff", heading: (s) => s.shell.enterprise },
  { name: "official home", username: "official", heading: (s) => s.shell.official },
  { name: "wallet", username: "resident", path: "/resident/wallet", heading: (s) => s.wallet.title },
  { name: "licence and live code", username: "resident", path: "/resident/wallet/lic-resident-id", heading: (s) => s.licence_type.resident_id_card },
  { name: "company wallet", username: "legal-rep", path: "/enterprise/wallet", heading: (s) => s.wallet.company_title },
  { name: "counter verifier", username: "official", path: "/official/verify", heading: (s) => s.verify.title },
  { name: "public verifier", username: null, path: "/verify", heading: (s) => s.verify.title },
  { name: "ask for authority (staff)", username: "staff", path: "/enterprise/delegation", heading: (s) => s.home.delegation },
  { name: "authorisations (legal representative)", username: "legal-rep", path: "/enterprise/delegation", heading: (s) => s.home.delegation },
  { name: "family authority", username: "resident", path: "/resident/family", heading: (s) => s.home.family },
  { name: "authorisation page without a link", username: null, path: "/authorize", heading: (s) => s.authorize.title },
  { name: "passkeys on me", username: "resident", path: "/resident/me", heading: (s) => s.me.title },
  { name: "service catalogue", username: "resident", path: "/resident/services", heading: (s) => s.services.title },
  { name: "food-business permit form", username: "legal-rep", path: "/enterprise/services/food_business_permit", heading: (s) => s.service.food_business_permit.name },
  { name: "my applications", username: "resident", path: "/resident/applications", heading: (s) => s.services.my_applications },
  { name: "approvals inbox", username: "official", path: "/official/inbox", heading: (s) => s.tasks.title },
  { name: "messages", username: "resident", path: "/resident/messages", heading: (s) => s.messages.title },
  { name: "policies", username: "legal-rep", path: "/enterprise/policies", heading: (s) => s.policies.title },
];

for (const locale of LOCALES) {
  for (const elderly of [false, true]) {
    test.describe(`${locale}, ${elderly ? "elderly" : "standard"} mode`, () => {
      test.use({ locale });
      for (const target of PAGES) {
        test(`${target.name} has no axe violations`, async ({ page }) => {
          if (elderly) await rememberElderlyMode(page);
          // The device remembers this locale, as it does once someone has chosen one.
          await page.addInitScript((l) => localStorage.setItem("kapok.locale", l), locale);
          if (target.username) await signIn(page, target.username);
          if (target.path || !target.username) await open(page, target.path ?? "/");
          expect(await pageLocale(page)).toBe(locale);
          await expect(await heading(page)).toHaveText(target.heading(strings[locale]));
          if (elderly) expect(await bodyFontSize(page)).toBeGreaterThanOrEqual(22);
          // Wait for what loads after the heading (lists, the live code) before judging the page.
          await expect(page.getByRole("status").filter({ hasText: strings[locale].loading })).toHaveCount(0);
          await expectNoAxeViolations(page, `${target.name} (${locale}, ${elderly ? "elderly" : "standard"})`);
          if (elderly) {
            await expectEnhancedContrast(page, `${target.name} (${locale})`);
            expect(await smallTargets(page, 60), `targets under 60 px on ${target.name}`).toEqual([]);
          }
        });
      }
    });
  }
}

// Reflow: at 320 CSS px and the largest text step, in elderly mode (the biggest text there is),
// no page scrolls sideways.
for (const target of PAGES) {
  test(`${target.name} reflows at 320 px with the largest text`, async ({ page }) => {
    await page.setViewportSize({ width: 320, height: 640 });
    await page.addInitScript(() => {
      localStorage.setItem("kapok.mode", "elderly");
      localStorage.setItem("kapok.text", "largest");
      localStorage.setItem("kapok.locale", "zh-CN");
    });
    if (target.username) await signIn(page, target.username);
    if (target.path || !target.username) await open(page, target.path ?? "/");
    await expect(page.getByRole("status").filter({ hasText: strings["zh-CN"].loading })).toHaveCount(0);
    expect(await bodyFontSize(page)).toBeGreaterThanOrEqual(30);
    // Inside a shell the page scrolls in its own box above the tab bar; neither may scroll sideways.
    const overflow = await page.evaluate(() =>
      Math.max(...[document.documentElement, ...document.querySelectorAll(".kp-shell__page")].map((el) => el.scrollWidth - el.clientWidth)),
    );
    expect(overflow, `${target.name} scrolls sideways by ${overflow} px`).toBeLessThanOrEqual(0);
  });
}
