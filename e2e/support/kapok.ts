// Shared knowledge of the app for every spec: the locale files (so tests assert what users
// read, not copies of it), the demo accounts, and page objects.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, type Locator, type Page } from "@playwright/test";

export type LocaleTag = "zh-CN" | "zh-HK" | "en";
export const LOCALES: LocaleTag[] = ["zh-CN", "zh-HK", "en"];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Strings = any;

export const strings: Record<LocaleTag, Strings> = Object.fromEntries(
  LOCALES.map((l) => [l, JSON.parse(readFileSync(join(__dirname, "..", "..", "locales", `${l}.json`), "utf8"))]),
) as Record<LocaleTag, Strings>;

export const PASSWORD = "kapok-demo";

export type Persona = "resident" | "enterprise" | "official";

export interface Account {
  username: string;
  persona: Persona;
  /** The locale the account asks for on a device that has not chosen one. */
  locale: LocaleTag;
  elderly: boolean;
}

export const ACCOUNTS: Account[] = [
  { username: "resident", persona: "resident", locale: "zh-CN", elderly: false },
  { username: "elder", persona: "resident", locale: "zh-CN", elderly: true },
  { username: "hk-resident", persona: "resident", locale: "zh-HK", elderly: false },
  { username: "staff", persona: "enterprise", locale: "zh-CN", elderly: false },
  { username: "clerk", persona: "enterprise", locale: "zh-CN", elderly: false },
  { username: "legal-rep", persona: "enterprise", locale: "zh-CN", elderly: false },
  { username: "official", persona: "official", locale: "zh-CN", elderly: false },
  { username: "market-official", persona: "official", locale: "zh-CN", elderly: false },
];

/** Each shell's tabs: the tab label key and the page heading it leads to. */
export const TABS: Record<Persona, { tab: (s: Strings) => string; heading: (s: Strings) => string; path: string }[]> = {
  resident: [
    { tab: (s) => s.tabs.home, heading: (s) => s.shell.resident, path: "/resident" },
    { tab: (s) => s.tabs.wallet, heading: (s) => s.wallet.title, path: "/resident/wallet" },
    { tab: (s) => s.tabs.services, heading: (s) => s.services.title, path: "/resident/services" },
    { tab: (s) => s.tabs.messages, heading: (s) => s.messages.title, path: "/resident/messages" },
    { tab: (s) => s.tabs.me, heading: (s) => s.me.title, path: "/resident/me" },
  ],
  enterprise: [
    { tab: (s) => s.tabs.home, heading: (s) => s.shell.enterprise, path: "/enterprise" },
    { tab: (s) => s.tabs.company_wallet, heading: (s) => s.wallet.company_title, path: "/enterprise/wallet" },
    { tab: (s) => s.tabs.delegation, heading: (s) => s.home.delegation, path: "/enterprise/delegation" },
    { tab: (s) => s.tabs.messages, heading: (s) => s.messages.title, path: "/enterprise/messages" },
    { tab: (s) => s.tabs.me, heading: (s) => s.me.title, path: "/enterprise/me" },
  ],
  official: [
    { tab: (s) => s.tabs.home, heading: (s) => s.shell.official, path: "/official" },
    { tab: (s) => s.tabs.verify, heading: (s) => s.verify.title, path: "/official/verify" },
    { tab: (s) => s.tabs.inbox, heading: (s) => s.tasks.title, path: "/official/inbox" },
    { tab: (s) => s.tabs.messages, heading: (s) => s.messages.title, path: "/official/messages" },
    { tab: (s) => s.tabs.me, heading: (s) => s.me.title, path: "/official/me" },
  ],
};

export const LANGUAGE_NAMES: Record<LocaleTag, string> = {
  "zh-CN": strings["zh-CN"].languages.zh_cn,
  "zh-HK": strings["zh-CN"].languages.zh_hk,
  en: strings["zh-CN"].languages.en,
};

/** The locale the page is showing, from <html lang>. */
export async function pageLocale(page: Page): Promise<LocaleTag> {
  const lang = await page.evaluate(() => document.documentElement.lang);
  expect(LOCALES).toContain(lang);
  return lang as LocaleTag;
}

