-- distance => 'cosine' (spherical k-means), on rays of very different
-- lengths, where Euclidean k-means groups by length and cosine by
-- direction. Checked against a plain PL/pgSQL spherical k-means from the
-- same starting centroids, plain-SQL cosine distances, both training modes,
-- thread counts and row orders, and the errors.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(30);

-- 3 directions 0.5 rad apart, lengths 1 to 100, a little angular noise
CREATE TABLE rays AS
SELECT i, len * cos(ang) AS x, len * sin(ang) AS y, len * 0.3 AS z
FROM (SELECT i, 1 + 99 * rfm_data.u(i, 1, 5) AS len, (i % 3) * 0.5 + 0.15 * (rfm_data.u(i, 2, 5) - 0.5) AS ang
      FROM generate_series(1, 3000) i) s;
CREATE TABLE rays_shuffled AS SELECT * FROM rays ORDER BY md5(i::text);
\set f 'ARRAY[''x'', ''y'', ''z'']'
-- a start away from the answer: three rows of different directions and lengths
CREATE TEMP TABLE start AS
SELECT ARRAY[[r1.x, r1.y, r1.z], [r2.x, r2.y, r2.z], [r3.x, r3.y, r3.z]]::float8[] AS c
FROM rays r1, rays r2, rays r3 WHERE r1.i = 10 AND r2.i = 11 AND r3.i = 2000;

-- the plain implementation: unit rows; assign by the largest cosine
-- similarity (ties to the lower cluster); centroid = the unit mean; until
-- no row moves
CREATE FUNCTION pg_temp.naive_spherical(init float8[]) RETURNS float8[] LANGUAGE plpgsql AS $$
DECLARE
	c float8[] := init;
	moved bigint := 1;
	it int := 0;
BEGIN
	CREATE TEMP TABLE IF NOT EXISTS unit AS
	SELECT i, x / sqrt(x * x + y * y + z * z) AS x, y / sqrt(x * x + y * y + z * z) AS y, z / sqrt(x * x + y * y + z * z) AS z
	FROM rays;
	-- the start on the unit sphere
	SELECT array_agg(ARRAY[c[k][1] / n, c[k][2] / n, c[k][3] / n] ORDER BY k) INTO c
	FROM generate_series(1, 3) k, LATERAL (SELECT sqrt(c[k][1] ^ 2 + c[k][2] ^ 2 + c[k][3] ^ 2) AS n) nn;
	CREATE TEMP TABLE IF NOT EXISTS lab (i int, l int);
	TRUNCATE lab;
	INSERT INTO lab SELECT i, -1 FROM unit;
	WHILE moved > 0 AND it < 100 LOOP
		it := it + 1;
		WITH best AS (SELECT DISTINCT ON (u.i) u.i, k - 1 AS l FROM unit u, generate_series(1, 3) k
		              ORDER BY u.i, u.x * c[k][1] + u.y * c[k][2] + u.z * c[k][3] DESC, k)
		UPDATE lab SET l = best.l FROM best WHERE lab.i = best.i AND lab.l <> best.l;
		GET DIAGNOSTICS moved = ROW_COUNT;
		SELECT array_agg(ARRAY[sx / n, sy / n, sz / n] ORDER BY l) INTO c
		FROM (SELECT l, sum(x) AS sx, sum(y) AS sy, sum(z) AS sz FROM unit JOIN lab USING (i) GROUP BY l) s,
		     LATERAL (SELECT sqrt(sx * sx + sy * sy + sz * sz) AS n) nn;
	END LOOP;
	RETURN c;
END
$$;
CREATE FUNCTION pg_temp.unit_centroids(m text) RETURNS float8[] LANGUAGE sql AS $$
	SELECT array_agg(ARRAY[c[k][1] / n, c[k][2] / n, c[k][3] / n] ORDER BY k)
	FROM (SELECT centroids AS c FROM rfm_kmeans.models WHERE name = m) mm, generate_series(1, 3) k,
	     LATERAL (SELECT sqrt(c[k][1] ^ 2 + c[k][2] ^ 2 + c[k][3] ^ 2) AS n) nn
$$;
CREATE FUNCTION pg_temp.max_diff(a float8[], b float8[]) RETURNS float8 LANGUAGE sql AS $$
	SELECT max(abs(x - y)) FROM unnest(a, b) u(x, y)
$$;

SELECT lives_ok($$SELECT rfm_kmeans.train('cos_m', 'rays', $$ || :'f' || $$, 3, scale => 'none', distance => 'cosine',
                                          init_centroids => (SELECT c FROM start), tol => 0, mode => 'memory')$$,
                'memory mode, cosine distance');
