-- The CLV benchmark's customer summaries: a deterministic table of
-- (x, t_x, t_cal, m_x) per customer drawn from the BG/NBD and Gamma-Gamma
-- processes with known parameters, and a check, independent of the
-- extension's C code, that fitted parameters recover the true ones within
-- sampling error.
-- Usage: SELECT bench.make_clv_table('clv_1m', 1000000);
--        SELECT * FROM bench.bgnbd_recovery('clv_1m', (SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal) FROM clv_1m));
--        SELECT * FROM bench.gamma_gamma_recovery('clv_1m', (SELECT rfm_kmeans.gamma_gamma_fit(x, m_x) FROM clv_1m));
-- Needs rfm_data.u() (scripts/online_retail.sql).
--
-- The generator is plain SQL whose functions PostgreSQL inlines: each
-- random quantity is computed once in a stage of its own (OFFSET 0 keeps
-- a stage from being merged into the next, which would evaluate it again
-- at every use).

-- A uniform number in (0, 1), never 0 (its logarithm is finite).
CREATE OR REPLACE FUNCTION bench.uo(i bigint, salt integer, seed integer)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT rfm_data.u(i, salt, seed) + 5.551115123125783e-17
$$;

-- One Marsaglia-Tsang (2000) trial for a Gamma(d + 1/3, 1) draw from a
-- standard normal z and a uniform u: d (1 + z / sqrt(9d))^3 when
-- accepted, else NULL (under 5% of trials for shapes d + 1/3 >= 1).
CREATE OR REPLACE FUNCTION bench.mt_try(d float8, z float8, u float8)
RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN 1 + z / sqrt(9 * d) > 0
	             AND ln(u) < 0.5 * z * z + d - d * (1 + z / sqrt(9 * d)) ^ 3
	                         + 3 * d * ln(1 + z / sqrt(9 * d))
	            THEN d * (1 + z / sqrt(9 * d)) ^ 3 END
$$;

-- A Gamma(shape, 1) draw, shape >= 1, from four standard normals z1..z4
-- (two Box-Muller pairs, computed by the caller) and uniforms of (i, salt + 4
-- .. salt + 7): the first accepted of four trials (all four rejected:
-- under 1e-5 of draws, then the mode-like d).
CREATE OR REPLACE FUNCTION bench.mt_gamma(shape float8, z1 float8, z2 float8, z3 float8, z4 float8,
	i bigint, salt integer, seed integer)
RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT coalesce(bench.mt_try(shape - 1.0::float8 / 3, z1, bench.uo(i, salt + 4, seed)),
	                bench.mt_try(shape - 1.0::float8 / 3, z2, bench.uo(i, salt + 5, seed)),
	                bench.mt_try(shape - 1.0::float8 / 3, z3, bench.uo(i, salt + 6, seed)),
	                bench.mt_try(shape - 1.0::float8 / 3, z4, bench.uo(i, salt + 7, seed)),
	                shape - 1.0::float8 / 3)
$$;

-- Box-Muller: the radius and the angle of a pair of standard normals
-- (rho cos theta, rho sin theta) from uniforms (i, salt), (i, salt + 1).
CREATE OR REPLACE FUNCTION bench.bm_rho(i bigint, salt integer, seed integer)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT sqrt(-2 * ln(bench.uo(i, salt, seed)))
$$;
CREATE OR REPLACE FUNCTION bench.bm_theta(i bigint, salt integer, seed integer)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT 2 * pi() * bench.uo(i, salt + 1, seed)
$$;

-- Table tbl (customer_id, x, t_x, t_cal, m_x) of n customers, as
-- clv_summary() would give them, in weeks on a day grid:
--   lambda ~ Gamma(r, rate alpha) purchases a week, p ~ Beta(a, b);
--   t_cal a whole number of days from 140 to 364 (20 to 52 weeks), uniform;
--   repeat purchases a Poisson process of rate lambda from the first
--   purchase at 0; after each the customer drops out with probability p;
--   x = repeat purchases up to t_cal, t_x = the last one's time rounded to
--   the nearest day (0 when x = 0);
--   spend per purchase ~ Gamma(gg_p, rate nu), nu ~ Gamma(gg_q, rate gg_v),
--   m_x the mean of the x repeat purchases (NULL when x = 0).
-- Gamma draws by Marsaglia-Tsang (shape < 1 boosted: G(s) = G(s+1) U^(1/s)),
-- Beta(a, b) = G(a) / (G(a) + G(b)), the purchases simulated one at a time
-- (exponential gaps) by a recursive query. Deterministic in (n, seed).
CREATE OR REPLACE FUNCTION bench.make_clv_table(tbl text, n bigint,
	r float8 DEFAULT 0.25, alpha float8 DEFAULT 4, a float8 DEFAULT 0.8, b float8 DEFAULT 2.5,
	gg_p float8 DEFAULT 6, gg_q float8 DEFAULT 4, gg_v float8 DEFAULT 15, seed integer DEFAULT 7)
