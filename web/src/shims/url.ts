// The two functions of Node's legacy `url` module that crosis calls to
// build the WebSocket URL (parse, then format with a new pathname), on
// the browser's URL. esbuild does not bundle Node's built-ins for the
// browser.
interface Parsed {
  protocol: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  hash: string;
}

export function parse(href: string): Parsed {
  const u = new URL(href);
  return {
    protocol: u.protocol,
    host: u.host,
    hostname: u.hostname,
    port: u.port,
    pathname: u.pathname,
    search: u.search,
    hash: u.hash,
  };
}

export function format(p: Parsed): string {
  return `${p.protocol}//${p.host}${p.pathname}${p.search ?? ''}${p.hash ?? ''}`;
}