SELECT cmp_ok(pg_temp.max_diff(pg_temp.unit_centroids('cos_m'), pg_temp.naive_spherical((SELECT c FROM start))), '<=', 1e-9::float8,
              'the centroids of a plain spherical k-means from the same start');
SELECT ok((SELECT bool_and(abs(sqrt(c[k][1] ^ 2 + c[k][2] ^ 2 + c[k][3] ^ 2) - 1) < 1e-12)
           FROM (SELECT centroids AS c FROM rfm_kmeans.models WHERE name = 'cos_m') m, generate_series(1, 3) k),
          'centroids on the unit sphere (scale none: in original units too)');
SELECT is((SELECT count(*) FROM rays r JOIN lab USING (i) WHERE rfm_kmeans.predict('cos_m', r.x, r.y, r.z) <> lab.l), 0::bigint,
          'predict(): the plain implementation''s labels');

-- Euclidean k-means on the same data groups by length instead
SELECT lives_ok($$SELECT rfm_kmeans.train('euc_m', 'rays', $$ || :'f' || $$, 3, scale => 'none',
                                          init_centroids => (SELECT c FROM start))$$, 'Euclidean, the same start');
SELECT ok((SELECT count(DISTINCT (i % 3, rfm_kmeans.predict('euc_m', x, y, z))) FROM rays) > 3,
          'Euclidean k-means does not: the data tells the two distances apart');

-- distances: 1 - cos against plain SQL
CREATE FUNCTION pg_temp.cos_dist(m text, r rays, k int) RETURNS float8 LANGUAGE sql AS $$
	SELECT 1 - (r.x * c[k][1] + r.y * c[k][2] + r.z * c[k][3])
	           / (sqrt(r.x ^ 2 + r.y ^ 2 + r.z ^ 2) * sqrt(c[k][1] ^ 2 + c[k][2] ^ 2 + c[k][3] ^ 2))
	FROM (SELECT centroids AS c FROM rfm_kmeans.models WHERE name = m) mm
$$;
SELECT cmp_ok((SELECT max(abs((rfm_kmeans.assign('cos_m', r.x, r.y, r.z)).distance
                              - pg_temp.cos_dist('cos_m', r, rfm_kmeans.predict('cos_m', r.x, r.y, r.z) + 1))) FROM rays r),
              '<=', 1e-12::float8, 'assign(): the cosine distance 1 - cos to the nearest centroid');
SELECT cmp_ok((SELECT max(abs((rfm_kmeans.distances('cos_m', r.x, r.y, r.z))[k] - pg_temp.cos_dist('cos_m', r, k)))
               FROM rays r, generate_series(1, 3) k), '<=', 1e-12::float8, 'distances(): to every centroid');
SELECT cmp_ok((SELECT abs(m.inertia - s.total) / s.total FROM rfm_kmeans.models m,
                      (SELECT sum(pg_temp.cos_dist('cos_m', r, rfm_kmeans.predict('cos_m', r.x, r.y, r.z) + 1)) AS total FROM rays r) s
               WHERE m.name = 'cos_m'), '<=', 1e-9::float8, 'inertia: the sum of the rows'' cosine distances');
SELECT cmp_ok((SELECT abs(m.distance_quantiles[1001] - s.mx) FROM rfm_kmeans.models m,
                      (SELECT max(pg_temp.cos_dist('cos_m', r, rfm_kmeans.predict('cos_m', r.x, r.y, r.z) + 1)) AS mx FROM rays r) s
               WHERE m.name = 'cos_m'), '<=', 1e-6::float8, 'the distance quantiles are cosine distances (the largest)');

-- aggregate mode, threads, row order
SELECT lives_ok($$SELECT rfm_kmeans.train('cos_a', 'rays', $$ || :'f' || $$, 3, scale => 'none', distance => 'cosine',
                                          init_centroids => (SELECT c FROM start), tol => 0, mode => 'aggregate')$$,
                'aggregate mode, cosine distance');
SELECT cmp_ok(pg_temp.max_diff(pg_temp.unit_centroids('cos_a'), pg_temp.unit_centroids('cos_m')), '<=', 1e-9::float8,
              'aggregate mode: memory mode''s centroids');
SET LOCAL rfm_kmeans.max_threads = 1;
SELECT rfm_kmeans.train('cos_1', 'rays', :f, 3, scale => 'none', distance => 'cosine', n_init => 3) \gset
RESET rfm_kmeans.max_threads;
SELECT rfm_kmeans.train('cos_n', 'rays', :f, 3, scale => 'none', distance => 'cosine', n_init => 3) \gset
SELECT rfm_kmeans.train('cos_s', 'rays_shuffled', :f, 3, scale => 'none', distance => 'cosine', n_init => 3) \gset
SELECT is((SELECT count(DISTINCT (i % 3, rfm_kmeans.predict('cos_n', x, y, z))) FROM rays), 3::bigint,
          'cosine k-means++ finds the three directions');