RETURNS bigint LANGUAGE plpgsql
SET jit = off	-- compiling the long expressions takes longer than evaluating them
AS $$
DECLARE
	rows bigint;
BEGIN
	EXECUTE format($q$
	CREATE UNLOGGED TABLE %I AS
	WITH RECURSIVE normals AS (
		SELECT i, 140 + floor(bench.uo(i, 1, $2) * 225) AS t_days,
		       bench.bm_rho(i, 10, $2) AS lr1, bench.bm_theta(i, 10, $2) AS lt1,
		       bench.bm_rho(i, 12, $2) AS lr2, bench.bm_theta(i, 12, $2) AS lt2,
		       bench.bm_rho(i, 20, $2) AS ar1, bench.bm_theta(i, 20, $2) AS at1,
		       bench.bm_rho(i, 22, $2) AS ar2, bench.bm_theta(i, 22, $2) AS at2,
		       bench.bm_rho(i, 30, $2) AS br1, bench.bm_theta(i, 30, $2) AS bt1,
		       bench.bm_rho(i, 32, $2) AS br2, bench.bm_theta(i, 32, $2) AS bt2,
		       bench.bm_rho(i, 40, $2) AS nr1, bench.bm_theta(i, 40, $2) AS nt1,
		       bench.bm_rho(i, 42, $2) AS nr2, bench.bm_theta(i, 42, $2) AS nt2
		FROM generate_series(1::bigint, $1) AS i
		OFFSET 0
	), gammas AS (
		SELECT i, t_days / 7.0::float8 AS t_cal,
		       -- lambda ~ Gamma(r, alpha), r < 1 or not
		       CASE WHEN $3 < 1
		            THEN bench.mt_gamma($3 + 1, lr1 * cos(lt1), lr1 * sin(lt1), lr2 * cos(lt2), lr2 * sin(lt2), i, 10, $2) * bench.uo(i, 18, $2) ^ (1 / $3)
		            ELSE bench.mt_gamma($3, lr1 * cos(lt1), lr1 * sin(lt1), lr2 * cos(lt2), lr2 * sin(lt2), i, 10, $2) END / $4 AS lambda,
		       CASE WHEN $5 < 1
		            THEN bench.mt_gamma($5 + 1, ar1 * cos(at1), ar1 * sin(at1), ar2 * cos(at2), ar2 * sin(at2), i, 20, $2) * bench.uo(i, 28, $2) ^ (1 / $5)
		            ELSE bench.mt_gamma($5, ar1 * cos(at1), ar1 * sin(at1), ar2 * cos(at2), ar2 * sin(at2), i, 20, $2) END AS ga,
		       CASE WHEN $6 < 1
		            THEN bench.mt_gamma($6 + 1, br1 * cos(bt1), br1 * sin(bt1), br2 * cos(bt2), br2 * sin(bt2), i, 30, $2) * bench.uo(i, 38, $2) ^ (1 / $6)
		            ELSE bench.mt_gamma($6, br1 * cos(bt1), br1 * sin(bt1), br2 * cos(bt2), br2 * sin(bt2), i, 30, $2) END AS gb,
		       CASE WHEN $8 < 1
		            THEN bench.mt_gamma($8 + 1, nr1 * cos(nt1), nr1 * sin(nt1), nr2 * cos(nt2), nr2 * sin(nt2), i, 40, $2) * bench.uo(i, 48, $2) ^ (1 / $8)
		            ELSE bench.mt_gamma($8, nr1 * cos(nt1), nr1 * sin(nt1), nr2 * cos(nt2), nr2 * sin(nt2), i, 40, $2) END / $9 AS nu
		FROM normals
		OFFSET 0
	), cust AS (
		SELECT i, t_cal, lambda, nu,
		       -- the repeat purchase after which the customer drops out:
		       -- P(last_k > j) = (1 - p)^j
		       CASE WHEN ga / (ga + gb) < 1e-12 THEN 1e15
		            ELSE 1 + floor(ln(bench.uo(i, 50, $2)) / ln(gb / (ga + gb))) END AS last_k
		FROM gammas
	), sim(i, t_cal, lambda, nu, last_k, k, t, t_next) AS (
		-- k repeat purchases so far, the last at t, the next one due at
		-- t_next: one more while alive and t_next <= t_cal
		SELECT i, t_cal, lambda, nu, last_k, 0, 0::float8, -ln(bench.uo(i, 1000, $2)) / lambda
		FROM cust
		UNION ALL
		SELECT i, t_cal, lambda, nu, last_k, k + 1, t_next, t_next - ln(bench.uo(i, 1001 + k, $2)) / lambda
		FROM sim WHERE k < last_k AND t_next <= t_cal
	), summary AS (
		SELECT i, k AS x, round(t * 7) / 7.0::float8 AS t_x, t_cal, nu,
		       bench.bm_rho(i, 60, $2) AS mr1, bench.bm_theta(i, 60, $2) AS mt1,
		       bench.bm_rho(i, 62, $2) AS mr2, bench.bm_theta(i, 62, $2) AS mt2
		FROM sim WHERE NOT (k < last_k AND t_next <= t_cal)
		OFFSET 0
	)
	SELECT i AS customer_id, x, t_x, t_cal,
	       -- the mean of x Gamma(gg_p, nu) spends: Gamma(gg_p x, rate nu x)
	       CASE WHEN x > 0 THEN bench.mt_gamma($7 * x, mr1 * cos(mt1), mr1 * sin(mt1), mr2 * cos(mt2), mr2 * sin(mt2), i, 60, $2) / (nu * x) END AS m_x
	FROM summary
	$q$, tbl) USING n, seed, r, alpha, a, b, gg_p, gg_q, gg_v;
	EXECUTE format('ANALYZE %I', tbl);
	EXECUTE format('SELECT count(*) FROM %I', tbl) INTO rows;
	RETURN rows;