export async function heading(page: Page) {
  return page.getByRole("heading", { level: 1 });
}

/** Opens a page and waits until the app has rendered it (its <h1> is there). */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
}

/** Signs in through the form, as a person would, in whatever locale the page shows. */
export async function signIn(page: Page, username: string, password = PASSWORD) {
  await open(page, "/");
  await fillSignIn(page, username, password);
  if (password === PASSWORD) {
    // Signed in only once the shell shows; navigating earlier would abort the request.
    await expect(page).toHaveURL(/\/(resident|enterprise|official)$/);
  }
}

/** Fills in and sends the sign-in form on the page as it is (keeping where it leads next). */
export async function fillSignIn(page: Page, username: string, password = PASSWORD) {
  const s = strings[await pageLocale(page)];
  await page.getByLabel(s.sign_in.username, { exact: true }).fill(username);
  await page.getByLabel(s.sign_in.password, { exact: true }).fill(password);
  await page.getByRole("button", { name: s.sign_in.submit, exact: true }).click();
}

/** Ends the page's session on the server, as a sign-out on another tab would. */
export async function endSessionOnServer(page: Page, baseURL: string | undefined) {
  const ended = await page.request.delete("/api/v1/session", {
    headers: { Origin: new URL(baseURL!).origin, "Content-Type": "application/json" },
  });
  expect(ended.status()).toBe(204);
}

export async function bodyFontSize(page: Page): Promise<number> {
  return page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
}

/** Starts the page in elderly mode, as a device that remembered it would. */
export async function rememberElderlyMode(page: Page) {
  await page.addInitScript(() => localStorage.setItem("kapok.mode", "elderly"));
}

/** A refusal's message that says until when (`template`, whose `{{ time }}` is a date and time to
 * the minute): the minute it names is when the wait of `retryAfter` seconds the server gave ends,
 * by this machine's clock, rounded up, give or take the minute the clock may turn meanwhile. */
export function saysUntil(template: string, retryAfter: number): RegExp {
  const end = Date.now() + retryAfter * 1000;
  const minutes = [-60_000, 0, 60_000].map((off) => {
    const d = new Date(Math.ceil((end + off) / 60_000) * 60_000);
    return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  });
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const [before, after] = template.split("{{ time }}");
  return new RegExp(`^${escape(before)}\\S.*(?:${minutes.join("|")})${escape(after)}$`);
}

/** The seconds after which a page that could not load says it will try again by itself, read
 * from its error `alert` once the line is there. */
export async function secondsUntilRetry(alert: Locator, t: Strings): Promise<number> {
  const again = new RegExp(fill(t.errors.retrying.other, { count: "(\\d+)" }));
  await expect(alert).toContainText(again);
  return Number(again.exec((await alert.textContent()) ?? "")![1]);
}

/** Fills in a leptos_i18n template: "{{ name }}" placeholders. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, key) => values[key] ?? "");
}

/** Waits until the service worker is active, with this build cached: the next load of any page
 * (a reload, a new visit) comes from it. It installs by fetching the whole app for the device,
 * which on a loaded machine takes longer than a page does to show; if it never gets there, the
 * failure says how far it got. The page already open is not always taken over: one still
 * loading when the worker claims the open pages is passed over (as the Service Workers spec
 * has it), and stays as it was until it is loaded again. */
export async function waitForServiceWorker(page: Page) {
  await expect
    .poll(
      () =>
        page.evaluate(async () => {
          const registration = await navigator.serviceWorker.getRegistration();
          if (!registration) return "not registered";
          const state = (worker: ServiceWorker | null) => worker?.state ?? "none";
          const { installing, waiting, active } = registration;
          if (state(active) === "activated" && !installing && !waiting) return "active";
          return `installing: ${state(installing)}, waiting: ${state(waiting)}, active: ${state(active)}`;
        }),
      { timeout: 30_000, message: "the service worker is active" },
    )
    .toBe("active");
}