SELECT is((SELECT centroids FROM rfm_kmeans.models WHERE name = 'cos_1'), (SELECT centroids FROM rfm_kmeans.models WHERE name = 'cos_n'),
          'the same model bit for bit on one thread as on all');
SELECT ok((SELECT a.sizes = b.sizes AND pg_temp.max_diff(a.centroids, b.centroids) <= 1e-12
           FROM rfm_kmeans.models a, rfm_kmeans.models b WHERE a.name = 'cos_s' AND b.name = 'cos_n'),
          'shuffled rows: the same sizes, centroids to the last bits');
SELECT is((SELECT params->>'distance' FROM rfm_kmeans.models WHERE name = 'cos_n'), 'cosine', 'the distance stored with the model');
SELECT is((SELECT count(*) FROM rays r WHERE rfm_kmeans.predict_row('cos_n', r) <> rfm_kmeans.predict('cos_n', r.x, r.y, r.z)),
          0::bigint, 'predict_row() on a cosine model: predict()');
SELECT cmp_ok((SELECT abs(e.inertia - m.inertia) FROM rfm_kmeans.evaluate('cos_m', 'rays') e, rfm_kmeans.models m WHERE m.name = 'cos_m'),
              '<=', 1e-9::float8, 'evaluate(): the same inertia (sum of cosine distances) as training');

-- the default falls back to aggregate mode, not one-pass, for cosine
SET LOCAL rfm_kmeans.train_memory_limit = 64;
SELECT lives_ok($$SELECT rfm_kmeans.train('cos_f', 'rays', $$ || :'f' || $$, 3, distance => 'cosine')$$,
                'cosine past the memory limit');
SELECT is((SELECT params->>'mode' FROM rfm_kmeans.models m WHERE m.name = 'cos_f'), 'aggregate', 'falls back to aggregate mode');
RESET rfm_kmeans.train_memory_limit;

-- the rows' lengths do not matter: a million times longer, the same model
-- (tol's unit is the variance of the unit rows)
CREATE TABLE rays_long AS SELECT i, x * 1e6 AS x, y * 1e6 AS y, z * 1e6 AS z FROM rays;
SELECT ok((SELECT a.iterations = b.iterations
           FROM rfm_kmeans.train('cos_l', 'rays_long', :f, 3, scale => 'none', distance => 'cosine', n_init => 3) a,
                rfm_kmeans.train('cos_n2', 'rays', :f, 3, scale => 'none', distance => 'cosine', n_init => 3) b),
          'rows a million times longer: the same iterations');
SELECT ok((SELECT a.sizes = b.sizes FROM rfm_kmeans.models a, rfm_kmeans.models b WHERE a.name = 'cos_l' AND b.name = 'cos_n2'),
          'and sizes');
SELECT cmp_ok(pg_temp.max_diff(pg_temp.unit_centroids('cos_l'), pg_temp.unit_centroids('cos_n2')), '<=', 1e-12::float8,
              'and the same directions');
SELECT ok((SELECT a.iterations = b.iterations
           FROM rfm_kmeans.train('cos_la', 'rays_long', :f, 3, scale => 'none', distance => 'cosine', mode => 'aggregate') a,
                rfm_kmeans.train('cos_ma', 'rays_long', :f, 3, scale => 'none', distance => 'cosine', mode => 'memory') b),
          'aggregate and memory modes stop after the same iterations');

-- errors
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'rays', $$ || :'f' || $$, 3, distance => 'cosine', refine => 2)$$, '22023', NULL,
                 'refine with cosine (which never trains in one pass): 22023');
INSERT INTO rays VALUES (0, 0, 0, 0);
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'rays', $$ || :'f' || $$, 3, scale => 'none', distance => 'cosine')$$, '22000', NULL,
                 'an all-zero row: 22000');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'rays', $$ || :'f' || $$, 3, scale => 'none', distance => 'cosine', mode => 'aggregate')$$, '22000', NULL,
                 'and in aggregate mode');
SELECT throws_ok($$SELECT rfm_kmeans.predict('cos_m', 0, 0, 0)$$, '22000', NULL, 'predict() of an all-zero row: 22000');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'rays', $$ || :'f' || $$, 3, distance => 'manhattan')$$, '22023', NULL,
                 'an unknown distance: 22023');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'rays', $$ || :'f' || $$, 3, distance => 'cosine', mode => 'onepass')$$, '22023', NULL,
                 'cosine in one-pass mode: 22023');

SELECT * FROM finish();
ROLLBACK;