END
$$;

-- ln Gamma(x), x > 0: the Stirling series from x + m >= 10 on, less
-- ln(x (x + 1) ... (x + m - 1)); about 1e-14 relative (PostgreSQL 15 has no
-- lgamma()).
CREATE OR REPLACE FUNCTION bench.lgamma(x float8) RETURNS float8
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
	p float8 := 1;
	z2 float8;
BEGIN
	WHILE x < 10 LOOP
		p := p * x;
		x := x + 1;
	END LOOP;
	z2 := x * x;
	RETURN (x - 0.5) * ln(x) - x + 0.91893853320467274178
	       + (1 / 12.0::float8 + (-1 / 360.0::float8 + (1 / 1260.0::float8 + (-1 / 1680.0::float8
	       + (1 / 1188.0::float8 + (-691 / 360360.0::float8 + (1 / 156.0::float8) / z2) / z2) / z2) / z2) / z2) / z2) / x
	       - ln(p);
END
$$;

-- The BG/NBD log-likelihood (FHL 2005, eq. 6) of the customers of pts
-- (x, t_x, t_cal, n: n customers with that summary) at th = (r, alpha, a,
-- b), written out in SQL independently of the extension's C code.
CREATE OR REPLACE FUNCTION bench.bgnbd_ll(pts regclass, th float8[])
RETURNS float8 LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
	ll float8;
BEGIN
	EXECUTE format($q$
		WITH xs AS (
			SELECT x, bench.lgamma($1 + x) - bench.lgamma($1) + $1 * ln($2)
			          + bench.lgamma($4 + x) - bench.lgamma($3 + $4 + x)
			          - bench.lgamma($4) + bench.lgamma($3 + $4) AS c
			FROM (SELECT DISTINCT x FROM %s) d
			OFFSET 0),	-- once per x, not per row
		terms AS (
			SELECT p.n, xs.c, -($1 + p.x) * ln($2 + p.t_cal) AS l1,
			       CASE WHEN p.x > 0 THEN ln($3) - ln($4 + p.x - 1) - ($1 + p.x) * ln($2 + p.t_x) END AS l2
			FROM %s p JOIN xs USING (x)
			OFFSET 0)	-- l1 and l2 computed once
		SELECT sum(n * (c + CASE WHEN l2 IS NULL THEN l1
		                         ELSE greatest(l1, l2) + ln(1 + exp(least(l1, l2) - greatest(l1, l2))) END))
		FROM terms$q$, pts, pts)
	INTO ll USING th[1], th[2], th[3], th[4];
	RETURN ll;
