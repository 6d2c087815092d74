/**
 * Request facts written to the consent ledger with every entry: a keyed
 * hash of the IP (never the address), the user agent and the country.
 */
export interface Evidence {
  ipHash: string | null;
  userAgent: string | null;
  country: string | null;
}
