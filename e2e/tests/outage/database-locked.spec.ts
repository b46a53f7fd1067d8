// Another program holds the database's write lock (a backup, a migration, someone at a SQL
// prompt), so nothing can be written. Every other test would fail meanwhile, so this runs alone,
// after them (playwright.config.ts).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { expect, test } from "../../support/test";
import { expectNoAxeViolations } from "../../support/axe";
import { PASSWORD, fill, fillSignIn, open, secondsUntilRetry, signIn, strings } from "../../support/kapok";

const s = strings["zh-CN"];

/** Takes SQLite's write lock on the server's database, as another program; resolves to its release. */
async function holdWriteLock(): Promise<() => Promise<void>> {
  const file = process.env.KAPOK_DATABASE_FILE;
  if (!file) throw new Error("KAPOK_DATABASE_FILE must name the server's SQLite database");
  const holder = spawn(
    "python3",
    [
      "-c",
      [
        "import sqlite3, sys",
        "db = sqlite3.connect(sys.argv[1], isolation_level=None)",
        'db.execute("BEGIN IMMEDIATE")',
        'print("locked", flush=True)',
        "sys.stdin.read()",
        'db.execute("ROLLBACK")',
      ].join("\n"),
      file,
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const [said] = await once(holder.stdout!, "data");
  expect(String(said).trim()).toBe("locked");
  return async () => {
    holder.stdin!.end();
    await once(holder, "exit");
  };
}

test("while the database cannot be written to, a licence can still be shown, signing in says why it cannot and keeps what was typed, and once it can, the same form signs in", async ({ browser, baseURL, page }) => {
  // Signed in before, her ID card open: the elder, whose password no earlier project changed.
  await signIn(page, "elder");
  await open(page, "/resident/wallet/lic-elder-id");
  const code = page.getByRole("img", { name: fill(s.wallet.qr_label, { licence: s.licence_type.resident_id_card }) });
  await expect(code).toBeVisible();
  const official = await (await browser.newContext({ baseURL })).newPage();
  await open(official, "/");
  const en = strings.en;
  const context = await browser.newContext({ baseURL, locale: "en-GB" });
  await context.addInitScript(() => localStorage.setItem("kapok.mode", "elderly"));
  const reader = await context.newPage();
  await open(reader, "/");

  const release = await holdWriteLock();
  try {
    // Reading writes nothing: her wallet comes from the server, not the copy on the phone, and
    // her ID card still shows its live code.
    const listed = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/wallet");
    await open(page, "/resident/wallet");
    expect((await listed).status()).toBe(200);
    await expect(page.getByText(s.wallet.offline_list)).toHaveCount(0);
    await page.getByRole("link", { name: s.licence_type.resident_id_card }).first().click();
    await expect(code).toBeVisible();
    await expect(page.getByRole("alert")).toHaveCount(0);

    // Signing in opens a session, which must be written: refused, saying why, with nothing lost.
    const answered = official.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/session" && r.request().method() === "POST");
    await fillSignIn(official, "official", PASSWORD);
    const answer = await answered;
    expect(answer.status()).toBe(503);
    expect(answer.headers()["retry-after"]).toBe("30");
    expect((await answer.json()).code).toBe("unavailable");
    await expect(official.getByRole("alert")).toHaveText(s.errors.database_unavailable);
    await expect(official.getByLabel(s.sign_in.username, { exact: true })).toHaveValue("official");
    await expect(official.getByLabel(s.sign_in.password, { exact: true })).toHaveValue(PASSWORD);
    await expectNoAxeViolations(official, "sign-in, database unavailable");

    // In English, in elderly mode, the same.
    await fillSignIn(reader, "clerk", PASSWORD);
    await expect(reader.getByRole("alert")).toHaveText(en.errors.database_unavailable);
    await expect(reader.getByLabel(en.sign_in.username, { exact: true })).toHaveValue("clerk");
    await expectNoAxeViolations(reader, "sign-in, database unavailable, English elderly");
  } finally {
    await release();
  }

  // The server needs no restart: the same form, sent again, signs in.
  await official.getByRole("button", { name: s.sign_in.submit, exact: true }).click();
  await expect(official).toHaveURL(/\/official$/);
});

test("a delegation link opened while the database takes no writes says why and that it will try again by itself, and once it can, shows the request without a tap", async ({ browser, baseURL, page }) => {
  // The server's wait (Retry-After: 30 s, spread by up to a quarter) passes while this waits.
  test.setTimeout(120_000);
  // A clerk asks the company for authority (neither the clerk's nor the legal representative's
  // password was changed by an earlier project), and the legal representative opens the link.
  const clerk = await (await browser.newContext({ baseURL })).newPage();
  await signIn(clerk, "clerk");
  const note = "数据库锁着时发出的链接";
  const asked = await clerk.request.post("/api/v1/delegation-requests", {
    headers: { Origin: new URL(baseURL!).origin },
    data: { kind: "enterprise", principal: "kapok-digital", scopes: ["policies"], note },
  });
  expect(asked.ok()).toBe(true);
  const { secret } = await asked.json();
  await clerk.context().close();
  await signIn(page, "legal-rep");

  const release = await holdWriteLock();
  let seconds: number;
  try {
    // Opening a link is recorded (and counted), which must be written: refused, saying why.
    const looked = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/delegation-requests/lookup");
    await page.goto(`/authorize#${secret}`);
    const answer = await looked;
    expect(answer.status()).toBe(503);
    expect(answer.headers()["retry-after"]).toBe("30");
    const alert = page.getByRole("alert");
    await expect(alert).toContainText(s.errors.database_unavailable);
    seconds = await secondsUntilRetry(alert, s);
    expect(seconds).toBeGreaterThanOrEqual(30);
    expect(seconds).toBeLessThanOrEqual(38);
    await expect(alert.getByRole("button", { name: s.errors.retry })).toBeVisible();
    await expectNoAxeViolations(page, "authorisation link, database unavailable");
  } finally {
    await release();
  }

  // Nobody taps: once the wait is over, the page asks again and shows the request to decide.
  const shown = Date.now();
  await expect(page.getByRole("button", { name: s.authorize.approve })).toBeVisible({ timeout: (seconds + 15) * 1000 });
  await expect(page.getByText(note)).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);
  expect(Date.now() - shown).toBeGreaterThan(10_000);
});
