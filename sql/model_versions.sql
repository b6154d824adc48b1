-- Model versions: replacing keeps the earlier version, model_history()
-- lists them, rollback_model() brings the latest one back.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS rfm_kmeans;
RESET client_min_messages;
SET extra_float_digits = 0;
\i sql/helpers/error_of.psql

CREATE TABLE mv_pts AS SELECT i, (i % 3) * 10.0 + (i % 7) * 0.1 AS a FROM generate_series(1, 300) i;

SELECT model, k FROM rfm_kmeans.train('mv', 'mv_pts', ARRAY['a'], 2, scale => 'none');
SELECT rfm_kmeans.predict('mv', 20.0) AS v1_cluster_of_20, array_length(rfm_kmeans.distances('mv', 0), 1) AS v1_k;
SELECT model, k FROM rfm_kmeans.train('mv', 'mv_pts', ARRAY['a'], 3, scale => 'none');
SELECT model, k FROM rfm_kmeans.train('mv', 'mv_pts', ARRAY['a'], 4, scale => 'none');

-- newest first; only the current one is current
SELECT version, is_current, k, n_rows FROM rfm_kmeans.model_history('mv');
SELECT version, k FROM rfm_kmeans.models WHERE name = 'mv';
SELECT name, version, k FROM rfm_kmeans.model_versions WHERE name = 'mv' ORDER BY version;
SELECT array_length(rfm_kmeans.distances('mv', 0), 1) AS current_k;

-- a failed replacement keeps both the current model and the history
SELECT pg_temp.err($$SELECT rfm_kmeans.train('mv', 'mv_pts', ARRAY['nope'], 2)$$) AS failed_replace;
SELECT count(*) AS versions_after_failure FROM rfm_kmeans.model_history('mv');

-- roll back twice: k 4 -> 3 -> 2, and the next query predicts with it
SELECT rfm_kmeans.rollback_model('mv') AS now_version;
SELECT array_length(rfm_kmeans.distances('mv', 0), 1) AS k_after_first_rollback;
SELECT rfm_kmeans.rollback_model('mv') AS now_version;
SELECT array_length(rfm_kmeans.distances('mv', 0), 1) AS k_after_second_rollback,
       rfm_kmeans.predict('mv', 20.0) AS cluster_of_20;
SELECT version, is_current, k FROM rfm_kmeans.model_history('mv');
SELECT pg_temp.err($$SELECT rfm_kmeans.rollback_model('mv')$$) AS nothing_to_roll_back;

-- training again after a rollback numbers on from the current version
SELECT model FROM rfm_kmeans.train('mv', 'mv_pts', ARRAY['a'], 5, scale => 'none');
SELECT version, is_current, k FROM rfm_kmeans.model_history('mv');

-- errors, and drop_model removes the history too
SELECT pg_temp.err($$SELECT rfm_kmeans.rollback_model('no_such')$$) AS rollback_unknown;
SELECT pg_temp.err($$SELECT * FROM rfm_kmeans.model_history('no_such')$$) AS history_unknown;
SELECT rfm_kmeans.drop_model('mv');
SELECT count(*) AS versions_left FROM rfm_kmeans.model_versions WHERE name = 'mv';

DROP TABLE mv_pts;
