-- Values whose squares or variance overflow float8: every function that
-- fits or measures k-means on them either answers what it answers on the
-- same data scaled down, or raises 22003 naming the column; nothing
-- crashes and no model with an infinite inertia or sizes that do not add
-- up is ever stored.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS rfm_kmeans;
RESET client_min_messages;
SET extra_float_digits = 0;

\i sql/helpers/error_of.psql

-- the rows of the issue: their squares (1e400) overflow
CREATE TABLE h (a float8);
INSERT INTO h VALUES (1e200), (-1e200), (0), (3e199);

-- elbow() used to crash here; k = 1 on z-scores: the inertia is the number of rows
SELECT k, round(inertia::numeric, 9) AS inertia, recommended FROM rfm_kmeans.elbow('h', ARRAY['a'], 1, 1);
SELECT k, round(inertia::numeric, 6) AS inertia FROM rfm_kmeans.elbow('h', ARRAY['a'], 1, 3) ORDER BY k;

-- train(): by hand, the z-scores are 1.287, -1.495, -0.104, 0.313 and the
-- split of least inertia puts -1e200 alone (inertia 1.019)
SELECT model, n_rows, iterations <= 300 AS iterations_in_range, round(inertia::numeric, 6) AS inertia
FROM rfm_kmeans.train('h_z', 'h', ARRAY['a'], 2);
SELECT sizes, (SELECT sum(s) FROM unnest(sizes) s) = n_rows AS sizes_add_up FROM rfm_kmeans.models WHERE name = 'h_z';
SELECT cluster, size, centroid FROM rfm_kmeans.kmeans('h', ARRAY['a'], 2) ORDER BY cluster;
SELECT model, round(inertia::numeric, 6) AS inertia FROM rfm_kmeans.train('h_mm', 'h', ARRAY['a'], 2, scale => 'minmax');
SELECT model, round(inertia::numeric, 6) AS inertia FROM rfm_kmeans.train('h_agg', 'h', ARRAY['a'], 2, mode => 'aggregate');
SELECT model, iterations BETWEEN 1 AND 300 AS iterations_in_range, round(inertia::numeric, 6) AS inertia
FROM rfm_kmeans.train('h_agg_mm', 'h', ARRAY['a'], 2, mode => 'aggregate', scale => 'minmax');

-- unscaled, the squares overflow: 22003 naming the column, in every mode
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('h_none', 'h', ARRAY['a'], 2, scale => 'none')$$) AS none_memory;
SELECT pg_temp.err($$SELECT rfm_kmeans.train('h_none', 'h', ARRAY['a'], 2, scale => 'none', init_centroids => '{{0},{1}}')$$) AS none_explicit;
SELECT pg_temp.err($$SELECT rfm_kmeans.train('h_none', 'h', ARRAY['a'], 2, scale => 'none', mode => 'aggregate')$$) AS none_aggregate;
SELECT pg_temp.err($$SELECT * FROM rfm_kmeans.kmeans('h', ARRAY['a'], 2, scale => 'none')$$) AS none_kmeans;
SELECT pg_temp.err($$SELECT * FROM rfm_kmeans.elbow('h', ARRAY['a'], 1, 3, scale => 'none')$$) AS none_elbow;
-- z-scored, starting centroids of 1e307 are only 1.2e107 away: fine
SELECT model FROM rfm_kmeans.train('h_far', 'h', ARRAY['a'], 2, init_centroids => '{{1e307},{-1e307}}');
-- unscaled, small data with starting centroids 1e160 away overflows
CREATE TABLE few AS SELECT v::float8 AS a FROM generate_series(1, 10) v;
SELECT pg_temp.err($$SELECT rfm_kmeans.train('few_far', 'few', ARRAY['a'], 2, scale => 'none', init_centroids => '{{1e160},{-1e160}}')$$) AS far_init;
SELECT count(*) AS stored_refused_models FROM rfm_kmeans.models WHERE name IN ('h_none', 'few_far');

