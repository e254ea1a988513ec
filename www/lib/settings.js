// @ts-check
// Non-secret settings persist in localStorage; keys and tokens never do (they live in
// the app's memory and are gone when the tab closes or reloads).

const KEY = "ssm-edge-dashboard:settings:v1";

/**
 * @typedef {{
 *   mode: "gateway" | "direct",
 *   gatewayUrl: string, gatewayRegion: string, gatewayAccount: string, gatewayAuth: "token" | "keys",
 *   directRegion: string, directEndpoint: string,
 * }} Settings
 */

/** Only these fields are ever written to storage. */
const PERSISTED = ["mode", "gatewayUrl", "gatewayRegion", "gatewayAccount", "gatewayAuth", "directRegion", "directEndpoint"];

/**
 * What the page is served with (`/config.json`): the gateway, its default region, and the
 * regions and account aliases it serves (for the pickers; the gateway decides).
 * @typedef {{ gateway?: string, region?: string, regions?: string[], accounts?: string[] }} PageConfig
 */

/** @param {PageConfig} config @returns {Settings} */
export function loadSettings(config) {
  /** @type {Settings} */
  const defaults = {
    mode: "gateway",
    gatewayUrl: config.gateway ?? "",
    gatewayRegion: config.region ?? "us-east-1",
    // "": the gateway's own account (`default`).
    gatewayAccount: "",
    gatewayAuth: "token",
    directRegion: config.region ?? "us-east-1",
    directEndpoint: "",
  };
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? "{}");
    for (const k of PERSISTED) {
      if (typeof saved[k] === "string" && (saved[k] !== "" || k === "gatewayAccount")) /** @type {any} */ (defaults)[k] = saved[k];
    }
  } catch {
    // unreadable or blocked storage: start from the defaults
  }
  if (defaults.mode !== "direct") defaults.mode = "gateway";
  if (defaults.gatewayAuth !== "keys") defaults.gatewayAuth = "token";
  return defaults;
}

/** @param {Settings} settings */
export function saveSettings(settings) {
  const out = Object.fromEntries(PERSISTED.map((k) => [k, /** @type {any} */ (settings)[k]]));
  try {
    localStorage.setItem(KEY, JSON.stringify(out));
  } catch {
    // storage full or disabled: settings just won't be remembered
  }
}

/**
 * The claims of a JWT, for display only (the gateway verifies it; we never trust these).
 * @param {string} token @returns {Record<string, any> | null}
 */
export function jwtClaims(token) {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const b64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === "object" ? claims : null;
  } catch {
    return null;
  }
}
