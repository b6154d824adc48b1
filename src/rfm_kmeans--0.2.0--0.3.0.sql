-- rfm_kmeans 0.2.0 -> 0.3.0: model history writable only through the
-- extension's functions, caches that follow changes, and the same column
-- checks in every function that reads a relation.
-- A fresh CREATE EXTENSION installs 0.1.0 and runs every upgrade script,
-- so this is the only place the 0.3.0 changes are written.

\echo Use "ALTER EXTENSION rfm_kmeans UPDATE TO '0.3.0'" to load this file. \quit

------------------------------------------------------------------------------
-- Models and their history: everyone reads them; only train(),
-- rollback_model() and drop_model() write them. Those check that the
-- caller owns the model (or is a superuser), lock the model's name, and
-- then write as the tables' owner, so no role can plant a row in another
-- role's model or history. Row-level security is no longer needed for
-- that and is removed with its policies.
------------------------------------------------------------------------------

DROP POLICY models_read ON rfm_kmeans.models;
DROP POLICY models_insert ON rfm_kmeans.models;
DROP POLICY models_update ON rfm_kmeans.models;
DROP POLICY models_delete ON rfm_kmeans.models;
ALTER TABLE rfm_kmeans.models DISABLE ROW LEVEL SECURITY;
DROP POLICY model_versions_read ON rfm_kmeans.model_versions;
DROP POLICY model_versions_insert ON rfm_kmeans.model_versions;
DROP POLICY model_versions_delete ON rfm_kmeans.model_versions;
ALTER TABLE rfm_kmeans.model_versions DISABLE ROW LEVEL SECURITY;
REVOKE INSERT, UPDATE, DELETE ON rfm_kmeans.models FROM PUBLIC;
REVOKE INSERT, DELETE ON rfm_kmeans.model_versions FROM PUBLIC;

-- rollback_model and drop_model become C functions (model_admin.c): the
-- checks, the name lock and the writes of train() in one place.
CREATE OR REPLACE FUNCTION rfm_kmeans.rollback_model(model text) RETURNS integer
	AS 'MODULE_PATHNAME', 'rfm_rollback_model' LANGUAGE C VOLATILE;
CREATE OR REPLACE FUNCTION rfm_kmeans.drop_model(model text) RETURNS void
	AS 'MODULE_PATHNAME', 'rfm_drop_model' LANGUAGE C VOLATILE;
DROP FUNCTION rfm_kmeans._check_model_owner(text);

------------------------------------------------------------------------------
-- predict()/assign()/distances() keep the model, and segment() the rules,
-- between calls; every write to those tables sends an invalidation that
-- makes the next statement (also the next statement of a PL/pgSQL block,
-- in this session) and every other session after the commit read them
-- again. The model functions send it themselves (they are the only
-- writers of the models, and a trigger would keep the table from
-- becoming a Citus reference table); edits of the rules, by anyone, send
-- it through this trigger.
------------------------------------------------------------------------------

CREATE FUNCTION rfm_kmeans._table_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'rfm_table_changed' LANGUAGE C;
CREATE TRIGGER segment_rules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON rfm_kmeans.segment_rules FOR EACH STATEMENT EXECUTE FUNCTION rfm_kmeans._table_changed();

------------------------------------------------------------------------------
-- One check of a relation's feature columns for every function that reads
-- one: the schema's USAGE (42501, as a SELECT reports it), each column's
-- existence (42703) and a numeric type that casts to float8 (42804).
------------------------------------------------------------------------------

CREATE FUNCTION rfm_kmeans._check_columns(relation regclass, columns text[]) RETURNS void
	AS 'MODULE_PATHNAME', 'rfm_check_columns' LANGUAGE C STABLE PARALLEL SAFE;

CREATE OR REPLACE FUNCTION rfm_kmeans.drift(model text, relation regclass)
	RETURNS TABLE (psi float8, shares_before float8[], shares_after float8[],
	               mean_distance_before float8, mean_distance_after float8, n_rows bigint)
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m rfm_kmeans.models;
	counts bigint[];
	total bigint;
	trained bigint;
	eps constant float8 := 0.0001;
BEGIN
	IF drift.model IS NULL OR drift.relation IS NULL THEN
		RAISE EXCEPTION 'drift() arguments must not be null' USING ERRCODE = '22004';
	END IF;
	SELECT * INTO m FROM rfm_kmeans.models WHERE name = drift.model;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model "%" does not exist', drift.model USING ERRCODE = '42704';
	END IF;
	PERFORM rfm_kmeans._check_columns(drift.relation, m.features);
	-- every usable row's cluster and distance, added up per cluster by one
	-- GROUP BY, which parallel query and Citus compute where the rows are
	EXECUTE format($q$
		SELECT array_agg(coalesce(per.n, 0) ORDER BY g), sum(per.n), sum(per.dist) / sum(per.n)
		FROM generate_series(0, %s - 1) g
		LEFT JOIN (SELECT (a).cluster AS cl, count(*) AS n, sum((a).distance) AS dist
		           FROM (SELECT rfm_kmeans.assign(%L, VARIADIC ARRAY[%s]) AS a FROM %s WHERE %s) x
		           GROUP BY 1) per ON per.cl = g$q$,
		m.k, m.name, rfm_kmeans._float8_columns(m.features), drift.relation,
		rfm_kmeans._none_null(m.features))
	  INTO counts, total, mean_distance_after;
	IF total IS NULL THEN
		RAISE EXCEPTION 'relation "%" has no row with all features non-null', drift.relation
			USING ERRCODE = '22000';
	END IF;
	SELECT sum(v) INTO trained FROM unnest(m.sizes) v;
	shares_before := ARRAY(SELECT v::float8 / trained FROM unnest(m.sizes) WITH ORDINALITY u(v, o) ORDER BY o);
	shares_after := ARRAY(SELECT v::float8 / total FROM unnest(counts) WITH ORDINALITY u(v, o) ORDER BY o);
	SELECT sum((greatest(a, eps) - greatest(b, eps)) * ln(greatest(a, eps) / greatest(b, eps)))
	  INTO psi
	  FROM unnest(shares_after, shares_before) u(a, b);
	mean_distance_before := m.mean_distance;
	n_rows := total;
	RETURN NEXT;
END
$$;

-- The segment table; like every reader of a relation, an error (22000)
-- when no row has every feature and column non-null (report_html() and
-- evaluate() could not draw or measure anything either).
CREATE OR REPLACE FUNCTION rfm_kmeans.cluster_summary(model text, relation regclass,
	recency text DEFAULT NULL, frequency text DEFAULT NULL, monetary text DEFAULT NULL)
	RETURNS TABLE (cluster integer, label text, customers bigint, share float8,
	               mean_recency float8, mean_frequency float8, mean_monetary float8, revenue float8)
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m rfm_kmeans.models;
	usable bigint;
BEGIN
	IF cluster_summary.relation IS NULL THEN
		RAISE EXCEPTION 'cluster_summary() argument relation must not be null' USING ERRCODE = '22004';
	END IF;
	m := rfm_kmeans._rfm_model(cluster_summary.model, 'cluster_summary');
	recency := coalesce(recency, m.features[1]);
	frequency := coalesce(frequency, m.features[2]);
	monetary := coalesce(monetary, m.features[3]);
	PERFORM rfm_kmeans._check_columns(relation, m.features || ARRAY[recency, frequency, monetary]);
	EXECUTE format('SELECT count(*) FROM %s WHERE %s', relation,
	               rfm_kmeans._none_null(m.features || ARRAY[recency, frequency, monetary]))
	  INTO usable;
	IF usable = 0 THEN
		RAISE EXCEPTION 'relation "%" has no row with all features non-null', relation
			USING ERRCODE = '22000',
			      DETAIL = format('Every row has a null in one of the columns %s.',
			                      array_to_string(m.features || ARRAY[recency, frequency, monetary], ', '));
	END IF;
	RETURN QUERY EXECUTE format($q$
		WITH x AS (
			SELECT rfm_kmeans.predict(%L, VARIADIC ARRAY[%s]) AS cl, %I::pg_catalog.float8 AS r,
			       %I::pg_catalog.float8 AS f, %I::pg_catalog.float8 AS mo
			FROM %s WHERE %s),
		per AS (SELECT cl, count(*) AS n, avg(r) AS r, avg(f) AS f, avg(mo) AS mo, sum(mo) AS rev
		        FROM x GROUP BY cl)
		SELECT l.cluster, l.label, coalesce(p.n, 0), coalesce(p.n, 0)::pg_catalog.float8 / (SELECT sum(n) FROM per),
		       p.r, p.f, p.mo, coalesce(p.rev, 0)
		FROM rfm_kmeans.cluster_labels(%L) l LEFT JOIN per p ON p.cl = l.cluster
		ORDER BY l.cluster$q$,
		m.name, rfm_kmeans._float8_columns(m.features), recency, frequency, monetary, relation,
		rfm_kmeans._none_null(m.features || ARRAY[recency, frequency, monetary]), m.name);
END
$$;

------------------------------------------------------------------------------
-- kmeans_step() for rows in original units: the state holds the scaler
-- (a 2 x d array: offsets, then factors) and scales every row as train()
-- does. With the features as plain float8 arguments (up to 4), no array
-- is built and taken apart per row: train()'s aggregate mode uses these.
-- A NULL feature skips the row. The state's text and binary forms are
-- version 2 when it scales.
------------------------------------------------------------------------------

