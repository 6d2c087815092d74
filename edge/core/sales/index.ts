/** The sales lifecycle, qualification, currencies and settings: pure rules of the hand-off to sales. */
export { SALES_STATUSES, WRITABLE_STATUSES, allowedNext, awaitsOwner, canMove, directionOf, routable } from './lifecycle';
export type { SalesStatus, WritableStatus } from './lifecycle';
export { BANT, BANT_FIELDS } from './qualification';
export type { Bant, BantField } from './qualification';
export { CURRENCIES, isCurrency } from './currencies';
export { DEFAULT_SALES_SETTINGS, SALES_LIMITS } from './settings';
export type { SalesSettings } from './settings';
export { chooseOwner, territoryMatches } from './routing';
export type { RoutingLead, RoutingOwner, Territory } from './routing';
