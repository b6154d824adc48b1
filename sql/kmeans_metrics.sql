-- evaluate(), elbow() and kmeans() against plain-SQL computations.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS rfm_kmeans;
RESET client_min_messages;
SET extra_float_digits = 0;

\i sql/helpers/error_of.psql

-- 90 points: three loose groups in two features
CREATE TABLE m_pts AS
SELECT i, (i % 3) * 3 + ((i * 7) % 10) / 4.0 AS a, (i % 3) * -2 + ((i * 3) % 11) / 5.0 AS b
FROM generate_series(1, 90) i;
SELECT model FROM rfm_kmeans.train('m3', 'm_pts', ARRAY['a', 'b'], 3, scale => 'none');

-- labels and scaled coordinates (scale 'none': the features themselves)
CREATE TEMP TABLE lab AS
SELECT i, a, b, rfm_kmeans.predict('m3', a, b) AS cl FROM m_pts;

-- silhouette from its definition, in SQL
CREATE TEMP TABLE sil AS
WITH d AS (
	SELECT p.i, p.cl AS own, q.cl AS other, sqrt((p.a - q.a) ^ 2 + (p.b - q.b) ^ 2) AS dist
	FROM lab p JOIN lab q ON p.i <> q.i),
per AS (
	SELECT i, own, other, avg(dist) AS mean_dist FROM d GROUP BY i, own, other),
ab AS (
	SELECT i, max(mean_dist) FILTER (WHERE other = own) AS a,
	       min(mean_dist) FILTER (WHERE other <> own) AS b
	FROM per GROUP BY i)
SELECT avg((b - a) / greatest(a, b)) AS silhouette FROM ab;

-- Davies-Bouldin and Calinski-Harabasz from their definitions
CREATE TEMP TABLE cm AS
SELECT cl, avg(a) AS ca, avg(b) AS cb, count(*) AS n FROM lab GROUP BY cl;
CREATE TEMP TABLE scat AS
SELECT l.cl, avg(sqrt((l.a - c.ca) ^ 2 + (l.b - c.cb) ^ 2)) AS s
FROM lab l JOIN cm c USING (cl) GROUP BY l.cl;
CREATE TEMP TABLE db AS
SELECT avg(worst) AS davies_bouldin FROM (
	SELECT x.cl, max((sx.s + sy.s) / sqrt((x.ca - y.ca) ^ 2 + (x.cb - y.cb) ^ 2)) AS worst
	FROM cm x JOIN cm y ON x.cl <> y.cl JOIN scat sx ON sx.cl = x.cl JOIN scat sy ON sy.cl = y.cl
	GROUP BY x.cl) w;
CREATE TEMP TABLE ch AS
SELECT (sum(c.n * ((c.ca - o.ma) ^ 2 + (c.cb - o.mb) ^ 2)) / 2)
       / ((SELECT sum((l.a - c2.ca) ^ 2 + (l.b - c2.cb) ^ 2) FROM lab l JOIN cm c2 USING (cl)) / (90 - 3))
       AS calinski_harabasz
FROM cm c, (SELECT avg(a) AS ma, avg(b) AS mb FROM lab) o;

SELECT abs(e.silhouette - s.silhouette) < 1e-12 AS silhouette_matches,
       abs(e.davies_bouldin - d.davies_bouldin) < 1e-12 AS davies_bouldin_matches,
       abs(e.calinski_harabasz - c.calinski_harabasz) < 1e-9 * c.calinski_harabasz AS calinski_harabasz_matches,
       abs(e.inertia - (SELECT sum(min_d2) FROM (SELECT (SELECT min(x * x) FROM unnest(rfm_kmeans.distances('m3', a, b)) x) AS min_d2 FROM m_pts) t)) < 1e-9
         AS inertia_matches,
       abs(e.mean_squared_distance - e.inertia / 90) < 1e-12 AS msd_matches,
       e.n_rows, e.silhouette_rows
FROM rfm_kmeans.evaluate('m3', 'm_pts') e, sil s, db d, ch c;

