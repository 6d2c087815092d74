import { DEFAULT_SALES_SETTINGS, type SalesSettings } from '../../core/sales';

/** Data access for a site's sales settings; NULL columns mean the default. */

interface SettingsRow {
  handoff_stage: 'mql' | 'sql' | null;
  sla_hours: number | null;
  reject_reasons: string | null;
  lost_reasons: string | null;
}

/** A setting left out keeps its value; null resets it to the default. */
export type SettingsPatch = { [K in keyof SalesSettings]?: SalesSettings[K] | null | undefined };

export interface StoredSettings {
  settings: SalesSettings;
  /** Which settings are the site's own (the rest are defaults). */
  overrides: { [K in keyof SalesSettings]: boolean };
}

export async function getSalesSettings(db: D1Database, siteId: string): Promise<StoredSettings> {
  const r = await db.prepare('SELECT handoff_stage, sla_hours, reject_reasons, lost_reasons FROM sales_settings WHERE site_id = ?')
    .bind(siteId).first<SettingsRow>();
  const d = DEFAULT_SALES_SETTINGS;
  return {
    settings: {
      handoffStage: r?.handoff_stage ?? d.handoffStage,
      slaHours: r?.sla_hours ?? d.slaHours,
      rejectReasons: r?.reject_reasons ? (JSON.parse(r.reject_reasons) as string[]) : d.rejectReasons,
      lostReasons: r?.lost_reasons ? (JSON.parse(r.lost_reasons) as string[]) : d.lostReasons,
    },
    overrides: {
      handoffStage: Boolean(r?.handoff_stage), slaHours: Boolean(r?.sla_hours), rejectReasons: Boolean(r?.reject_reasons), lostReasons: Boolean(r?.lost_reasons),
    },
  };
}

export async function putSalesSettings(db: D1Database, siteId: string, patch: SettingsPatch, now: number): Promise<void> {
  // -1 marks "left out" for the SQL below; null resets.
  const keep = (x: unknown) => (x === undefined ? -1 : x === null ? null : Array.isArray(x) ? JSON.stringify(x) : x);
  await db
    .prepare(`INSERT INTO sales_settings (site_id, handoff_stage, sla_hours, reject_reasons, lost_reasons, updated_at)
              VALUES (?1, CASE WHEN ?2 IS -1 THEN NULL ELSE ?2 END, CASE WHEN ?3 IS -1 THEN NULL ELSE ?3 END,
                      CASE WHEN ?4 IS -1 THEN NULL ELSE ?4 END, CASE WHEN ?5 IS -1 THEN NULL ELSE ?5 END, ?6)
              ON CONFLICT (site_id) DO UPDATE SET
                handoff_stage = CASE WHEN ?2 IS -1 THEN handoff_stage ELSE ?2 END,
                sla_hours = CASE WHEN ?3 IS -1 THEN sla_hours ELSE ?3 END,
                reject_reasons = CASE WHEN ?4 IS -1 THEN reject_reasons ELSE ?4 END,
                lost_reasons = CASE WHEN ?5 IS -1 THEN lost_reasons ELSE ?5 END,
                updated_at = ?6`)
    .bind(siteId, keep(patch.handoffStage), keep(patch.slaHours), keep(patch.rejectReasons), keep(patch.lostReasons), now)
    .run();
}