END
$$;

-- The Gamma-Gamma log-likelihood (Fader & Hardie 2013) of the customers
-- of tbl (x, m_x) with x > 0 at th = (p, q, v), in SQL.
CREATE OR REPLACE FUNCTION bench.gamma_gamma_ll(tbl regclass, th float8[])
RETURNS float8 LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
	ll float8;
BEGIN
	EXECUTE format($q$
		WITH xs AS (
			SELECT x, bench.lgamma($1 * x + $2) - bench.lgamma($1 * x) - bench.lgamma($2)
			          + $2 * ln($3) + $1 * x * ln(x) AS c
			FROM (SELECT DISTINCT x FROM %s WHERE x > 0 AND m_x > 0) d
			OFFSET 0)
		SELECT sum(c + ($1 * t.x - 1) * ln(m_x) - ($1 * t.x + $2) * ln(t.x * m_x + $3))
		FROM %s t JOIN xs USING (x) WHERE t.x > 0 AND m_x > 0$q$, tbl, tbl)
	INTO ll USING th[1], th[2], th[3];
	RETURN ll;
END
$$;

-- Does a maximum-likelihood fit recover the true parameters? ll names a
-- log-likelihood function (rel, float8[]) above. One row per parameter:
-- the truth, the fit, its standard error (from the observed information:
-- the Hessian of ll in the log-parameters by central differences,
-- inverted; the delta method back to the parameters), z = (fit - truth) /
-- se and PASS when |z| < 3.29 (two-sided 0.1%); then the likelihood-ratio
-- test, PASS when 0 <= 2 (LL(fit) - LL(truth)) < chi-square(k)'s 0.1%
-- point (a fit below the truth's likelihood is no maximum); then the
-- extension's log-likelihood at its fit against ll's, PASS within 1e-9.
CREATE OR REPLACE FUNCTION bench.mle_recovery(ll regproc, rel regclass, names text[],
	truth_params float8[], fit_params float8[], fit_ll float8)
RETURNS TABLE (parameter text, truth float8, fitted float8, se float8, z float8, result text)
LANGUAGE plpgsql AS $$
DECLARE
	h constant float8 := 1e-3;	-- step in the log-parameters
	k int := array_length(names, 1);
	-- chi-square's upper 0.1% points for 1 .. 6 degrees of freedom
	chi2 constant float8[] := ARRAY[10.828, 13.816, 16.266, 18.467, 20.515, 22.458];
	th float8[];
	e float8[];
	f0 float8;
	ll_truth float8;
	lr float8;
	hess float8[] := array_fill(0::float8, ARRAY[k, k]);
	inv float8[] := array_fill(0::float8, ARRAY[k, k]);
	piv float8;
	fpp float8; fpm float8; fmp float8; fmm float8;
	q text := format('SELECT %s($1, $2)', ll);
BEGIN
	th := ARRAY(SELECT ln(v) FROM unnest(fit_params) WITH ORDINALITY u(v, o) ORDER BY o);
	EXECUTE q INTO f0 USING rel, fit_params;
	FOR i IN 1..k LOOP
		FOR j IN i..k LOOP
			e := th;
			IF i = j THEN
				e[i] := th[i] + h;
				EXECUTE q INTO fpp USING rel, ARRAY(SELECT exp(v) FROM unnest(e) WITH ORDINALITY u(v, o) ORDER BY o);
				e[i] := th[i] - h;
				EXECUTE q INTO fmm USING rel, ARRAY(SELECT exp(v) FROM unnest(e) WITH ORDINALITY u(v, o) ORDER BY o);
				hess[i][i] := (fpp - 2 * f0 + fmm) / (h * h);
			ELSE
				e[i] := th[i] + h; e[j] := th[j] + h;
				EXECUTE q INTO fpp USING rel, ARRAY(SELECT exp(v) FROM unnest(e) WITH ORDINALITY u(v, o) ORDER BY o);
				e[j] := th[j] - h;
				EXECUTE q INTO fpm USING rel, ARRAY(SELECT exp(v) FROM unnest(e) WITH ORDINALITY u(v, o) ORDER BY o);
				e[i] := th[i] - h;
				EXECUTE q INTO fmm USING rel, ARRAY(SELECT exp(v) FROM unnest(e) WITH ORDINALITY u(v, o) ORDER BY o);
				e[j] := th[j] + h;
				EXECUTE q INTO fmp USING rel, ARRAY(SELECT exp(v) FROM unnest(e) WITH ORDINALITY u(v, o) ORDER BY o);
				hess[i][j] := (fpp - fpm - fmp + fmm) / (4 * h * h);
				hess[j][i] := hess[i][j];
			END IF;
		END LOOP;
	END LOOP;
	-- the covariance of the log-parameters: (-H)^-1, by Gauss-Jordan
	FOR i IN 1..k LOOP
		FOR j IN 1..k LOOP
			hess[i][j] := -hess[i][j];
		END LOOP;
		inv[i][i] := 1;
	END LOOP;
	FOR c IN 1..k LOOP
		piv := hess[c][c];
		FOR j IN 1..k LOOP
			hess[c][j] := hess[c][j] / piv;
			inv[c][j] := inv[c][j] / piv;
		END LOOP;
		FOR i IN 1..k LOOP
			IF i <> c THEN
				piv := hess[i][c];
				FOR j IN 1..k LOOP
					hess[i][j] := hess[i][j] - piv * hess[c][j];
					inv[i][j] := inv[i][j] - piv * inv[c][j];
				END LOOP;
			END IF;
		END LOOP;
	END LOOP;
	FOR i IN 1..k LOOP
		parameter := names[i];
		truth := truth_params[i];
		fitted := fit_params[i];
		se := fitted * sqrt(inv[i][i]);
		z := (fitted - truth) / se;
		result := CASE WHEN abs(z) < 3.29 THEN 'PASS' ELSE 'MISS' END;
		RETURN NEXT;
	END LOOP;
	EXECUTE q INTO ll_truth USING rel, truth_params;
	lr := 2 * (f0 - ll_truth);
	parameter := format('LR test 2(LL(fit) - LL(truth)) < %s', chi2[k]);
	truth := NULL; fitted := lr; se := NULL; z := NULL;
	result := CASE WHEN lr >= -1e-6 AND lr < chi2[k] THEN 'PASS' ELSE 'MISS' END;
	RETURN NEXT;
	parameter := 'log-likelihood at the fit: SQL, extension';
	truth := f0; fitted := fit_ll;
	result := CASE WHEN abs(f0 - fit_ll) <= 1e-9 * abs(f0) THEN 'PASS' ELSE 'MISS' END;
	RETURN NEXT;
END
$$;

CREATE OR REPLACE FUNCTION bench.bgnbd_recovery(tbl regclass, fit rfm_kmeans.bgnbd_params,
	true_params float8[] DEFAULT '{0.25, 4, 0.8, 2.5}')
RETURNS TABLE (parameter text, truth float8, fitted float8, se float8, z float8, result text)
LANGUAGE plpgsql AS $$
BEGIN
	DROP TABLE IF EXISTS pg_temp.bench_clv_points;
	-- customers with the same summary counted once
	EXECUTE format('CREATE TEMP TABLE bench_clv_points AS
		SELECT x, t_x, t_cal, count(*) AS n FROM %s GROUP BY x, t_x, t_cal', tbl);
	RETURN QUERY SELECT * FROM bench.mle_recovery('bench.bgnbd_ll', 'pg_temp.bench_clv_points',
		ARRAY['r', 'alpha', 'a', 'b'], true_params, ARRAY[fit.r, fit.alpha, fit.a, fit.b],
		fit.log_likelihood);
	DROP TABLE pg_temp.bench_clv_points;
END
$$;

CREATE OR REPLACE FUNCTION bench.gamma_gamma_recovery(tbl regclass, fit rfm_kmeans.gamma_gamma_params,
	true_params float8[] DEFAULT '{6, 4, 15}')
RETURNS TABLE (parameter text, truth float8, fitted float8, se float8, z float8, result text)
LANGUAGE sql AS $$
	SELECT * FROM bench.mle_recovery('bench.gamma_gamma_ll', tbl, ARRAY['p', 'q', 'v'],
		true_params, ARRAY[fit.p, fit.q, fit.v], fit.log_likelihood)
$$;
