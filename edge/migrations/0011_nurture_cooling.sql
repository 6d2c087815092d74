-- The "cold" nurture trigger finds leads whose decayed engagement crossed the
-- model's warm threshold since its last run: a range of stored E_norm values.
CREATE INDEX lead_scores_cooling ON lead_scores (site_id, e_norm);
