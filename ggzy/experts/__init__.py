"""评标专家库 — the provincial pool of evaluation experts: classifications, import and merge of dispersed pools,
self-service with review, performance records, pool health; the draw lives here too (branch ``draw``)."""