CREATE FUNCTION rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_state, float8[], float8[], float8[])
	RETURNS rfm_kmeans.kmeans_state
	AS 'MODULE_PATHNAME', 'kmeans_step_scaled_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_state, float8[], float8[], float8)
	RETURNS rfm_kmeans.kmeans_state
	AS 'MODULE_PATHNAME', 'kmeans_step_args_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_state, float8[], float8[], float8, float8)
	RETURNS rfm_kmeans.kmeans_state
	AS 'MODULE_PATHNAME', 'kmeans_step_args_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_state, float8[], float8[], float8, float8, float8)
	RETURNS rfm_kmeans.kmeans_state
	AS 'MODULE_PATHNAME', 'kmeans_step_args_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_state, float8[], float8[], float8, float8, float8, float8)
	RETURNS rfm_kmeans.kmeans_state
	AS 'MODULE_PATHNAME', 'kmeans_step_args_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE rfm_kmeans.kmeans_step(features float8[], centroids float8[], scaler float8[]) (
	SFUNC = rfm_kmeans.kmeans_step_trans, STYPE = rfm_kmeans.kmeans_state,
	COMBINEFUNC = rfm_kmeans.kmeans_step_combine, FINALFUNC = rfm_kmeans.kmeans_step_final,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.kmeans_step(centroids float8[], scaler float8[], f1 float8) (
	SFUNC = rfm_kmeans.kmeans_step_trans, STYPE = rfm_kmeans.kmeans_state,
	COMBINEFUNC = rfm_kmeans.kmeans_step_combine, FINALFUNC = rfm_kmeans.kmeans_step_final,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.kmeans_step(centroids float8[], scaler float8[], f1 float8, f2 float8) (
	SFUNC = rfm_kmeans.kmeans_step_trans, STYPE = rfm_kmeans.kmeans_state,
	COMBINEFUNC = rfm_kmeans.kmeans_step_combine, FINALFUNC = rfm_kmeans.kmeans_step_final,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.kmeans_step(centroids float8[], scaler float8[], f1 float8, f2 float8, f3 float8) (
	SFUNC = rfm_kmeans.kmeans_step_trans, STYPE = rfm_kmeans.kmeans_state,
	COMBINEFUNC = rfm_kmeans.kmeans_step_combine, FINALFUNC = rfm_kmeans.kmeans_step_final,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.kmeans_step(centroids float8[], scaler float8[], f1 float8, f2 float8, f3 float8, f4 float8) (
	SFUNC = rfm_kmeans.kmeans_step_trans, STYPE = rfm_kmeans.kmeans_state,
	COMBINEFUNC = rfm_kmeans.kmeans_step_combine, FINALFUNC = rfm_kmeans.kmeans_step_final,
	PARALLEL = SAFE);

-- A step whose state scales its rows also adds up their distances to
-- their centroid: the mean distance, NULL for states of rows scaled in SQL.
ALTER TYPE rfm_kmeans.kmeans_step_result ADD ATTRIBUTE mean_distance float8;

-- The scaler's moment sums in aggregate mode: each row's term, truncated
-- to an integer exactly as memory mode does, so sum(bigint) gives the same
-- exact sums and the same scaler.
CREATE FUNCTION rfm_kmeans._moment_term(x float8, center float8, unit1 float8, unit2 float8,
	scale float8, power integer) RETURNS bigint
	AS 'MODULE_PATHNAME', 'kmeans_moment_term' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rfm_kmeans._moment_term(float8, float8, float8, float8, float8, integer) IS
	'internal: a row''s term of the scaler''s exact moment sums, as memory mode computes it';

COMMENT ON FUNCTION rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_state, float8[], float8[], float8[]) IS
	'kmeans_step() transition: scale a row in original units, assign it to its nearest centroid';
COMMENT ON FUNCTION rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_state, float8[], float8[], float8) IS
	'kmeans_step() transition, 1 feature as an argument, scaled by the state';
COMMENT ON FUNCTION rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_state, float8[], float8[], float8, float8) IS
	'kmeans_step() transition, 2 features as arguments, scaled by the state';
COMMENT ON FUNCTION rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_state, float8[], float8[], float8, float8, float8) IS
	'kmeans_step() transition, 3 features as arguments, scaled by the state';
COMMENT ON FUNCTION rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_state, float8[], float8[], float8, float8, float8, float8) IS
	'kmeans_step() transition, 4 features as arguments, scaled by the state';
COMMENT ON AGGREGATE rfm_kmeans.kmeans_step(float8[], float8[], float8[]) IS
	'one Lloyd step over rows in original units, scaled by the given 2 x d scaler';
COMMENT ON AGGREGATE rfm_kmeans.kmeans_step(float8[], float8[], float8) IS
	'one Lloyd step, 1 feature given as an argument, scaled by the given scaler';
COMMENT ON AGGREGATE rfm_kmeans.kmeans_step(float8[], float8[], float8, float8) IS
	'one Lloyd step, 2 features given as arguments, scaled by the given scaler';
COMMENT ON AGGREGATE rfm_kmeans.kmeans_step(float8[], float8[], float8, float8, float8) IS
	'one Lloyd step, 3 features given as arguments, scaled by the given scaler';
COMMENT ON AGGREGATE rfm_kmeans.kmeans_step(float8[], float8[], float8, float8, float8, float8) IS
	'one Lloyd step, 4 features given as arguments, scaled by the given scaler';

------------------------------------------------------------------------------
-- Citus: the model catalog as reference tables, so that every node holds
-- every model and predict()/assign()/distances() run on the workers, in
-- the queries Citus pushes down to them. Run once on the coordinator.
------------------------------------------------------------------------------

CREATE FUNCTION rfm_kmeans.citus_setup() RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	t text;
BEGIN
	IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
		RAISE EXCEPTION 'citus_setup() needs the citus extension in this database'
			USING ERRCODE = '55000',
			      HINT = 'Without Citus there is nothing to set up: every function works as it is.';
	END IF;
	IF NOT citus_is_coordinator() THEN
		RAISE EXCEPTION 'citus_setup() runs on the coordinator' USING ERRCODE = '55000';
	END IF;
	FOREACH t IN ARRAY ARRAY['rfm_kmeans.models', 'rfm_kmeans.model_versions'] LOOP
		IF NOT EXISTS (SELECT FROM pg_dist_partition WHERE logicalrelid = t::regclass) THEN
			PERFORM create_reference_table(t);
			-- the rows now live in the reference table's shards
			PERFORM truncate_local_data_after_distributing_table(t);
		END IF;
	END LOOP;
END
$$;

COMMENT ON FUNCTION rfm_kmeans.citus_setup() IS
	'Citus: make the model catalog reference tables, so that scoring runs on the workers (run once on the coordinator)';
COMMENT ON FUNCTION rfm_kmeans._table_changed() IS
	'internal: trigger sending the invalidation that makes cached segment rules be read again';
COMMENT ON TRIGGER segment_rules_changed ON rfm_kmeans.segment_rules IS
	'segment() reads edited rules again from the next statement on';
COMMENT ON FUNCTION rfm_kmeans._check_columns(regclass, text[]) IS
	'internal: ERROR unless the caller may reach the relation and each column is a number castable to float8';
COMMENT ON FUNCTION rfm_kmeans.rollback_model(text) IS
	'make the latest earlier version of a model current again; returns its version (owner or superuser)';
COMMENT ON FUNCTION rfm_kmeans.drop_model(text) IS
	'delete a model and its earlier versions (owner or superuser)';

------------------------------------------------------------------------------
-- Customer lifetime value: the per-customer summary from transactions, the
-- BG/NBD and Gamma-Gamma models fitted by maximum likelihood, and scoring.
-- Parameters are plain composite values: keep them in any table.
------------------------------------------------------------------------------

CREATE TYPE rfm_kmeans.clv_summary_state;
CREATE FUNCTION rfm_kmeans.clv_summary_state_in(cstring) RETURNS rfm_kmeans.clv_summary_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.clv_summary_state_out(rfm_kmeans.clv_summary_state) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.clv_summary_state_recv(internal) RETURNS rfm_kmeans.clv_summary_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.clv_summary_state_send(rfm_kmeans.clv_summary_state) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE rfm_kmeans.clv_summary_state (
	INPUT = rfm_kmeans.clv_summary_state_in,
	OUTPUT = rfm_kmeans.clv_summary_state_out,
	RECEIVE = rfm_kmeans.clv_summary_state_recv,
	SEND = rfm_kmeans.clv_summary_state_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);

CREATE TYPE rfm_kmeans.clv_inputs AS (
	x integer,				-- purchase days after the first
	t_x float8,				-- first to last purchase day, in time units
	t_cal float8,			-- first purchase day to as_of's day, in time units
	m_x float8,				-- mean spend of the repeat purchase days (NULL when x = 0)
	first_purchase timestamptz
);

