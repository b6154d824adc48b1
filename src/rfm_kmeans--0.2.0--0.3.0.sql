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