-- near DBL_MAX, both signs: z-scores are fine, the min-max range is not
CREATE TABLE huge AS SELECT v * 1.5e308 AS a FROM unnest(ARRAY[-1, -1, -0.9, 0.9, 1, 1]::float8[]) v;
SELECT model FROM rfm_kmeans.train('huge_z', 'huge', ARRAY['a'], 2);
SELECT sizes FROM rfm_kmeans.models WHERE name = 'huge_z';
SELECT pg_temp.err($$SELECT rfm_kmeans.train('huge_mm', 'huge', ARRAY['a'], 2, scale => 'minmax')$$) AS minmax_past_dbl_max;
SELECT pg_temp.err($$SELECT rfm_kmeans.train('huge_mm', 'huge', ARRAY['a'], 2, scale => 'minmax', mode => 'aggregate')$$) AS minmax_aggregate;

-- Scale invariance. Multiplying by a power of two is exact, and z-scores
-- and min-max values do not change under it, so on the same data times
-- 2^1000 (features up to 5e302) and times 2^500 (up to 3e152, mixed
-- signs) memory mode must give the same model bit for bit: centroids
-- exactly 2^1000 and 2^500 times those of the small data, the same sizes,
-- inertia, iterations, labels and metrics.
CREATE TABLE small AS
SELECT i, (i % 3) * 20.0 - 25 + (i % 7) * 0.5 AS a, ((i * 7) % 11) - 5.5 + (i % 3) AS b,
       (i % 5) * 3.0 + (i % 3) AS c
FROM generate_series(1, 600) i;
CREATE TABLE big AS
SELECT i, a * 2::float8 ^ 1000 AS a, b * 2::float8 ^ 500 AS b, c * 2::float8 ^ 700 AS c FROM small;
SELECT max(abs(a)) > 1e302 AND min(a) < 0 AND max(abs(b)) > 1e151 AND min(b) < 0 AS far_and_mixed FROM big;

CREATE FUNCTION pg_temp.same_model(m_small text, m_big text) RETURNS boolean LANGUAGE sql AS $$
	SELECT s.sizes = b.sizes AND s.inertia = b.inertia AND s.iterations = b.iterations
	       AND s.mean_distance = b.mean_distance AND s.centroid_below = b.centroid_below
	       AND (SELECT bool_and(b.centroids[c][1] = s.centroids[c][1] * 2::float8 ^ 1000
	                            AND b.centroids[c][2] = s.centroids[c][2] * 2::float8 ^ 500
	                            AND b.centroids[c][3] = s.centroids[c][3] * 2::float8 ^ 700)
	            FROM generate_series(1, s.k) c)
	FROM rfm_kmeans.models s, rfm_kmeans.models b WHERE s.name = m_small AND b.name = m_big
$$;

SELECT scale, init,
       (SELECT model FROM rfm_kmeans.train('s_' || scale || init, 'small', ARRAY['a', 'b', 'c'], 4, scale => scale, init => init)) IS NOT NULL
       AND (SELECT model FROM rfm_kmeans.train('b_' || scale || init, 'big', ARRAY['a', 'b', 'c'], 4, scale => scale, init => init)) IS NOT NULL
       AND pg_temp.same_model('s_' || scale || init, 'b_' || scale || init) AS same_model_bit_for_bit
FROM unnest(ARRAY['zscore', 'minmax']) scale, unnest(ARRAY['k-means++', 'random']) init
ORDER BY 1, 2;

-- k = 9 prunes with Hamerly's bounds: the same again
SELECT (SELECT model FROM rfm_kmeans.train('s_k9', 'small', ARRAY['a', 'b', 'c'], 9)) IS NOT NULL
       AND (SELECT model FROM rfm_kmeans.train('b_k9', 'big', ARRAY['a', 'b', 'c'], 9)) IS NOT NULL
       AND pg_temp.same_model('s_k9', 'b_k9') AS pruned_same_model;

-- kmeans(), elbow(), evaluate(), drift() and cluster_labels() agree too
SELECT (SELECT array_agg(size ORDER BY cluster) FROM rfm_kmeans.kmeans('small', ARRAY['a', 'b', 'c'], 4))
     = (SELECT array_agg(size ORDER BY cluster) FROM rfm_kmeans.kmeans('big', ARRAY['a', 'b', 'c'], 4)) AS kmeans_same_sizes;
