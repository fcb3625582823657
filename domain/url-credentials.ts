/**
 * Credentials written into a URL (`scheme://user:password@host`) are masked
 * wherever a message echoes text, whatever the scheme, so an error never
 * prints a password. Pure.
 */

/** A word that starts with a scheme and holds an `@`: the userinfo runs to the last `@` before a space or quote. */
const URL_WITH_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'`]*)@/gi;

/**
 * The text with the userinfo of every URL in it masked: `http://root:hunter2@pve:8006`
 * becomes `http://root:***@pve:8006`; a userinfo without a colon (it may be a
 * token on its own) becomes `***`.
 */
export function maskUrlCredentials(text: string): string {
  return text.replace(URL_WITH_USERINFO, (_match, scheme: string, userinfo: string) => `${scheme}${maskUserinfo(userinfo)}@`);
}

function maskUserinfo(userinfo: string): string {
  const colon = userinfo.indexOf(":");
  return colon < 0 ? "***" : `${userinfo.slice(0, colon)}:***`;
}
