// A phone's passkey store and its unlock, as Chromium's virtual authenticator (CDP WebAuthn).
import { type CDPSession, type Page, expect } from "@playwright/test";
import { PASSWORD, type Strings, strings } from "./kapok";

export interface Authenticator {
  cdp: CDPSession;
  authenticatorId: string;
}

/** Gives the page a platform authenticator that verifies its user (face, fingerprint or PIN). */
export async function addAuthenticator(page: Page): Promise<Authenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      ctap2Version: "ctap2_1",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/** The unlock fails (wrong face, cancelled): the browser gives no credential at all. */
export async function failUnlock(a: Authenticator, failed = true) {
  await a.cdp.send("WebAuthn.setUserVerified", { authenticatorId: a.authenticatorId, isUserVerified: !failed });
}

/**
 * Tampers with the next answers: `isBadUV` claims no user verification in the signed data,
 * `isBogusSignature` breaks the signature. `{}` restores honest answers.
 */
export async function tamper(a: Authenticator, bits: { isBadUV?: boolean; isBogusSignature?: boolean }) {
  await a.cdp.send("WebAuthn.setResponseOverrideBits", { authenticatorId: a.authenticatorId, ...bits });
}

export async function credentialCount(a: Authenticator): Promise<number> {
  const { credentials } = await a.cdp.send("WebAuthn.getCredentials", { authenticatorId: a.authenticatorId });
  return credentials.length;
}

/** A passkey as the phone holds it, private key included (CDP `WebAuthn.Credential`). */
export interface StoredCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

export async function credentials(a: Authenticator): Promise<StoredCredential[]> {
  const { credentials } = await a.cdp.send("WebAuthn.getCredentials", { authenticatorId: a.authenticatorId });
  return credentials as StoredCredential[];
}

/** Leaves the phone holding exactly `kept`, as given (a tampered one included). */
export async function replaceCredentials(a: Authenticator, kept: StoredCredential[]) {
  await a.cdp.send("WebAuthn.clearCredentials", { authenticatorId: a.authenticatorId });
  for (const credential of kept) {
    await a.cdp.send("WebAuthn.addCredential", { authenticatorId: a.authenticatorId, credential });
  }
}

/**
 * On an open "me" page: adds a passkey, confirming with the account's password as the page
 * asks (a signed-in phone alone does not add one).
 */
export async function addPasskeyOnMe(page: Page, t: Strings = strings["zh-CN"]) {
  await page.getByLabel(t.passkey.password_label, { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: t.passkey.add }).click();
  await expect(page.getByText(t.passkey.added)).toBeVisible();
  await expect(page.getByLabel(t.passkey.password_label, { exact: true })).toHaveValue("");
}
