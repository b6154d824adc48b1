-- Deterministic benchmark tables of per-customer RFM features with
-- realistic shapes (recency skewed to recent, frequency geometric,
-- monetary log-normal) drawn from five natural customer groups.
-- Usage: SELECT bench.make_rfm_table('rfm_1m', 1000000);
CREATE OR REPLACE FUNCTION bench.make_rfm_table(tbl text, n bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	rows bigint;
BEGIN
	EXECUTE format($q$
	CREATE UNLOGGED TABLE %I AS
	WITH draw AS (
		SELECT i,
		       -- group 0..4, with shares 30, 25, 20, 15, 10 percent
		       width_bucket(rfm_data.u(i, 1, 7), ARRAY[0.3, 0.55, 0.75, 0.9]::float8[]) AS g,
		       sqrt(-2 * ln(rfm_data.u(i, 2, 7))) * cos(2 * pi() * rfm_data.u(i, 3, 7)) AS z1,
		       sqrt(-2 * ln(rfm_data.u(i, 4, 7))) * cos(2 * pi() * rfm_data.u(i, 5, 7)) AS z2,
		       rfm_data.u(i, 6, 7) AS u
		FROM generate_series(1::bigint, $1) AS i)
	SELECT i AS customer_id,
	       -- recency in days: recent groups near 0, lapsed ones far back
	       (ARRAY[8, 30, 90, 200, 330])[g + 1] * (0.5 + u) AS recency,
	       -- frequency: orders, 1 + a geometric-like count around the group's mean
	       1 + floor(greatest(0, (ARRAY[20, 8, 3, 1.5, 1])[g + 1] * (1 + 0.5 * z1))) AS frequency,
	       -- monetary: log-normal around the group's typical spend
	       exp(ln((ARRAY[4000, 1200, 400, 150, 60])[g + 1]) + 0.6 * z2) AS monetary
	FROM draw
	$q$, tbl) USING n;
	EXECUTE format('ALTER TABLE %I SET (parallel_workers = 2)', tbl);
	EXECUTE format('ANALYZE %I', tbl);
	EXECUTE format('SELECT count(*) FROM %I', tbl) INTO rows;
	RETURN rows;
END
$$;

-- The same 20 Lloyd iterations a SQL user would write without the
-- extension: assign every row to the nearest centroid with a CASE over the
-- squared distances, recompute centroids with GROUP BY, repeat. Features
-- are z-scored like train() does. Returns the final centroids.
CREATE OR REPLACE FUNCTION bench.plain_sql_kmeans(tbl text, init float8[], iterations int)
RETURNS float8[] LANGUAGE plpgsql AS $$
DECLARE
	c float8[] := init;	-- k x 3, in z-scored units
	k int := array_length(init, 1);
	m float8[];
	s float8[];
	d text;
	nearest text;
	i int;
	j int;
BEGIN
	EXECUTE format('SELECT ARRAY[avg(recency), avg(frequency), avg(monetary)],
	                       ARRAY[stddev_pop(recency), stddev_pop(frequency), stddev_pop(monetary)] FROM %I', tbl)
	   INTO m, s;
	FOR i IN 1..iterations LOOP
		-- CASE picking the index of the smallest of k squared distances
		nearest := 'CASE';
		FOR j IN 1..k LOOP
			d := format('((x - %s) ^ 2 + (y - %s) ^ 2 + (z - %s) ^ 2)', c[j][1], c[j][2], c[j][3]);
			nearest := nearest || format(' WHEN %s <= LEAST(%s) THEN %s', d,
				(SELECT string_agg(format('((x - %s) ^ 2 + (y - %s) ^ 2 + (z - %s) ^ 2)', c[q][1], c[q][2], c[q][3]), ', ')
				 FROM generate_series(1, k) q), j);
		END LOOP;
		nearest := nearest || ' END';
		EXECUTE format($q$
			SELECT array_agg(ARRAY[ax, ay, az] ORDER BY cl) FROM (
				SELECT %s AS cl, avg(x) AS ax, avg(y) AS ay, avg(z) AS az
				FROM (SELECT (recency - %s) / %s AS x, (frequency - %s) / %s AS y, (monetary - %s) / %s AS z
				      FROM %I) p
				GROUP BY 1) g$q$,
			nearest, m[1], s[1], m[2], s[2], m[3], s[3], tbl) INTO c;
	END LOOP;
	RETURN c;
END
$$;

-- Peak resident memory of this backend so far, in kB (VmHWM), and the
-- part of the current resident memory that is shared buffers (RssShmem):
-- pages of shared_buffers the backend touched stay counted in its RSS, so
-- the private peak is about VmHWM - RssShmem.
CREATE OR REPLACE FUNCTION bench.vm_hwm_kb() RETURNS bigint LANGUAGE sql AS $$
	SELECT substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\s+(\d+) kB')::bigint
$$;
CREATE OR REPLACE FUNCTION bench.rss_shmem_kb() RETURNS bigint LANGUAGE sql AS $$
	SELECT substring(pg_read_file('/proc/self/status') FROM 'RssShmem:\s+(\d+) kB')::bigint
$$;
-- whether this backend has loaded LLVM (a JIT-compiled query ran in the session)
CREATE OR REPLACE FUNCTION bench.llvm_loaded() RETURNS boolean LANGUAGE sql AS $$
	SELECT pg_read_file('/proc/self/maps') LIKE '%llvmjit%'
$$;

-- Gaussian blobs: n points of d features around `centers` centers drawn
-- uniformly in [-10, 10]^d, unit spread (deterministic). The one-pass
-- quality check's 8-feature, 12-center data set.
CREATE OR REPLACE FUNCTION bench.make_blobs_table(tbl text, n bigint, d int, centers int) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	cols text;
	rows bigint;
BEGIN
	SELECT string_agg(format('ctr[%s] + sqrt(-2 * ln(rfm_data.u(i, %s, 3))) * cos(2 * pi() * rfm_data.u(i, %s, 3)) AS x%s',
	                         j, 2 * j - 1, 2 * j, j), ', ' ORDER BY j)
	INTO cols FROM generate_series(1, d) j;
	EXECUTE format($q$
	CREATE UNLOGGED TABLE %I AS
	WITH c AS (SELECT g, array_agg(rfm_data.u(g * 1000 + j, 9, 11) * 20 - 10 ORDER BY j) AS ctr
	           FROM generate_series(0, %s - 1) g, generate_series(1, %s) j GROUP BY g)
	SELECT i AS id, %s
	FROM generate_series(1::bigint, $1) i JOIN c ON c.g = i %% %s
	$q$, tbl, centers, d, cols, centers) USING n;
	EXECUTE format('ALTER TABLE %I SET (parallel_workers = 2)', tbl);
	EXECUTE format('ANALYZE %I', tbl);
	EXECUTE format('SELECT count(*) FROM %I', tbl) INTO rows;
	RETURN rows;
END
$$;
