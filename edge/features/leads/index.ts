/**
 * Leads: capture, double opt-in, download, the consent ledger and the lead list.
 * What other features may use; routes are mounted by app.ts, not exported.
 */
export { leadSubmission, listQuery, magnetId } from './schemas';
export { importQuery, importRow } from './import-schemas';
export { getLead, ledgerOf, listLeads, toLeadSales, withdrawLead } from './store';
export { timelineOf } from './timeline-store';
export { leadMatches, segmentLeadFilters, temperatureParams, temperatureSql } from './list-store';
export type { LeadFilters } from './list-store';
export type { Lead, LeadRow, LeadSales, LeadStatus } from './store';