SELECT s.k, s.inertia = b.inertia AS same_inertia, s.silhouette = b.silhouette AS same_silhouette,
       s.davies_bouldin = b.davies_bouldin AS same_davies_bouldin, s.recommended = b.recommended AS same_pick
FROM rfm_kmeans.elbow('small', ARRAY['a', 'b', 'c'], 1, 6) s
JOIN rfm_kmeans.elbow('big', ARRAY['a', 'b', 'c'], 1, 6) b USING (k) ORDER BY k;
SELECT s = b AS evaluate_same FROM rfm_kmeans.evaluate('s_zscorek-means++', 'small') s,
       rfm_kmeans.evaluate('b_zscorek-means++', 'big') b;
SELECT s.psi = b.psi AND s.psi = 0 AS drift_zero_and_same, s.mean_distance_after = b.mean_distance_after AS same_distance
FROM rfm_kmeans.drift('s_zscorek-means++', 'small') s, rfm_kmeans.drift('b_zscorek-means++', 'big') b;
SELECT array_agg(s.label ORDER BY s.cluster) = array_agg(b.label ORDER BY b.cluster) AS same_labels
FROM rfm_kmeans.cluster_labels('s_zscorek-means++') s JOIN rfm_kmeans.cluster_labels('b_zscorek-means++') b USING (cluster);
SELECT count(*) FILTER (WHERE rfm_kmeans.predict('s_zscorek-means++', s.a, s.b, s.c)
                               <> rfm_kmeans.predict('b_zscorek-means++', b.a, b.b, b.c)) AS predictions_differing
FROM small s JOIN big b USING (i);

-- aggregate mode computes its scaler in numeric: the same model up to
-- rounding, from the same explicit start
SELECT model FROM rfm_kmeans.train('s_agg', 'small', ARRAY['a', 'b', 'c'], 3, mode => 'aggregate',
                                   init_centroids => '{{-25,-5,0},{-5,0,6},{15,5,12}}');
SELECT model FROM rfm_kmeans.train('b_agg', 'big', ARRAY['a', 'b', 'c'], 3, mode => 'aggregate',
                                   init_centroids => ARRAY[[-25 * 2::float8 ^ 1000, -5 * 2::float8 ^ 500, 0],
                                                           [-5 * 2::float8 ^ 1000, 0, 6 * 2::float8 ^ 700],
                                                           [15 * 2::float8 ^ 1000, 5 * 2::float8 ^ 500, 12 * 2::float8 ^ 700]]);
SELECT s.sizes = b.sizes AS same_sizes, abs(s.inertia - b.inertia) < 1e-9 * s.inertia AS same_inertia,
       s.iterations = b.iterations AS same_iterations,
       (SELECT bool_and(abs(b.centroids[c][1] / 2::float8 ^ 1000 - s.centroids[c][1]) < 1e-9 * (1 + abs(s.centroids[c][1]))
                        AND abs(b.centroids[c][2] / 2::float8 ^ 500 - s.centroids[c][2]) < 1e-9 * (1 + abs(s.centroids[c][2])))
        FROM generate_series(1, 3) c) AS same_centroids
FROM rfm_kmeans.models s, rfm_kmeans.models b WHERE s.name = 's_agg' AND b.name = 'b_agg';

-- unscaled, big's squares overflow: 22003 for each reader
SELECT pg_temp.err($$SELECT rfm_kmeans.train('b_none', 'big', ARRAY['a', 'b', 'c'], 2, scale => 'none')$$) AS big_none;
SELECT pg_temp.err($$SELECT rfm_kmeans.train('b_none', 'big', ARRAY['b'], 2, scale => 'none')$$) AS big_b_none_fits;
-- a model of the small data evaluated on the big rows: 22003, not Infinity
SELECT pg_temp.err($$SELECT * FROM rfm_kmeans.evaluate('s_zscorek-means++', 'big')$$) AS evaluate_far_rows;

