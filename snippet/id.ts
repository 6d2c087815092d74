/**
 * A random client id: 128 bits from crypto.getRandomValues (available in
 * insecure contexts too, unlike randomUUID), written as four decimal numbers
 * joined by "-" (fits CLIENT_ID_FULL_PATTERN). TypedArray#join, not
 * Array#join: the host page may have replaced Array.prototype methods.
 */
export const newId = (): string => crypto.getRandomValues(new Uint32Array(4)).join('-');
