// The setting tickwise.fleet.url, read from the user's own settings only: a workspace (a cloned
// repository, an untrusted folder) must never choose where the editor connects or sends a token.
// package.json declares it "application"-scoped, and this reads inspect()'s user value and ignores
// any workspace value, so an editor that does not enforce the scope cannot be talked into it either.
// Pure: takes what `WorkspaceConfiguration.inspect()` returned.

/** What `inspect('fleet.url')` returns (the parts read or warned about). */
export interface InspectedSetting {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  globalLanguageValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
}

export interface FleetUrlSetting {
  /** The service's base address ("http://127.0.0.1:3000", "https://svc.example/internal"); none when not set or not usable. */
  url?: string;
  /** What to log: a workspace value ignored, an address that is not http(s). */
  warnings: string[];
}

const KEY = 'tickwise.fleet.url';

/**
 * The base address of the service to show (the one serving `<base>/jobs`): the user's setting
 * only, trimmed, without a trailing slash, query or fragment, and without a trailing `/jobs` (an
 * address copied from the browser). No `url` when unset, or when it is not an http(s) address
 * (then with a warning).
 */
export function fleetUrlSetting(inspected: InspectedSetting | undefined): FleetUrlSetting {
  const warnings: string[] = [];
  const fromWorkspace = [
    inspected?.workspaceValue,
    inspected?.workspaceFolderValue,
    inspected?.workspaceLanguageValue,
    inspected?.workspaceFolderLanguageValue,
  ].some((value) => value !== undefined);
  if (fromWorkspace) {
    warnings.push(
      `${KEY} in the workspace settings is ignored: only your user settings may point the editor at a service`,
    );
  }
  const raw = inspected?.globalValue ?? inspected?.defaultValue;
  const text = typeof raw === 'string' ? raw.trim() : '';
  if (text === '') return { warnings };
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    warnings.push(`${KEY}: '${text}' is not an address such as http://127.0.0.1:3000; not connecting`);
    return { warnings };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    warnings.push(`${KEY}: only http and https addresses are used, not ${parsed.protocol}; not connecting`);
    return { warnings };
  }
  if (parsed.username !== '' || parsed.password !== '') {
    warnings.push(`${KEY}: credentials in the address are not sent; use "Tickwise: Set Fleet Token" instead`);
    parsed.username = '';
    parsed.password = '';
  }
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\/jobs$/, '');
  return { url: `${parsed.origin}${path}`, warnings };
}

/** Whether a token sent to this address crosses the network unencrypted (http to a host other than this machine). */
export function sendsTokenInClear(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'http:') return false;
  return !(hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname));
}