-- the elbow curve, and the recommended k by the documented rule restated
-- in SQL: the point farthest below the line from the first to the last
-- point, both axes scaled to 0..1, ties to the smaller k
CREATE TEMP TABLE elb AS SELECT * FROM rfm_kmeans.elbow('m_pts', ARRAY['a', 'b'], 1, 6, scale => 'none');
SELECT k, round(inertia::numeric, 6) AS inertia, silhouette IS NOT NULL AS has_silhouette, recommended
FROM elb ORDER BY k;
SELECT (SELECT k FROM elb WHERE recommended) =
       (SELECT e.k FROM elb e,
               (SELECT min(k) AS k0, max(k) AS k1, max(inertia) AS hi, min(inertia) AS lo FROM elb) b
        ORDER BY (1 - (e.k - b.k0)::float8 / (b.k1 - b.k0)) - (e.inertia - b.lo) / (b.hi - b.lo) DESC, e.k
        LIMIT 1) AS recommended_by_rule;
-- every elbow row equals a kmeans() run with the same k
SELECT bool_and(abs(e.inertia - t.inertia) < 1e-9) AS elbow_equals_train
FROM rfm_kmeans.elbow('m_pts', ARRAY['a', 'b'], 2, 4, scale => 'none') e,
     LATERAL rfm_kmeans.train('elbow_k' || e.k, 'm_pts', ARRAY['a', 'b'], e.k, scale => 'none') t;

-- kmeans() returns train()'s clusters without storing a model
SELECT count(*) AS models_before FROM rfm_kmeans.models WHERE name LIKE 'oneshot%';
SELECT k.cluster, k.size = c.size AS same_size,
       abs(k.centroid[1] - c.centroid[1]) < 1e-12 AND abs(k.centroid[2] - c.centroid[2]) < 1e-12 AS same_centroid
FROM rfm_kmeans.kmeans('m_pts', ARRAY['a', 'b'], 3, scale => 'none') k
JOIN rfm_kmeans.centroids('m3') c USING (cluster) ORDER BY 1;
SELECT count(*) AS models_after FROM rfm_kmeans.models WHERE name LIKE 'oneshot%';

-- one cluster: silhouette and the others are undefined (NULL)
SELECT model FROM rfm_kmeans.train('m1', 'm_pts', ARRAY['a', 'b'], 1);
SELECT silhouette IS NULL AS no_silhouette, davies_bouldin IS NULL AS no_db, calinski_harabasz IS NULL AS no_ch
FROM rfm_kmeans.evaluate('m1', 'm_pts');

-- errors
CREATE TABLE m_other (x float8);
SELECT pg_temp.err_detail($$SELECT * FROM rfm_kmeans.evaluate('nope', 'm_pts')$$) AS unknown_model;
SELECT pg_temp.err_detail($$SELECT * FROM rfm_kmeans.evaluate('m3', 'm_other')$$) AS missing_columns;
SELECT pg_temp.err_detail($$SELECT * FROM rfm_kmeans.evaluate(NULL, 'm_pts')$$) AS null_model;
SELECT pg_temp.err_detail($$SELECT * FROM rfm_kmeans.elbow('m_pts', ARRAY['a'], 5, 2)$$) AS k_range_reversed;
SELECT pg_temp.err_detail($$SELECT * FROM rfm_kmeans.elbow('m_pts', ARRAY['a'], 0, 2)$$) AS k_min_zero;
SELECT pg_temp.err_detail($$SELECT * FROM rfm_kmeans.elbow('m_pts', ARRAY['a'], 1, 100)$$) AS k_range_too_wide;
SELECT pg_temp.err_detail($$SELECT * FROM rfm_kmeans.elbow('m_other', ARRAY['x'], 1, 2)$$) AS elbow_empty;
SELECT pg_temp.err_detail($$SELECT * FROM rfm_kmeans.elbow('m_pts', ARRAY['a'], 1, 3, scale => 'x')$$) AS elbow_bad_scale;
SELECT pg_temp.err_detail($$SELECT * FROM rfm_kmeans.kmeans('m_pts', ARRAY['a'], 0)$$) AS kmeans_k_zero;
SELECT pg_temp.err_detail($$SELECT * FROM rfm_kmeans.kmeans('m_pts', ARRAY['nope'], 2)$$) AS kmeans_unknown_column;

DROP TABLE m_pts, m_other;