CREATE FUNCTION rfm_kmeans.clv_summary_trans(rfm_kmeans.clv_summary_state, timestamptz, float8, timestamptz)
	RETURNS rfm_kmeans.clv_summary_state
	AS 'MODULE_PATHNAME', 'clv_summary_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.clv_summary_trans(rfm_kmeans.clv_summary_state, timestamptz, float8, timestamptz, interval)
	RETURNS rfm_kmeans.clv_summary_state
	AS 'MODULE_PATHNAME', 'clv_summary_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.clv_summary_combine(rfm_kmeans.clv_summary_state, rfm_kmeans.clv_summary_state)
	RETURNS rfm_kmeans.clv_summary_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.clv_summary_final(rfm_kmeans.clv_summary_state) RETURNS rfm_kmeans.clv_inputs
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE rfm_kmeans.clv_summary(ts timestamptz, amount float8, as_of timestamptz) (
	SFUNC = rfm_kmeans.clv_summary_trans, STYPE = rfm_kmeans.clv_summary_state,
	COMBINEFUNC = rfm_kmeans.clv_summary_combine, FINALFUNC = rfm_kmeans.clv_summary_final,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.clv_summary(ts timestamptz, amount float8, as_of timestamptz, time_unit interval) (
	SFUNC = rfm_kmeans.clv_summary_trans, STYPE = rfm_kmeans.clv_summary_state,
	COMBINEFUNC = rfm_kmeans.clv_summary_combine, FINALFUNC = rfm_kmeans.clv_summary_final,
	PARALLEL = SAFE);

CREATE TYPE rfm_kmeans.clv_fit_state;
CREATE FUNCTION rfm_kmeans.clv_fit_state_in(cstring) RETURNS rfm_kmeans.clv_fit_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.clv_fit_state_out(rfm_kmeans.clv_fit_state) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.clv_fit_state_recv(internal) RETURNS rfm_kmeans.clv_fit_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.clv_fit_state_send(rfm_kmeans.clv_fit_state) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE rfm_kmeans.clv_fit_state (
	INPUT = rfm_kmeans.clv_fit_state_in,
	OUTPUT = rfm_kmeans.clv_fit_state_out,
	RECEIVE = rfm_kmeans.clv_fit_state_recv,
	SEND = rfm_kmeans.clv_fit_state_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);

CREATE TYPE rfm_kmeans.bgnbd_params AS (
	r float8, alpha float8, a float8, b float8,
	log_likelihood float8,	-- the sum over customers
	n_customers bigint, iterations integer, converged boolean
);
CREATE TYPE rfm_kmeans.gamma_gamma_params AS (
	p float8, q float8, v float8,
	log_likelihood float8,
	n_customers bigint, iterations integer, converged boolean
);

CREATE FUNCTION rfm_kmeans.bgnbd_fit_trans(rfm_kmeans.clv_fit_state, float8, float8, float8)
	RETURNS rfm_kmeans.clv_fit_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.gamma_gamma_fit_trans(rfm_kmeans.clv_fit_state, float8, float8)
	RETURNS rfm_kmeans.clv_fit_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.clv_fit_combine(rfm_kmeans.clv_fit_state, rfm_kmeans.clv_fit_state)
	RETURNS rfm_kmeans.clv_fit_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- not strict: a fit without customers is an error, not NULL
CREATE FUNCTION rfm_kmeans.bgnbd_fit_final(rfm_kmeans.clv_fit_state) RETURNS rfm_kmeans.bgnbd_params
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.gamma_gamma_fit_final(rfm_kmeans.clv_fit_state) RETURNS rfm_kmeans.gamma_gamma_params
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE rfm_kmeans.bgnbd_fit(x float8, t_x float8, t_cal float8) (
	SFUNC = rfm_kmeans.bgnbd_fit_trans, STYPE = rfm_kmeans.clv_fit_state,
	COMBINEFUNC = rfm_kmeans.clv_fit_combine, FINALFUNC = rfm_kmeans.bgnbd_fit_final,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.gamma_gamma_fit(x float8, m_x float8) (
	SFUNC = rfm_kmeans.gamma_gamma_fit_trans, STYPE = rfm_kmeans.clv_fit_state,
	COMBINEFUNC = rfm_kmeans.clv_fit_combine, FINALFUNC = rfm_kmeans.gamma_gamma_fit_final,
	PARALLEL = SAFE);

CREATE FUNCTION rfm_kmeans.bgnbd_expected(params rfm_kmeans.bgnbd_params, t float8,
	x float8, t_x float8, t_cal float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'clv_bgnbd_expected' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.bgnbd_p_alive(params rfm_kmeans.bgnbd_params,
	x float8, t_x float8, t_cal float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'clv_bgnbd_p_alive' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.gamma_gamma_spend(params rfm_kmeans.gamma_gamma_params,
	x float8, m_x float8) RETURNS float8
	AS 'MODULE_PATHNAME', 'clv_gamma_gamma_spend' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.clv(bg rfm_kmeans.bgnbd_params, gg rfm_kmeans.gamma_gamma_params,
	x float8, t_x float8, t_cal float8, m_x float8, months integer, monthly_discount float8,
	time_unit interval DEFAULT '7 days') RETURNS float8
	AS 'MODULE_PATHNAME', 'clv_value' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The calibration/holdout check: mean predicted against mean actual
-- purchases in the holdout period, by calibration frequency 0 .. 6, 7+,
-- then all customers. The relation holds one row per customer with the
-- calibration summary and the purchase days counted in the holdout.
CREATE FUNCTION rfm_kmeans.clv_holdout(params rfm_kmeans.bgnbd_params, relation regclass,
	holdout_length float8, x text DEFAULT 'x', t_x text DEFAULT 't_x',
	t_cal text DEFAULT 't_cal', x_holdout text DEFAULT 'x_holdout')
	RETURNS TABLE (frequency text, customers bigint, predicted float8, actual float8)
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF clv_holdout.params IS NULL OR clv_holdout.relation IS NULL OR clv_holdout.holdout_length IS NULL THEN
		RAISE EXCEPTION 'clv_holdout() arguments must not be null' USING ERRCODE = '22004';
	END IF;
	IF NOT (clv_holdout.holdout_length > 0) OR clv_holdout.holdout_length = 'Infinity' THEN
		RAISE EXCEPTION 'clv_holdout() argument holdout_length must be finite and > 0, got %',
			clv_holdout.holdout_length USING ERRCODE = '22023';
	END IF;
	PERFORM rfm_kmeans._check_columns(clv_holdout.relation,
		ARRAY[clv_holdout.x, clv_holdout.t_x, clv_holdout.t_cal, clv_holdout.x_holdout]);
	RETURN QUERY EXECUTE format($q$
		WITH c AS (
			SELECT %1$I::float8 AS x, rfm_kmeans.bgnbd_expected($1, $2, %1$I, %2$I, %3$I) AS predicted,
			       %4$I::float8 AS actual
			FROM %5$s WHERE %1$I IS NOT NULL AND %2$I IS NOT NULL AND %3$I IS NOT NULL AND %4$I IS NOT NULL),
		by_frequency AS (
			SELECT least(x, 7) AS f, count(*) AS customers, avg(predicted) AS predicted, avg(actual) AS actual
			FROM c GROUP BY 1)
		SELECT CASE f WHEN 7 THEN '7+' WHEN 8 THEN 'total' ELSE f::int::text END, customers, predicted, actual
		FROM (SELECT f, customers, predicted, actual FROM by_frequency
		      UNION ALL
		      SELECT 8, sum(customers)::bigint, sum(predicted * customers) / sum(customers),
		             sum(actual * customers) / sum(customers)
		      FROM by_frequency HAVING count(*) > 0) t
		ORDER BY f$q$,
		clv_holdout.x, clv_holdout.t_x, clv_holdout.t_cal, clv_holdout.x_holdout, clv_holdout.relation)
	USING clv_holdout.params, clv_holdout.holdout_length;
END
$$;

COMMENT ON TYPE rfm_kmeans.clv_summary_state IS
	'state of clv_summary(): a customer''s purchase days with their spend';
COMMENT ON FUNCTION rfm_kmeans.clv_summary_state_in(cstring) IS 'input function of clv_summary_state';
COMMENT ON FUNCTION rfm_kmeans.clv_summary_state_out(rfm_kmeans.clv_summary_state) IS 'output function of clv_summary_state';
COMMENT ON FUNCTION rfm_kmeans.clv_summary_state_recv(internal) IS 'binary input function of clv_summary_state';
COMMENT ON FUNCTION rfm_kmeans.clv_summary_state_send(rfm_kmeans.clv_summary_state) IS 'binary output function of clv_summary_state';
COMMENT ON TYPE rfm_kmeans.clv_inputs IS
	'a customer''s CLV summary: x repeat purchase days, t_x and t_cal in time units, m_x mean repeat spend, first purchase';
COMMENT ON FUNCTION rfm_kmeans.clv_summary_trans(rfm_kmeans.clv_summary_state, timestamptz, float8, timestamptz) IS
	'transition function of clv_summary(ts, amount, as_of)';
COMMENT ON FUNCTION rfm_kmeans.clv_summary_trans(rfm_kmeans.clv_summary_state, timestamptz, float8, timestamptz, interval) IS
	'transition function of clv_summary(ts, amount, as_of, time_unit)';
COMMENT ON FUNCTION rfm_kmeans.clv_summary_combine(rfm_kmeans.clv_summary_state, rfm_kmeans.clv_summary_state) IS
	'combine function of clv_summary()';
COMMENT ON FUNCTION rfm_kmeans.clv_summary_final(rfm_kmeans.clv_summary_state) IS
	'final function of clv_summary()';
COMMENT ON AGGREGATE rfm_kmeans.clv_summary(timestamptz, float8, timestamptz) IS
	'a customer''s CLV inputs (x, t_x, t_cal in weeks, m_x, first purchase) from transaction lines up to as_of';
COMMENT ON AGGREGATE rfm_kmeans.clv_summary(timestamptz, float8, timestamptz, interval) IS
	'a customer''s CLV inputs (x, t_x, t_cal in time_units, m_x, first purchase) from transaction lines up to as_of';
COMMENT ON TYPE rfm_kmeans.clv_fit_state IS
	'state of bgnbd_fit() and gamma_gamma_fit(): the distinct customer summaries with their counts';
COMMENT ON FUNCTION rfm_kmeans.clv_fit_state_in(cstring) IS 'input function of clv_fit_state';
COMMENT ON FUNCTION rfm_kmeans.clv_fit_state_out(rfm_kmeans.clv_fit_state) IS 'output function of clv_fit_state';
COMMENT ON FUNCTION rfm_kmeans.clv_fit_state_recv(internal) IS 'binary input function of clv_fit_state';
COMMENT ON FUNCTION rfm_kmeans.clv_fit_state_send(rfm_kmeans.clv_fit_state) IS 'binary output function of clv_fit_state';
COMMENT ON TYPE rfm_kmeans.bgnbd_params IS
	'fitted BG/NBD parameters (r, alpha, a, b) with the fit''s log-likelihood, customers, iterations and convergence';
COMMENT ON TYPE rfm_kmeans.gamma_gamma_params IS
	'fitted Gamma-Gamma parameters (p, q, v) with the fit''s log-likelihood, customers, iterations and convergence';
COMMENT ON FUNCTION rfm_kmeans.bgnbd_fit_trans(rfm_kmeans.clv_fit_state, float8, float8, float8) IS
	'transition function of bgnbd_fit()';
COMMENT ON FUNCTION rfm_kmeans.gamma_gamma_fit_trans(rfm_kmeans.clv_fit_state, float8, float8) IS
	'transition function of gamma_gamma_fit()';
COMMENT ON FUNCTION rfm_kmeans.clv_fit_combine(rfm_kmeans.clv_fit_state, rfm_kmeans.clv_fit_state) IS
	'combine function of bgnbd_fit() and gamma_gamma_fit()';
COMMENT ON FUNCTION rfm_kmeans.bgnbd_fit_final(rfm_kmeans.clv_fit_state) IS
	'final function of bgnbd_fit(): the maximum-likelihood fit';
COMMENT ON FUNCTION rfm_kmeans.gamma_gamma_fit_final(rfm_kmeans.clv_fit_state) IS
	'final function of gamma_gamma_fit(): the maximum-likelihood fit';
COMMENT ON AGGREGATE rfm_kmeans.bgnbd_fit(float8, float8, float8) IS
	'maximum-likelihood BG/NBD parameters from customers'' (x, t_x, t_cal)';
COMMENT ON AGGREGATE rfm_kmeans.gamma_gamma_fit(float8, float8) IS
	'maximum-likelihood Gamma-Gamma parameters from customers'' (x, m_x), those with x > 0';
COMMENT ON FUNCTION rfm_kmeans.bgnbd_expected(rfm_kmeans.bgnbd_params, float8, float8, float8, float8) IS
	'BG/NBD: expected purchases in the next t time units of a customer (x, t_x, t_cal)';
COMMENT ON FUNCTION rfm_kmeans.bgnbd_p_alive(rfm_kmeans.bgnbd_params, float8, float8, float8) IS
	'BG/NBD: probability that a customer (x, t_x, t_cal) is still alive at t_cal';
COMMENT ON FUNCTION rfm_kmeans.gamma_gamma_spend(rfm_kmeans.gamma_gamma_params, float8, float8) IS
	'Gamma-Gamma: expected spend per purchase of a customer (x, m_x); the population mean when x = 0';
COMMENT ON FUNCTION rfm_kmeans.clv(rfm_kmeans.bgnbd_params, rfm_kmeans.gamma_gamma_params, float8, float8, float8, float8, integer, float8, interval) IS
	'discounted value of a customer''s next months (30 days each): BG/NBD purchases times Gamma-Gamma spend';
COMMENT ON FUNCTION rfm_kmeans.clv_holdout(rfm_kmeans.bgnbd_params, regclass, float8, text, text, text, text) IS
	'calibration/holdout check: mean predicted vs actual holdout purchases by calibration frequency (0 .. 6, 7+) and in all';

------------------------------------------------------------------------------
-- report_html() with an optional customer lifetime value section. Given
-- BG/NBD and Gamma-Gamma parameters (both, or neither), the relation also
-- has clv_summary()'s columns x, t_x, t_cal and m_x, and the report adds
-- CLV per cluster (a table and a bar chart), the models' parameters and
-- the formula; with holdout_length too, and a column x_holdout, the
-- calibration/holdout check of clv_holdout() as a chart and a table.
-- Without them, the report shows what 0.2.0's did.
------------------------------------------------------------------------------

DROP FUNCTION rfm_kmeans.report_html(text, regclass, text, text, text, text, integer);

-- The report of a model over its customers, as one self-contained HTML
-- document (inline CSS and SVG, no script, no network): the segment table,
-- recency against monetary value per customer coloured by cluster with
-- each cluster's centre marked, customers and revenue per cluster, the
-- model's metrics and, with bgnbd and gamma_gamma, customer lifetime
-- value. Arguments as cluster_summary(); at most max_points customers are
-- drawn, chosen by a hash of their values (deterministic). The CLV section
-- values the customers with x, t_x and t_cal, and m_x > 0 when x > 0 (as
-- clv() needs), over clv_months months discounted monthly_discount a
-- month, with x, t_x and t_cal in time_units; holdout_length is in
-- time_units too. It reads the relation as the caller, like the rest.
CREATE FUNCTION rfm_kmeans.report_html(model text, relation regclass,
	recency text DEFAULT NULL, frequency text DEFAULT NULL, monetary text DEFAULT NULL,
	title text DEFAULT NULL, max_points integer DEFAULT 3000,
	bgnbd rfm_kmeans.bgnbd_params DEFAULT NULL, gamma_gamma rfm_kmeans.gamma_gamma_params DEFAULT NULL,
	clv_months integer DEFAULT 12, monthly_discount float8 DEFAULT 0.01,
	holdout_length float8 DEFAULT NULL, time_unit interval DEFAULT '7 days')
	RETURNS text
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m rfm_kmeans.models;
	e record;
	-- the segment table, one array per column (no temporary table: the
	-- report also works on a read-only standby)
	s_cluster integer[];
	s_label text[];
	s_customers bigint[];
	s_share float8[];
	s_r float8[];
	s_f float8[];
	s_m float8[];
	s_rev float8[];
	-- the customers drawn
	p_cl integer[];
	p_r float8[];
	p_m float8[];
	palette constant text[] := ARRAY['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
	                                 '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
	-- scatter geometry: plot area x0..x1, y1..y0 (SVG y grows downwards)
	w constant integer := 760;
	h constant integer := 440;
	x0 constant integer := 70;
	x1 constant integer := 740;
	y0 constant integer := 390;
	y1 constant integer := 20;
	rmax float8;
	mmax float8;
	ly_max float8;
	summary text;
	legend text;
	points text;
	centres text;
	axes text;
	bars_n text;
	bars_rev text;
	max_n float8;
	max_rev float8;
	total_n bigint;
	total_rev float8;
	doc text;
	-- the CLV section: per cluster, one array per column, and in all
	with_clv boolean;
	clv_section text := '';
	unit_months integer;
	horizon float8;			-- clv_months in time units
	c_cluster integer[];
	c_valued bigint[];
	c_p_alive float8[];
	c_purchases float8[];
	c_spend float8[];
	c_mean float8[];
	c_total float8[];
	a_rows bigint;			-- rows with the model's features
	a_valued bigint;
	a_p_alive float8;
	a_purchases float8;
	a_spend float8;
	a_mean float8;
	a_total float8;
	max_clv float8;
	clv_rows text;
	clv_bars text;
	clv_params text;
	-- the calibration/holdout check: clv_holdout()'s rows
	holdout text := '';
	ho_freq text[];
	ho_customers bigint[];
	ho_predicted float8[];
	ho_actual float8[];
	ho_max float8;
	ho_step float8;			-- the axis: ticks every ho_step up to ho_top
	ho_factor float8;
	ho_top float8;
	ho_digits integer;
	ho_groups text;
	ho_axes text;
	ho_rows text;
	-- holdout chart geometry: 8 groups of 2 bars over hx0..hx1, hy1..hy0
	hw constant integer := 760;
	hh constant integer := 330;
	hx0 constant integer := 70;
	hx1 constant integer := 740;
	hy0 constant integer := 260;
	hy1 constant integer := 40;
	gw constant float8 := (hx1 - hx0) / 8.0;
BEGIN
	IF report_html.model IS NULL OR report_html.relation IS NULL THEN
		RAISE EXCEPTION 'report_html() model and relation must not be null' USING ERRCODE = '22004';
	END IF;
	IF max_points IS NULL OR max_points < 0 THEN
		RAISE EXCEPTION 'max_points must be >= 0' USING ERRCODE = '22023';
	END IF;
	-- a composite IS NULL when every field is: not given
	IF (bgnbd IS NULL) <> (gamma_gamma IS NULL) THEN
		RAISE EXCEPTION 'report_html() needs both bgnbd and gamma_gamma for the CLV section, got only %',
			CASE WHEN bgnbd IS NULL THEN 'gamma_gamma' ELSE 'bgnbd' END
			USING ERRCODE = '22023',
			      HINT = 'Pass the BG/NBD fit as bgnbd and the Gamma-Gamma fit as gamma_gamma, or neither.';
	END IF;
	with_clv := NOT (bgnbd IS NULL);
	IF holdout_length IS NOT NULL AND NOT with_clv THEN
		RAISE EXCEPTION 'report_html() argument holdout_length needs bgnbd and gamma_gamma'
			USING ERRCODE = '22023';
	END IF;
	IF with_clv THEN
		IF clv_months IS NULL OR monthly_discount IS NULL OR time_unit IS NULL THEN
			RAISE EXCEPTION 'report_html() arguments clv_months, monthly_discount and time_unit must not be null'
				USING ERRCODE = '22004';
		END IF;
		-- clv() checks the parameters, months, discount and time unit
		PERFORM rfm_kmeans.clv(bgnbd, gamma_gamma, 0, 0, 1, NULL, clv_months, monthly_discount, time_unit);
	END IF;
	m := rfm_kmeans._rfm_model(report_html.model, 'report_html');
	recency := coalesce(recency, m.features[1]);
	frequency := coalesce(frequency, m.features[2]);
	monetary := coalesce(monetary, m.features[3]);
	IF with_clv THEN
		PERFORM rfm_kmeans._check_columns(relation, ARRAY['x', 't_x', 't_cal', 'm_x']
			|| CASE WHEN holdout_length IS NOT NULL THEN ARRAY['x_holdout'] ELSE '{}'::text[] END);
	END IF;

	SELECT array_agg(cluster ORDER BY cluster), array_agg(label ORDER BY cluster),
	       array_agg(customers ORDER BY cluster), array_agg(share ORDER BY cluster),
	       array_agg(mean_recency ORDER BY cluster), array_agg(mean_frequency ORDER BY cluster),
	       array_agg(mean_monetary ORDER BY cluster), array_agg(revenue ORDER BY cluster)
	  INTO s_cluster, s_label, s_customers, s_share, s_r, s_f, s_m, s_rev
	  FROM rfm_kmeans.cluster_summary(m.name, relation, recency, frequency, monetary);
	SELECT * INTO e FROM rfm_kmeans.evaluate(m.name, relation);
	SELECT sum(v) INTO total_n FROM unnest(s_customers) v;
	SELECT sum(v) INTO total_rev FROM unnest(s_rev) v;
	SELECT max(v) INTO max_n FROM unnest(s_customers) v;
	SELECT max(v) INTO max_rev FROM unnest(s_rev) v;

	EXECUTE format($q$
		SELECT array_agg(cl ORDER BY k), array_agg(r ORDER BY k), array_agg(mo ORDER BY k)
		FROM (SELECT rfm_kmeans.predict(%L, VARIADIC ARRAY[%s]) AS cl, %I::pg_catalog.float8 AS r,
		             %I::pg_catalog.float8 AS mo,
		             rfm_kmeans._point_key(ARRAY[%I::pg_catalog.float8, %I::pg_catalog.float8], 0, 0) AS k
		      FROM %s WHERE %s ORDER BY k, 2, 3 LIMIT %s) s$q$,
		m.name, rfm_kmeans._float8_columns(m.features), recency, monetary, recency, monetary, relation,
		rfm_kmeans._none_null(m.features || ARRAY[recency, monetary]), max_points)
	  INTO p_cl, p_r, p_m;

	-- axes: recency linear from 0, monetary on log10(1 + max(v, 0))
	SELECT greatest(max(v), 1) INTO rmax FROM unnest(p_r || s_r) v;
	SELECT greatest(max(v), 1) INTO mmax FROM unnest(p_m || s_m) v;
	ly_max := log(1 + mmax);

	SELECT string_agg(format('<tr><td><span class="swatch" style="background:%s"></span>%s</td><td>%s</td>'
	                         '<td class="n">%s</td><td class="n">%s%%</td><td class="n">%s</td><td class="n">%s</td>'
	                         '<td class="n">%s</td><td class="n">%s</td></tr>',
	                         palette[1 + s.cluster % 10], s.cluster, rfm_kmeans._html(s.label),
	                         rfm_kmeans._num(s.customers), rfm_kmeans._num(100 * s.share, 1),
	                         rfm_kmeans._num(s.mean_recency, 1), rfm_kmeans._num(s.mean_frequency, 1),
	                         rfm_kmeans._num(s.mean_monetary, 2), rfm_kmeans._num(s.revenue, 2)), ''
	                  ORDER BY s.cluster),
	       string_agg(format('<li class="legend-item" data-cluster="%s"><span class="swatch" style="background:%s">'
	                         '</span>%s %s</li>', s.cluster, palette[1 + s.cluster % 10], s.cluster,
	                         rfm_kmeans._html(s.label)), '' ORDER BY s.cluster),
	       string_agg(format('<g class="centroid" data-cluster="%s"><title>cluster %s: %s</title>'
	                         '<path d="M%s %s l-9 0 l18 0 m-9 -9 l0 18" stroke="#000" stroke-width="5"/>'
	                         '<path d="M%s %s l-9 0 l18 0 m-9 -9 l0 18" stroke="%s" stroke-width="3"/></g>',
	                         s.cluster, s.cluster, rfm_kmeans._html(s.label), xy.px, xy.py, xy.px, xy.py,
	                         palette[1 + s.cluster % 10]), '' ORDER BY s.cluster)
	            FILTER (WHERE s.customers > 0),
	       string_agg(rfm_kmeans._svg_bar(s.cluster, s.label, s.customers, max_n, palette[1 + s.cluster % 10],
	                                      rfm_kmeans._num(s.customers)), '' ORDER BY s.cluster),
	       string_agg(rfm_kmeans._svg_bar(s.cluster, s.label, s.revenue, max_rev, palette[1 + s.cluster % 10],
	                                      rfm_kmeans._num(s.revenue, 2)), '' ORDER BY s.cluster)
	  INTO summary, legend, centres, bars_n, bars_rev
	  FROM unnest(s_cluster, s_label, s_customers, s_share, s_r, s_f, s_m, s_rev)
	       s(cluster, label, customers, share, mean_recency, mean_frequency, mean_monetary, revenue),
	       -- where the cluster's centre goes on the scatter plot
	       LATERAL (SELECT round((x0 + (x1 - x0) * s.mean_recency / rmax)::numeric, 1) AS px,
	                       round((y0 - (y0 - y1) * log(1 + greatest(s.mean_monetary, 0)) / ly_max)::numeric, 1) AS py) xy;

	SELECT coalesce(string_agg(format('<circle class="point" cx="%s" cy="%s" r="2.5" fill="%s"/>',
	                                  round((x0 + (x1 - x0) * p.r / rmax)::numeric, 1),
	                                  round((y0 - (y0 - y1) * log(1 + greatest(p.mo, 0)) / ly_max)::numeric, 1),
	                                  palette[1 + p.cl % 10]), ''), '')
	  INTO points FROM unnest(p_cl, p_r, p_m) p(cl, r, mo);

	-- axes with 5 recency ticks and monetary ticks at 0, 10, 100, ...
	SELECT format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/><line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/>',
	              x0, y0, x1, y0, x0, y0, x0, y1)
	       || (SELECT string_agg(format('<text x="%s" y="%s" text-anchor="middle">%s</text>',
	                                    round((x0 + (x1 - x0) * t / 5.0)::numeric, 1), y0 + 18,
	                                    rfm_kmeans._num(rmax * t / 5.0, CASE WHEN rmax < 10 THEN 1 ELSE 0 END)), '')
	           FROM generate_series(0, 5) t)
	       || (SELECT string_agg(format('<text x="%s" y="%s" text-anchor="end">%s</text>',
	                                    x0 - 6, round((y0 - (y0 - y1) * log(1 + v) / ly_max)::numeric, 1) + 4,
	                                    rfm_kmeans._num(v)), '')
	           FROM (SELECT 0::float8 AS v UNION ALL
	                 SELECT 10 ^ ex FROM generate_series(1, floor(log(greatest(mmax, 1)))::integer) ex) t)
	       || format('<text x="%s" y="%s" text-anchor="middle">%s</text>', (x0 + x1) / 2, h - 8,
	                 rfm_kmeans._html(recency))
	       || format('<text x="16" y="%s" text-anchor="middle" transform="rotate(-90 16 %s)">%s (log scale)</text>',
	                 (y0 + y1) / 2, (y0 + y1) / 2, rfm_kmeans._html(monetary))
	  INTO axes;

	IF with_clv THEN
		-- clv_months in time units, a month being 30 days as in clv()
		unit_months := (extract(year FROM time_unit) * 12 + extract(month FROM time_unit))::integer;
		horizon := 30.0 * clv_months
		           / (extract(epoch FROM time_unit - make_interval(months => unit_months)) / 86400 + 30 * unit_months);
		-- every customer with the model's features: cluster, then, for the
		-- customers clv() can value, P(alive), purchases, spend and CLV;
		-- added up per cluster and in all by one GROUP BY
		EXECUTE format($q$
			WITH c AS (
				SELECT cl, valued,
				       CASE WHEN valued THEN rfm_kmeans.bgnbd_p_alive($1, x, t_x, t_cal) END AS p_alive,
				       CASE WHEN valued THEN rfm_kmeans.bgnbd_expected($1, $3, x, t_x, t_cal) END AS purchases,
				       CASE WHEN valued THEN rfm_kmeans.gamma_gamma_spend($2, x, m_x) END AS spend,
				       CASE WHEN valued THEN rfm_kmeans.clv($1, $2, x, t_x, t_cal, m_x, $4, $5, $6) END AS clv
				FROM (SELECT cl, x, t_x, t_cal, m_x,
				             x IS NOT NULL AND t_x IS NOT NULL AND t_cal IS NOT NULL AND (x = 0 OR m_x > 0) AS valued
				      FROM (SELECT rfm_kmeans.predict(%L, VARIADIC ARRAY[%s]) AS cl, x::pg_catalog.float8 AS x,
				                   t_x::pg_catalog.float8 AS t_x, t_cal::pg_catalog.float8 AS t_cal,
				                   m_x::pg_catalog.float8 AS m_x
				            FROM %s WHERE %s) r) v),
			g AS (
				SELECT GROUPING(cl) = 1 AS all_rows, cl, count(*) AS n_rows, count(*) FILTER (WHERE valued) AS n,
				       avg(p_alive) AS p_alive, avg(purchases) AS purchases, avg(spend) AS spend,
				       avg(clv) AS mean_clv, sum(clv) AS total_clv
				FROM c GROUP BY GROUPING SETS ((cl), ()))
			SELECT array_agg(cl ORDER BY cl) FILTER (WHERE NOT all_rows),
			       array_agg(n ORDER BY cl) FILTER (WHERE NOT all_rows),
			       array_agg(p_alive ORDER BY cl) FILTER (WHERE NOT all_rows),
			       array_agg(purchases ORDER BY cl) FILTER (WHERE NOT all_rows),
			       array_agg(spend ORDER BY cl) FILTER (WHERE NOT all_rows),
			       array_agg(mean_clv ORDER BY cl) FILTER (WHERE NOT all_rows),
			       array_agg(total_clv ORDER BY cl) FILTER (WHERE NOT all_rows),
			       max(n_rows) FILTER (WHERE all_rows), max(n) FILTER (WHERE all_rows),
			       max(p_alive) FILTER (WHERE all_rows), max(purchases) FILTER (WHERE all_rows),
			       max(spend) FILTER (WHERE all_rows), max(mean_clv) FILTER (WHERE all_rows),
			       max(total_clv) FILTER (WHERE all_rows)
			FROM g$q$,
			m.name, rfm_kmeans._float8_columns(m.features), relation, rfm_kmeans._none_null(m.features))
		  INTO c_cluster, c_valued, c_p_alive, c_purchases, c_spend, c_mean, c_total,
		       a_rows, a_valued, a_p_alive, a_purchases, a_spend, a_mean, a_total
		  USING bgnbd, gamma_gamma, horizon, clv_months, monthly_discount, time_unit;
		IF coalesce(a_valued, 0) = 0 THEN
			RAISE EXCEPTION 'relation "%" has no customer to value: no row with the model''s features, x, t_x and t_cal, and m_x > 0 when x > 0',
				relation USING ERRCODE = '22000';
		END IF;
		SELECT max(v) INTO max_clv FROM unnest(c_total) v;

		SELECT string_agg(format('<tr data-cluster="%s"><td><span class="swatch" style="background:%s"></span>%s</td><td>%s</td>'
		                         '<td class="n">%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td>'
		                         '<td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>',
		                         s.cluster, palette[1 + s.cluster % 10], s.cluster, rfm_kmeans._html(s.label),
		                         rfm_kmeans._num(coalesce(c.valued, 0)), rfm_kmeans._num(c.p_alive, 3),
		                         rfm_kmeans._num(c.purchases, 2), rfm_kmeans._num(c.spend, 2),
		                         rfm_kmeans._num(c.mean_clv, 2), rfm_kmeans._num(coalesce(c.total_clv, 0), 2),
		                         CASE WHEN a_total > 0 THEN rfm_kmeans._num(100 * coalesce(c.total_clv, 0) / a_total, 1) || '%'
		                              ELSE '-' END), '' ORDER BY s.cluster),
		       string_agg(rfm_kmeans._svg_bar(s.cluster, s.label, coalesce(c.total_clv, 0), max_clv,
		                                      palette[1 + s.cluster % 10], rfm_kmeans._num(coalesce(c.total_clv, 0), 2)),
		                  '' ORDER BY s.cluster)
		  INTO clv_rows, clv_bars
		  FROM unnest(s_cluster, s_label) s(cluster, label)
		  LEFT JOIN unnest(c_cluster, c_valued, c_p_alive, c_purchases, c_spend, c_mean, c_total)
		            c(cluster, valued, p_alive, purchases, spend, mean_clv, total_clv) ON c.cluster = s.cluster;

		-- the parameters, to 4 significant digits
		SELECT string_agg(format('<tr data-model="%s"><td>%s</td><td>%s</td><td class="n">%s</td><td class="n">%s</td>'
		                         '<td class="n">%s</td><td>%s</td></tr>',
		                         p.id, p.name,
		                         (SELECT string_agg(format('%s = %s', rfm_kmeans._html(u.name),
		                                                   rfm_kmeans._num(u.v, CASE WHEN u.v > 0 AND u.v < 'Infinity'
		                                                       THEN least(12, greatest(0, 3 - floor(log(u.v))::integer))
		                                                       ELSE 4 END)), ', ' ORDER BY u.o)
		                            FROM unnest(p.names, p.vals) WITH ORDINALITY u(name, v, o)),
		                         rfm_kmeans._num(p.ll, 2), rfm_kmeans._num(p.n), rfm_kmeans._num(p.iterations),
		                         CASE WHEN p.converged THEN 'yes' WHEN NOT p.converged THEN 'no' ELSE '-' END),
		                  '' ORDER BY p.o)
		  INTO clv_params
		  FROM (VALUES (1, 'bgnbd', 'BG/NBD (purchases and dropout)', ARRAY['r', 'alpha', 'a', 'b'],
		                ARRAY[bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b], bgnbd.log_likelihood, bgnbd.n_customers,
		                bgnbd.iterations, bgnbd.converged),
		               (2, 'gamma_gamma', 'Gamma-Gamma (spend per purchase)', ARRAY['p', 'q', 'v'],
		                ARRAY[gamma_gamma.p, gamma_gamma.q, gamma_gamma.v], gamma_gamma.log_likelihood,
		                gamma_gamma.n_customers, gamma_gamma.iterations, gamma_gamma.converged))
		       p(o, id, name, names, vals, ll, n, iterations, converged);

		IF holdout_length IS NOT NULL THEN
			SELECT array_agg(ho.frequency ORDER BY ho.ordinality), array_agg(ho.customers ORDER BY ho.ordinality),
			       array_agg(ho.predicted ORDER BY ho.ordinality), array_agg(ho.actual ORDER BY ho.ordinality)
			  INTO ho_freq, ho_customers, ho_predicted, ho_actual
			  FROM rfm_kmeans.clv_holdout(bgnbd, relation, holdout_length) WITH ORDINALITY ho;
			SELECT coalesce(max(greatest(u.predicted, u.actual)), 1) INTO ho_max
			  FROM unnest(ho_freq, ho_predicted, ho_actual) u(freq, predicted, actual)
			 WHERE u.freq <> 'total' AND greatest(u.predicted, u.actual) > 0
			   AND greatest(u.predicted, u.actual) < 'Infinity';
			-- at most 4 ticks, every 1, 2, 2.5 or 5 times a power of 10
			ho_step := 10 ^ floor(log(ho_max / 4));
			ho_factor := CASE WHEN ho_max / 4 <= ho_step THEN 1 WHEN ho_max / 4 <= 2 * ho_step THEN 2
			                  WHEN ho_max / 4 <= 2.5 * ho_step THEN 2.5 WHEN ho_max / 4 <= 5 * ho_step THEN 5 ELSE 10 END;
			ho_step := ho_factor * ho_step;
			ho_top := ho_step * ceil(ho_max / ho_step);
			ho_digits := greatest(0, -floor(log(ho_step))::integer + CASE WHEN ho_factor = 2.5 THEN 1 ELSE 0 END);

			-- one group per calibration frequency 0 .. 6, 7+: two bars
			-- (predicted, actual) when it has customers; and the table
			SELECT string_agg(format('<g class="holdout-group" data-frequency="%s">%s'
			                         '<text x="%s" y="%s" text-anchor="middle">%s</text>'
			                         '<text x="%s" y="%s" text-anchor="middle" style="font-size:10px">n = %s</text></g>',
			                         rfm_kmeans._html(g.freq),
			                         CASE WHEN u.customers > 0 THEN
			                             (SELECT string_agg(format('<rect class="holdout-bar" data-series="%s" x="%s" y="%s" width="28" height="%s" fill="%s">'
			                                                       '<title>%s: %s %s</title></rect>'
			                                                       '<text x="%s" y="%s" text-anchor="middle" style="font-size:10px">%s</text>',
			                                                       b.series, round((gx.cx + b.dx)::numeric, 1), hy0 - b.height,
			                                                       b.height, b.colour, rfm_kmeans._html(g.freq), b.series,
			                                                       rfm_kmeans._num(b.v, 3), round((gx.cx + b.dx + 14)::numeric, 1),
			                                                       hy0 - b.height - 3, rfm_kmeans._num(b.v, 2)), '' ORDER BY b.o)
			                                FROM (SELECT bb.*, round(((hy0 - hy1) * least(greatest(bb.v, 0) / ho_top, 1))::numeric, 1) AS height
			                                      FROM (VALUES (1, 'predicted', u.predicted, -30, '#4e79a7'),
			                                                   (2, 'actual', u.actual, 2, '#f28e2b')) bb(o, series, v, dx, colour)) b)
			                         ELSE '' END,
			                         round(gx.cx::numeric, 1), hy0 + 16, rfm_kmeans._html(g.freq),
			                         round(gx.cx::numeric, 1), hy0 + 30, rfm_kmeans._num(coalesce(u.customers, 0))),
			                  '' ORDER BY g.o),
			       string_agg(format('<tr data-frequency="%s"><td>%s</td><td class="n">%s</td><td class="n">%s</td>'
			                         '<td class="n">%s</td></tr>',
			                         rfm_kmeans._html(g.freq), rfm_kmeans._html(g.freq), rfm_kmeans._num(coalesce(u.customers, 0)),
			                         rfm_kmeans._num(u.predicted, 3), rfm_kmeans._num(u.actual, 3)), '' ORDER BY g.o)
			  INTO ho_groups, ho_rows
			  FROM unnest(ARRAY['0', '1', '2', '3', '4', '5', '6', '7+']) WITH ORDINALITY g(freq, o)
			  LEFT JOIN unnest(ho_freq, ho_customers, ho_predicted, ho_actual) u(freq, customers, predicted, actual)
			         ON u.freq = g.freq,
			       LATERAL (SELECT hx0 + gw * (g.o - 0.5) AS cx) gx;
			SELECT ho_rows || coalesce((SELECT format('<tr data-frequency="total"><td>all</td><td class="n">%s</td>'
			                                          '<td class="n">%s</td><td class="n">%s</td></tr>',
			                                          rfm_kmeans._num(u.customers), rfm_kmeans._num(u.predicted, 3),
			                                          rfm_kmeans._num(u.actual, 3))
			                            FROM unnest(ho_freq, ho_customers, ho_predicted, ho_actual)
			                                 u(freq, customers, predicted, actual)
			                            WHERE u.freq = 'total'), '')
			  INTO ho_rows;

			-- axes, the ticks of the mean purchases, the legend
			SELECT format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/><line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/>',
			              hx0, hy0, hx1, hy0, hx0, hy0, hx0, hy1)
			       || (SELECT string_agg(format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#ddd"/>'
			                                    '<text x="%s" y="%s" text-anchor="end">%s</text>',
			                                    hx0, round((hy0 - (hy0 - hy1) * ho_step * t / ho_top)::numeric, 1),
			                                    hx1, round((hy0 - (hy0 - hy1) * ho_step * t / ho_top)::numeric, 1),
			                                    hx0 - 6, round((hy0 - (hy0 - hy1) * ho_step * t / ho_top)::numeric, 1) + 4,
			                                    rfm_kmeans._num(ho_step * t, ho_digits)), '')
			           FROM generate_series(1, round(ho_top / ho_step)::integer) t)
			       || format('<text x="%s" y="%s" text-anchor="end">0</text>', hx0 - 6, hy0 + 4)
			       || format('<rect x="%s" y="10" width="12" height="12" fill="#4e79a7"/><text x="%s" y="20">predicted</text>'
			                 '<rect x="%s" y="10" width="12" height="12" fill="#f28e2b"/><text x="%s" y="20">actual</text>',
			                 hx1 - 170, hx1 - 152, hx1 - 70, hx1 - 52)
			       || format('<text x="%s" y="%s" text-anchor="middle">repeat purchases in the calibration period</text>',
			                 (hx0 + hx1) / 2, hh - 8)
			       || format('<text x="16" y="%s" text-anchor="middle" transform="rotate(-90 16 %s)">mean purchases in the holdout</text>',
			                 (hy0 + hy1) / 2, (hy0 + hy1) / 2)
			  INTO ho_axes;

			holdout := format($html$
<h3>Calibration and holdout</h3>
<p class="meta">Mean purchases in the holdout period (%1$s time units of %2$s after the calibration period): predicted by BG/NBD from each customer's calibration summary, and actual (x_holdout), by repeat purchases in the calibration period.</p>
<svg id="holdout-chart" xmlns="http://www.w3.org/2000/svg" width="%3$s" height="%4$s" viewBox="0 0 %3$s %4$s" role="img"
 aria-label="mean predicted and actual holdout purchases by calibration frequency">%5$s%6$s</svg>
<table id="holdout"><thead><tr><th>repeat purchases (calibration)</th><th class="n">customers</th>
<th class="n">mean predicted</th><th class="n">mean actual</th></tr></thead>
<tbody>%7$s</tbody></table>$html$,
				rfm_kmeans._num(holdout_length, 2), rfm_kmeans._html(time_unit::text), hw, hh, ho_axes, ho_groups,
				ho_rows);
		END IF;

		clv_section := format($html$
<section id="clv">
<h2>Customer lifetime value</h2>
<p class="meta">A customer's CLV over the next %1$s months: for each month i = 1 .. %1$s (30 days), the purchases BG/NBD expects in that month from the customer's x, t_x and t_cal (in time units of %2$s), times the spend per purchase Gamma-Gamma expects from x and m_x, divided by (1 + %3$s)<sup>i</sup>; summed over the months. P(alive): the probability that the customer is still active at the end of the calibration period. %4$s of %5$s customers valued; left out: those without x, t_x or t_cal, or with repeat purchases but no m_x &gt; 0.</p>
<table id="clv-clusters"><thead><tr><th>cluster</th><th>label</th><th class="n">customers</th><th class="n">mean P(alive)</th>
<th class="n">mean purchases, %1$s months</th><th class="n">mean spend per purchase</th><th class="n">mean CLV</th>
<th class="n">total CLV</th><th class="n">share of CLV</th></tr></thead>
<tbody>%6$s</tbody>
<tfoot><tr data-cluster="all"><td></td><td>all</td><td class="n">%4$s</td><td class="n">%7$s</td><td class="n">%8$s</td>
<td class="n">%9$s</td><td class="n">%10$s</td><td class="n">%11$s</td><td class="n">%12$s</td></tr></tfoot></table>
<h3>Total CLV per cluster</h3>
<svg id="bars-clv" xmlns="http://www.w3.org/2000/svg" width="760" height="%13$s">%14$s</svg>
<h3>Models</h3>
<table id="clv-parameters"><thead><tr><th>model</th><th>parameters</th><th class="n">log-likelihood</th>
<th class="n">customers</th><th class="n">iterations</th><th>converged</th></tr></thead>
<tbody>%15$s</tbody></table>%16$s
</section>$html$,
			clv_months, rfm_kmeans._html(time_unit::text), rfm_kmeans._html(monthly_discount::text),
			rfm_kmeans._num(a_valued), rfm_kmeans._num(a_rows), clv_rows,
			rfm_kmeans._num(a_p_alive, 3), rfm_kmeans._num(a_purchases, 2), rfm_kmeans._num(a_spend, 2),
			rfm_kmeans._num(a_mean, 2), rfm_kmeans._num(a_total, 2),
			CASE WHEN a_total > 0 THEN '100.0%' ELSE '-' END,
			30 * m.k + 10, clv_bars, clv_params, holdout);
	END IF;

	doc := format($html$<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%1$s</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; } h3 { font-size: 15px; margin-top: 20px; }
table { border-collapse: collapse; } td, th { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; }
td.n, th.n { text-align: right; } .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; border-radius: 2px; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 16px; }
svg text { font: 12px system-ui, sans-serif; fill: #222; } .point { fill-opacity: 0.55; }
.meta { color: #666; } #clv-clusters td { white-space: nowrap; }
</style></head>
<body>
<h1>%1$s</h1>
<p class="meta">Model <b>%2$s</b> (version %3$s, trained %4$s on %5$s; features %6$s), applied to %7$s: %8$s customers, revenue %9$s.</p>
<h2>Segments</h2>
<table id="segments"><thead><tr><th>cluster</th><th>label</th><th class="n">customers</th><th class="n">share</th>
<th class="n">mean recency</th><th class="n">mean frequency</th><th class="n">mean monetary</th><th class="n">revenue</th></tr></thead>
<tbody>%10$s</tbody></table>
<h2>Recency and monetary value</h2>
<ul class="legend" id="legend">%11$s</ul>
<svg id="scatter" xmlns="http://www.w3.org/2000/svg" width="%12$s" height="%13$s" viewBox="0 0 %12$s %13$s" role="img"
 aria-label="recency against monetary value, coloured by cluster">%14$s%15$s%16$s</svg>
<p class="meta">%17$s of %8$s customers drawn (chosen by a hash of their values). Crosses mark each cluster's centre: its mean recency and monetary value.</p>
<h2>Customers per cluster</h2>
<svg id="bars-customers" xmlns="http://www.w3.org/2000/svg" width="760" height="%18$s">%19$s</svg>
<h2>Revenue per cluster</h2>
<svg id="bars-revenue" xmlns="http://www.w3.org/2000/svg" width="760" height="%18$s">%20$s</svg>
<h2>Model metrics</h2>
<table id="metrics"><tbody>
<tr><td>k</td><td class="n">%21$s</td></tr>
<tr><td>training rows</td><td class="n">%22$s</td></tr>
<tr><td>iterations (converged)</td><td class="n">%23$s (%24$s)</td></tr>
<tr><td>inertia (training)</td><td class="n">%25$s</td></tr>
<tr><td>mean distance to centroid (training)</td><td class="n">%26$s</td></tr>
<tr><td>silhouette</td><td class="n">%27$s</td></tr>
<tr><td>Davies-Bouldin</td><td class="n">%28$s</td></tr>
<tr><td>Calinski-Harabasz</td><td class="n">%29$s</td></tr>
</tbody></table>%30$s
<p class="meta">Produced by rfm_kmeans.report_html().</p>
</body></html>
$html$,
		rfm_kmeans._html(coalesce(title, 'Customer segments: ' || m.name)),
		rfm_kmeans._html(m.name), m.version, to_char(m.created_at, 'YYYY-MM-DD HH24:MI TZ'),
		rfm_kmeans._html(m.source_relation), rfm_kmeans._html(array_to_string(m.features, ', ')),
		rfm_kmeans._html(relation::text), rfm_kmeans._num(total_n), rfm_kmeans._num(total_rev, 2),
		summary, legend, w, h, axes, points, centres,
		rfm_kmeans._num(coalesce(cardinality(p_cl), 0)),
		30 * m.k + 10, bars_n, bars_rev,
		m.k, rfm_kmeans._num(m.n_rows), m.iterations, CASE WHEN m.converged THEN 'yes' ELSE 'no' END,
		rfm_kmeans._num(m.inertia, 2), rfm_kmeans._num(m.mean_distance, 4),
		rfm_kmeans._num(e.silhouette, 3), rfm_kmeans._num(e.davies_bouldin, 3),
		rfm_kmeans._num(e.calinski_harabasz, 1), clv_section);
	RETURN doc;
END
$$;

COMMENT ON FUNCTION rfm_kmeans.report_html(text, regclass, text, text, text, text, integer,
	rfm_kmeans.bgnbd_params, rfm_kmeans.gamma_gamma_params, integer, float8, float8, interval) IS
	'self-contained HTML report of an RFM model over a relation: segments, scatter, bars, metrics; CLV per cluster and the holdout check with BG/NBD and Gamma-Gamma parameters';

-- ---------------------------------------------------------------------------
-- Comments on every object the install scripts create that \d+, \dT+ and
-- \dd show: the schema, the tables' and result types' columns, constraints,
-- indexes and triggers (functions, types and tables have theirs where they
-- are created). The install test lists any object left without one.
-- ---------------------------------------------------------------------------
COMMENT ON SCHEMA rfm_kmeans IS
	'rfm_kmeans: RFM features, segments, k-means customer clustering and customer lifetime value (BG/NBD, Gamma-Gamma)';

COMMENT ON COLUMN rfm_kmeans.models.name IS 'model name (1 to 1024 bytes), the key every scoring function takes';
COMMENT ON COLUMN rfm_kmeans.models.owner IS 'role that trained the model; only it (or a superuser) may replace, drop or roll it back';
COMMENT ON COLUMN rfm_kmeans.models.created_at IS 'when this version was trained';
COMMENT ON COLUMN rfm_kmeans.models.features IS 'feature columns, in the order predict() takes them';
COMMENT ON COLUMN rfm_kmeans.models.k IS 'number of clusters';
COMMENT ON COLUMN rfm_kmeans.models.scaler IS 'feature scaling: zscore, minmax or none';
COMMENT ON COLUMN rfm_kmeans.models.scale_offset IS 'per feature: subtracted before scaling (mean or minimum; 0 for none)';
COMMENT ON COLUMN rfm_kmeans.models.scale_factor IS 'per feature: divides after the offset (standard deviation or range; 1 for none)';
COMMENT ON COLUMN rfm_kmeans.models.centroids IS 'k x d centroids in the features'' original units';
COMMENT ON COLUMN rfm_kmeans.models.sizes IS 'training rows per cluster (they add up to n_rows)';
COMMENT ON COLUMN rfm_kmeans.models.inertia IS 'sum of the training rows'' squared distances to their centroid, in the scaled space';
COMMENT ON COLUMN rfm_kmeans.models.iterations IS 'Lloyd iterations of the kept run';
COMMENT ON COLUMN rfm_kmeans.models.converged IS 'whether the kept run converged within max_iter';
COMMENT ON COLUMN rfm_kmeans.models.n_rows IS 'training rows used (every feature non-null)';
COMMENT ON COLUMN rfm_kmeans.models.n_skipped IS 'training rows skipped because a feature was NULL';
COMMENT ON COLUMN rfm_kmeans.models.source_relation IS 'relation the model was trained on';
COMMENT ON COLUMN rfm_kmeans.models.params IS 'training options: init, n_init, max_iter, tol, seed, scale and the mode actually used';
COMMENT ON COLUMN rfm_kmeans.models.mean_distance IS 'training rows'' mean distance to their centroid (the baseline drift() compares with)';
COMMENT ON COLUMN rfm_kmeans.models.version IS 'version number, 1 for the first training of the name, +1 at each retraining';

-- model_versions keeps past versions with the same columns as models
DO $$
DECLARE
	col record;
BEGIN
	FOR col IN
		SELECT a.attname, col_description(a.attrelid, a.attnum) AS description
		FROM pg_attribute a
		WHERE a.attrelid = 'rfm_kmeans.models'::regclass AND a.attnum > 0 AND NOT a.attisdropped
	LOOP
		EXECUTE format('COMMENT ON COLUMN rfm_kmeans.model_versions.%I IS %L',
		               col.attname, col.description);
	END LOOP;
END
$$;

COMMENT ON CONSTRAINT models_pkey ON rfm_kmeans.models IS 'one current version per model name';
COMMENT ON CONSTRAINT models_k_check ON rfm_kmeans.models IS 'a model has at least one cluster';
COMMENT ON CONSTRAINT models_scaler_check ON rfm_kmeans.models IS 'the scalers train() knows';
COMMENT ON CONSTRAINT model_versions_pkey ON rfm_kmeans.model_versions IS 'one row per model name and version';
COMMENT ON CONSTRAINT models_k_check ON rfm_kmeans.model_versions IS 'a model has at least one cluster';
COMMENT ON CONSTRAINT models_scaler_check ON rfm_kmeans.model_versions IS 'the scalers train() knows';
COMMENT ON INDEX rfm_kmeans.models_pkey IS 'finds a model by name';
COMMENT ON INDEX rfm_kmeans.model_versions_pkey IS 'finds a model''s version';

COMMENT ON COLUMN rfm_kmeans.segment_rules.priority IS 'rules are tried from the lowest priority up; the first match wins; inserting an existing priority replaces that rule';
COMMENT ON COLUMN rfm_kmeans.segment_rules.segment IS 'segment name segment() returns when the rule matches';
COMMENT ON COLUMN rfm_kmeans.segment_rules.r_min IS 'lowest recency score (1..5) the rule matches';
COMMENT ON COLUMN rfm_kmeans.segment_rules.r_max IS 'highest recency score (1..5) the rule matches';
COMMENT ON COLUMN rfm_kmeans.segment_rules.f_min IS 'lowest frequency score (1..5) the rule matches';
COMMENT ON COLUMN rfm_kmeans.segment_rules.f_max IS 'highest frequency score (1..5) the rule matches';
COMMENT ON COLUMN rfm_kmeans.segment_rules.m_min IS 'lowest monetary score (1..5) the rule matches';
COMMENT ON COLUMN rfm_kmeans.segment_rules.m_max IS 'highest monetary score (1..5) the rule matches';
COMMENT ON CONSTRAINT segment_rules_pkey ON rfm_kmeans.segment_rules IS 'one rule per priority';
COMMENT ON CONSTRAINT segment_rules_r ON rfm_kmeans.segment_rules IS 'recency range within 1..5, min <= max';
COMMENT ON CONSTRAINT segment_rules_f ON rfm_kmeans.segment_rules IS 'frequency range within 1..5, min <= max';
COMMENT ON CONSTRAINT segment_rules_m ON rfm_kmeans.segment_rules IS 'monetary range within 1..5, min <= max';
COMMENT ON INDEX rfm_kmeans.segment_rules_pkey IS 'finds a rule by priority';
COMMENT ON TRIGGER segment_rules_replace ON rfm_kmeans.segment_rules IS
	'an INSERT with an existing priority replaces that rule (so pg_restore puts edited rules back over the shipped ones)';

COMMENT ON COLUMN rfm_kmeans.rfm_features.recency_days IS 'as_of - last_purchase, in days with fractions';
COMMENT ON COLUMN rfm_kmeans.rfm_features.frequency IS 'distinct order keys; without an order key, rows';
COMMENT ON COLUMN rfm_kmeans.rfm_features.monetary IS 'sum of amount (compensated)';
COMMENT ON COLUMN rfm_kmeans.rfm_features.avg_order_value IS 'monetary / frequency; NULL when frequency is 0';
COMMENT ON COLUMN rfm_kmeans.rfm_features.first_purchase IS 'earliest ts';
COMMENT ON COLUMN rfm_kmeans.rfm_features.last_purchase IS 'latest ts';
COMMENT ON COLUMN rfm_kmeans.rfm_features.tenure_days IS 'as_of - first_purchase, in days with fractions';

COMMENT ON COLUMN rfm_kmeans.assignment.cluster IS 'closest cluster, 0-based';
COMMENT ON COLUMN rfm_kmeans.assignment.distance IS 'Euclidean distance to that cluster''s centroid in the model''s scaled space';

COMMENT ON COLUMN rfm_kmeans.kmeans_step_result.centroids IS 'k x d new centroids: each cluster''s mean (the old centroid for an empty cluster)';
COMMENT ON COLUMN rfm_kmeans.kmeans_step_result.sizes IS 'rows assigned to each cluster';
COMMENT ON COLUMN rfm_kmeans.kmeans_step_result.inertia IS 'sum of squared distances of the rows to their closest given centroid';
COMMENT ON COLUMN rfm_kmeans.kmeans_step_result.n_rows IS 'rows aggregated';
COMMENT ON COLUMN rfm_kmeans.kmeans_step_result.mean_distance IS 'rows'' mean distance to their closest given centroid';

COMMENT ON COLUMN rfm_kmeans.clv_inputs.x IS 'repeat purchase days: purchase days after the first';
COMMENT ON COLUMN rfm_kmeans.clv_inputs.t_x IS 'first to last purchase day, in time units';
COMMENT ON COLUMN rfm_kmeans.clv_inputs.t_cal IS 'first purchase day to as_of''s day, in time units';
COMMENT ON COLUMN rfm_kmeans.clv_inputs.m_x IS 'mean spend of the repeat purchase days; NULL when x = 0';
COMMENT ON COLUMN rfm_kmeans.clv_inputs.first_purchase IS 'earliest ts';

COMMENT ON COLUMN rfm_kmeans.bgnbd_params.r IS 'shape of the Gamma distribution of purchase rates';
COMMENT ON COLUMN rfm_kmeans.bgnbd_params.alpha IS 'scale of the Gamma distribution of purchase rates, in time units';
COMMENT ON COLUMN rfm_kmeans.bgnbd_params.a IS 'first shape of the Beta distribution of dropout probabilities';
COMMENT ON COLUMN rfm_kmeans.bgnbd_params.b IS 'second shape of the Beta distribution of dropout probabilities';
COMMENT ON COLUMN rfm_kmeans.bgnbd_params.log_likelihood IS 'log-likelihood of the fit, summed over customers';
COMMENT ON COLUMN rfm_kmeans.bgnbd_params.n_customers IS 'customers fitted';
COMMENT ON COLUMN rfm_kmeans.bgnbd_params.iterations IS 'optimizer iterations';
COMMENT ON COLUMN rfm_kmeans.bgnbd_params.converged IS 'false when the fit stopped at a bound or without converging (a NOTICE says which)';

COMMENT ON COLUMN rfm_kmeans.gamma_gamma_params.p IS 'shape of the Gamma distribution of a transaction''s spend';
COMMENT ON COLUMN rfm_kmeans.gamma_gamma_params.q IS 'shape of the Gamma distribution of the customers'' spend scales';
COMMENT ON COLUMN rfm_kmeans.gamma_gamma_params.v IS 'scale of the Gamma distribution of the customers'' spend scales';
COMMENT ON COLUMN rfm_kmeans.gamma_gamma_params.log_likelihood IS 'log-likelihood of the fit, summed over customers';
COMMENT ON COLUMN rfm_kmeans.gamma_gamma_params.n_customers IS 'customers fitted (those with x > 0)';
COMMENT ON COLUMN rfm_kmeans.gamma_gamma_params.iterations IS 'optimizer iterations';
COMMENT ON COLUMN rfm_kmeans.gamma_gamma_params.converged IS 'false when the fit stopped at a bound or without converging (a NOTICE says which)';