-- A point far outside a model, whose every squared distance overflows:
-- its cluster is the nearest in exact arithmetic (numeric, in SQL) and its
-- distance the exact one. Unscaled centroids 2e150 apart, points 1e155 out.
CREATE TABLE far_c AS SELECT (i % 2) * 2e150 - 1e150 AS a, (i % 3)::float8 AS b FROM generate_series(1, 30) i;
SELECT model FROM rfm_kmeans.train('far_none', 'far_c', ARRAY['a', 'b'], 2, scale => 'none');
CREATE TEMP TABLE far_points AS
SELECT * FROM (VALUES (1, 1e155::float8, 0::float8), (2, -1e155, 3e154), (3, 5e153, -1e156),
                      (4, -2e154, 1e155)) v(id, a, b);
CREATE FUNCTION pg_temp.exact_nearest(model text)
RETURNS TABLE (id integer, cl integer, dist float8) LANGUAGE sql AS $$
	WITH m AS (SELECT * FROM rfm_kmeans.models WHERE name = model),
	exact AS (
		SELECT p.id, c - 1 AS cl,
		       sum(((p.x::numeric - m.scale_offset[p.j]::numeric) / m.scale_factor[p.j]::numeric
		            - (m.centroids[c][p.j]::numeric - m.scale_offset[p.j]::numeric) / m.scale_factor[p.j]::numeric) ^ 2) AS d2
		FROM (SELECT f.id, x, j FROM far_points f, unnest(ARRAY[f.a, f.b]) WITH ORDINALITY u(x, j)) p,
		     m, generate_series(1, m.k) c
		GROUP BY p.id, c)
	SELECT DISTINCT ON (id) id, cl, sqrt(d2)::float8 FROM exact ORDER BY id, d2, cl
$$;
SELECT e.id, rfm_kmeans.predict('far_none', f.a, f.b) = e.cl AS nearest_exactly,
       abs((rfm_kmeans.assign('far_none', f.a, f.b)).distance / e.dist - 1) < 1e-12 AS distance_exact,
       abs((rfm_kmeans.distances('far_none', f.a, f.b))[e.cl + 1] / e.dist - 1) < 1e-12 AS distances_exact
FROM pg_temp.exact_nearest('far_none') e JOIN far_points f USING (id) ORDER BY e.id;
-- a distance past the largest float8: 22003
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.assign('far_none', 1.5e308, -1.5e308)$$) AS distance_past_dbl_max;
SELECT pg_temp.err($$SELECT rfm_kmeans.distances('far_none', 1.5e308, -1.5e308)$$) AS distances_past_dbl_max;
-- a feature that overflows once scaled (sd 8e-4): 22003
CREATE TABLE tiny AS SELECT v * 1e-3 AS a FROM generate_series(0, 2) v;
SELECT model FROM rfm_kmeans.train('tiny', 'tiny', ARRAY['a'], 1);
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.predict('tiny', 1.7e308)$$) AS scaled_feature_overflow;

-- kmeans_step() itself: a squared distance or sum that overflows is 22003
SELECT pg_temp.err($$SELECT rfm_kmeans.kmeans_step(ARRAY[v], ARRAY[[0]]::float8[]) FROM unnest(ARRAY[1e200, 1]::float8[]) v$$) AS step_square_overflow;
SELECT (rfm_kmeans.kmeans_step(ARRAY[v], ARRAY[[0]]::float8[])).sizes AS step_1e150_fine FROM unnest(ARRAY[1e150, -1e150]::float8[]) v;

-- nothing stored is infinite, and every model's sizes add up to its rows
SELECT count(*) AS bad_models FROM (
	SELECT inertia, sizes, n_rows, k FROM rfm_kmeans.models
	UNION ALL SELECT inertia, sizes, n_rows, k FROM rfm_kmeans.model_versions) m
WHERE NOT (inertia >= 0 AND inertia < 'Infinity') OR cardinality(sizes) <> k
   OR (SELECT sum(s) FROM unnest(sizes) s) <> n_rows;

SELECT rfm_kmeans.drop_model(name) FROM rfm_kmeans.models ORDER BY name;
