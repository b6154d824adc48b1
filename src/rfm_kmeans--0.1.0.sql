-- rfm_kmeans 0.1.0: RFM features and segments, k-means models.
-- Released scripts are frozen: every later change ships an upgrade script.

\echo Use "CREATE EXTENSION rfm_kmeans" to load this file. \quit

-- CREATE EXTENSION creates the control file's schema when it is missing;
-- PostgreSQL deliberately never makes that schema a member, so DROP
-- EXTENSION removes every object below and leaves the empty schema.
GRANT USAGE ON SCHEMA rfm_kmeans TO PUBLIC;

------------------------------------------------------------------------------
-- The state type of rfm(): a concrete varlena, not internal, so parallel
-- query needs no serialization functions and Citus can ship partial states
-- between nodes as text.
------------------------------------------------------------------------------

CREATE TYPE rfm_kmeans.rfm_state;

-- Text I/O is STABLE: keys of the polymorphic overload are written with the
-- key type's own output function, which may depend on settings (DateStyle).
CREATE FUNCTION rfm_kmeans.rfm_state_in(cstring) RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.rfm_state_out(rfm_kmeans.rfm_state) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.rfm_state_recv(internal) RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.rfm_state_send(rfm_kmeans.rfm_state) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE rfm_kmeans.rfm_state (
	INPUT = rfm_kmeans.rfm_state_in,
	OUTPUT = rfm_kmeans.rfm_state_out,
	RECEIVE = rfm_kmeans.rfm_state_recv,
	SEND = rfm_kmeans.rfm_state_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);

CREATE TYPE rfm_kmeans.rfm_features AS (
	recency_days float8,
	frequency bigint,
	monetary float8,
	avg_order_value float8,
	first_purchase timestamptz,
	last_purchase timestamptz,
	tenure_days float8
);

------------------------------------------------------------------------------
-- Transition, combine and final functions of rfm().
-- Transition functions are not strict: they skip rows with a NULL ts or
-- amount themselves and still count the amount of a row with a NULL key.
------------------------------------------------------------------------------

CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, timestamptz)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- smallint keys have their own overloads: without them a smallint key
-- would be ambiguous between the integer, bigint and numeric ones.
CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, smallint)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_int2' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, smallint, timestamptz)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_int2' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, integer)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_int4' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, integer, timestamptz)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_int4' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, bigint)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_int8' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, bigint, timestamptz)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_int8' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, text)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_text' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, text, timestamptz)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_text' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, uuid)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_uuid' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, uuid, timestamptz)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_uuid' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, numeric)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_numeric' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, numeric, timestamptz)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_numeric' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Any other key type with a default hash operator class. STABLE: the key
-- type's hash and equality functions are looked up at run time.
CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, anyelement)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_any' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, anyelement, timestamptz)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME', 'rfm_trans_any' LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION rfm_kmeans.rfm_combine(rfm_kmeans.rfm_state, rfm_kmeans.rfm_state)
	RETURNS rfm_kmeans.rfm_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Without as_of, recency is measured from the transaction start (now()).
CREATE FUNCTION rfm_kmeans.rfm_final_now(rfm_kmeans.rfm_state)
	RETURNS rfm_kmeans.rfm_features
	AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.rfm_final_as_of(rfm_kmeans.rfm_state)
	RETURNS rfm_kmeans.rfm_features
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

------------------------------------------------------------------------------
-- rfm(ts, amount [, order_key] [, as_of])
------------------------------------------------------------------------------

CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_now,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, as_of timestamptz) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_as_of,
	PARALLEL = SAFE);

CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key smallint) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_now,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key smallint, as_of timestamptz) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_as_of,
	PARALLEL = SAFE);

CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key integer) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_now,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key integer, as_of timestamptz) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_as_of,
	PARALLEL = SAFE);

CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key bigint) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_now,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key bigint, as_of timestamptz) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_as_of,
	PARALLEL = SAFE);

CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key text) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_now,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key text, as_of timestamptz) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_as_of,
	PARALLEL = SAFE);

CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key uuid) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_now,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key uuid, as_of timestamptz) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_as_of,
	PARALLEL = SAFE);

CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key numeric) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_now,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key numeric, as_of timestamptz) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_as_of,
	PARALLEL = SAFE);

CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key anyelement) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_now,
	PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.rfm(ts timestamptz, amount float8, order_key anyelement, as_of timestamptz) (
	SFUNC = rfm_kmeans.rfm_trans, STYPE = rfm_kmeans.rfm_state,
	COMBINEFUNC = rfm_kmeans.rfm_combine, FINALFUNC = rfm_kmeans.rfm_final_as_of,
	PARALLEL = SAFE);

------------------------------------------------------------------------------
-- Scores and segments
------------------------------------------------------------------------------

-- Not strict: a NULL value gives a NULL score, NULL breaks are an error.
CREATE FUNCTION rfm_kmeans.rfm_score(value float8, breaks float8[], higher_is_better boolean)
	RETURNS integer
	AS 'MODULE_PATHNAME', 'rfm_score' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE TABLE rfm_kmeans.segment_rules (
	priority integer PRIMARY KEY,
	segment text NOT NULL,
	r_min integer NOT NULL DEFAULT 1,
	r_max integer NOT NULL DEFAULT 5,
	f_min integer NOT NULL DEFAULT 1,
	f_max integer NOT NULL DEFAULT 5,
	m_min integer NOT NULL DEFAULT 1,
	m_max integer NOT NULL DEFAULT 5,
	CONSTRAINT segment_rules_r CHECK (1 <= r_min AND r_min <= r_max AND r_max <= 5),
	CONSTRAINT segment_rules_f CHECK (1 <= f_min AND f_min <= f_max AND f_max <= 5),
	CONSTRAINT segment_rules_m CHECK (1 <= m_min AND m_min <= m_max AND m_max <= 5)
);
GRANT SELECT ON rfm_kmeans.segment_rules TO PUBLIC;

-- pg_restore runs CREATE EXTENSION (which inserts the shipped rules) before
-- it copies the dumped rules back: inserting a rule whose priority exists
-- replaces that rule, so a restore ends with exactly the dumped rules
-- instead of failing on the primary key.
CREATE FUNCTION rfm_kmeans.segment_rules_replace() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	DELETE FROM rfm_kmeans.segment_rules WHERE priority = NEW.priority;
	RETURN NEW;
END
$$;
CREATE TRIGGER segment_rules_replace BEFORE INSERT ON rfm_kmeans.segment_rules
	FOR EACH ROW EXECUTE FUNCTION rfm_kmeans.segment_rules_replace();

CREATE FUNCTION rfm_kmeans.reset_segment_rules() RETURNS void
	LANGUAGE sql SET search_path = pg_catalog, pg_temp
	AS $$
	DELETE FROM rfm_kmeans.segment_rules;
	INSERT INTO rfm_kmeans.segment_rules
		(priority, segment, r_min, r_max, f_min, f_max, m_min, m_max) VALUES
		(10,  'Champions',          4, 5, 4, 5, 4, 5),
		(20,  'Loyal Customers',    3, 5, 3, 5, 1, 5),
		(30,  'Can''t Lose Them',   1, 2, 4, 5, 4, 5),
		(40,  'At Risk',            1, 2, 3, 5, 1, 5),
		(50,  'Potential Loyalist', 4, 5, 2, 2, 1, 5),
		(60,  'New Customers',      5, 5, 1, 1, 1, 5),
		(70,  'Promising',          4, 4, 1, 1, 1, 5),
		(80,  'Need Attention',     3, 3, 2, 2, 1, 5),
		(90,  'About To Sleep',     3, 3, 1, 1, 1, 5),
		(100, 'Hibernating',        2, 2, 1, 2, 1, 5),
		(110, 'Lost',               1, 1, 1, 2, 1, 5);
$$;

SELECT rfm_kmeans.reset_segment_rules();
SELECT pg_catalog.pg_extension_config_dump('rfm_kmeans.segment_rules', '');

CREATE FUNCTION rfm_kmeans.segment(r integer, f integer, m integer) RETURNS text
	AS 'MODULE_PATHNAME', 'rfm_segment' LANGUAGE C STABLE STRICT PARALLEL SAFE;

------------------------------------------------------------------------------
-- K-means models
------------------------------------------------------------------------------

-- Everything needed to predict, and how the model was made. Centroids are
-- in original units; the scaler maps features to the space the model was
-- trained (and measures distances) in: scaled = (x - offset) / factor.
CREATE TABLE rfm_kmeans.models (
	name text PRIMARY KEY,
	owner name NOT NULL DEFAULT current_user,
	created_at timestamptz NOT NULL DEFAULT now(),
	features text[] NOT NULL,
	k integer NOT NULL CHECK (k >= 1),
	scaler text NOT NULL CHECK (scaler IN ('zscore', 'minmax', 'none')),
	scale_offset float8[] NOT NULL,
	scale_factor float8[] NOT NULL,
	centroids float8[] NOT NULL,
	sizes bigint[] NOT NULL,
	inertia float8 NOT NULL,
	iterations integer NOT NULL,
	converged boolean NOT NULL,
	n_rows bigint NOT NULL,
	n_skipped bigint NOT NULL,
	source_relation text NOT NULL,
	params jsonb NOT NULL,
	mean_distance float8 NOT NULL,
	version integer NOT NULL DEFAULT 1
);

-- Earlier versions of every model: replacing a model moves the row it
-- replaces here, in the same transaction; rollback_model() brings the
-- latest one back.
CREATE TABLE rfm_kmeans.model_versions (LIKE rfm_kmeans.models INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
	PRIMARY KEY (name, version));
ALTER TABLE rfm_kmeans.model_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY model_versions_read ON rfm_kmeans.model_versions FOR SELECT USING (true);
CREATE POLICY model_versions_insert ON rfm_kmeans.model_versions FOR INSERT WITH CHECK (owner = current_user);
CREATE POLICY model_versions_delete ON rfm_kmeans.model_versions FOR DELETE USING (owner = current_user);
GRANT SELECT, INSERT, DELETE ON rfm_kmeans.model_versions TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('rfm_kmeans.model_versions', '');
-- Everyone may read and create models; only a model's owner (or a
-- superuser, who bypasses row-level security) may change or delete it.
ALTER TABLE rfm_kmeans.models ENABLE ROW LEVEL SECURITY;
CREATE POLICY models_read ON rfm_kmeans.models FOR SELECT USING (true);
CREATE POLICY models_insert ON rfm_kmeans.models FOR INSERT WITH CHECK (owner = current_user);
CREATE POLICY models_update ON rfm_kmeans.models FOR UPDATE
	USING (owner = current_user) WITH CHECK (owner = current_user);
CREATE POLICY models_delete ON rfm_kmeans.models FOR DELETE USING (owner = current_user);
GRANT SELECT, INSERT, UPDATE, DELETE ON rfm_kmeans.models TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('rfm_kmeans.models', '');

CREATE FUNCTION rfm_kmeans.train(
	model text, relation regclass, features text[], k integer,
	init text DEFAULT 'k-means++', init_centroids float8[] DEFAULT NULL,
	n_init integer DEFAULT NULL, max_iter integer DEFAULT 300,
	tol float8 DEFAULT 1e-4, seed bigint DEFAULT 0, scale text DEFAULT 'zscore',
	mode text DEFAULT NULL, verbose boolean DEFAULT false)
	RETURNS TABLE (model text, k integer, n_rows bigint, n_skipped bigint,
	               iterations integer, converged boolean, inertia float8, seconds float8)
	AS 'MODULE_PATHNAME', 'rfm_train' LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- One Lloyd step as an aggregate: train(mode => 'aggregate') runs one per
-- iteration; parallel query and distributed engines split it.
CREATE TYPE rfm_kmeans.kmeans_state;
CREATE FUNCTION rfm_kmeans.kmeans_state_in(cstring) RETURNS rfm_kmeans.kmeans_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_state_out(rfm_kmeans.kmeans_state) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_state_recv(internal) RETURNS rfm_kmeans.kmeans_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_state_send(rfm_kmeans.kmeans_state) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE rfm_kmeans.kmeans_state (
	INPUT = rfm_kmeans.kmeans_state_in,
	OUTPUT = rfm_kmeans.kmeans_state_out,
	RECEIVE = rfm_kmeans.kmeans_state_recv,
	SEND = rfm_kmeans.kmeans_state_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);
CREATE TYPE rfm_kmeans.kmeans_step_result AS (
	centroids float8[], sizes bigint[], inertia float8, n_rows bigint);

CREATE FUNCTION rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_state, float8[], float8[])
	RETURNS rfm_kmeans.kmeans_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_step_combine(rfm_kmeans.kmeans_state, rfm_kmeans.kmeans_state)
	RETURNS rfm_kmeans.kmeans_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_step_final(rfm_kmeans.kmeans_state)
	RETURNS rfm_kmeans.kmeans_step_result
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE rfm_kmeans.kmeans_step(features float8[], centroids float8[]) (
	SFUNC = rfm_kmeans.kmeans_step_trans, STYPE = rfm_kmeans.kmeans_state,
	COMBINEFUNC = rfm_kmeans.kmeans_step_combine, FINALFUNC = rfm_kmeans.kmeans_step_final,
	PARALLEL = SAFE);

-- Helpers of aggregate-mode initialization (deterministic draws keyed by
-- the point's values, squared distance to the nearest center).
CREATE FUNCTION rfm_kmeans._point_key(point float8[], seed bigint, salt bigint) RETURNS float8
	AS 'MODULE_PATHNAME', 'kmeans_point_key' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans._min_dist2(point float8[], centers float8[]) RETURNS float8
	AS 'MODULE_PATHNAME', 'kmeans_min_dist2' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE rfm_kmeans.assignment AS (cluster integer, distance float8);

CREATE FUNCTION rfm_kmeans.predict(model text, VARIADIC features float8[]) RETURNS integer
	AS 'MODULE_PATHNAME', 'rfm_predict' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.assign(model text, VARIADIC features float8[])
	RETURNS rfm_kmeans.assignment
	AS 'MODULE_PATHNAME', 'rfm_assign' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.distances(model text, VARIADIC features float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'rfm_distances' LANGUAGE C STABLE PARALLEL SAFE;

-- Fixed-arity overloads for 2, 3 and 4 features (3 is RFM): same C
-- functions, reading the arguments directly instead of an array built for
-- every row. A call with that many float8 arguments picks them.
CREATE FUNCTION rfm_kmeans.predict(model text, f1 float8, f2 float8) RETURNS integer
	AS 'MODULE_PATHNAME', 'rfm_predict' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.predict(model text, f1 float8, f2 float8, f3 float8) RETURNS integer
	AS 'MODULE_PATHNAME', 'rfm_predict' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.predict(model text, f1 float8, f2 float8, f3 float8, f4 float8) RETURNS integer
	AS 'MODULE_PATHNAME', 'rfm_predict' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.assign(model text, f1 float8, f2 float8) RETURNS rfm_kmeans.assignment
	AS 'MODULE_PATHNAME', 'rfm_assign' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.assign(model text, f1 float8, f2 float8, f3 float8) RETURNS rfm_kmeans.assignment
	AS 'MODULE_PATHNAME', 'rfm_assign' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.assign(model text, f1 float8, f2 float8, f3 float8, f4 float8) RETURNS rfm_kmeans.assignment
	AS 'MODULE_PATHNAME', 'rfm_assign' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.distances(model text, f1 float8, f2 float8) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'rfm_distances' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.distances(model text, f1 float8, f2 float8, f3 float8) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'rfm_distances' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.distances(model text, f1 float8, f2 float8, f3 float8, f4 float8) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'rfm_distances' LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION rfm_kmeans.centroids(model text)
	RETURNS TABLE (cluster integer, size bigint, centroid float8[])
	LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m rfm_kmeans.models;
BEGIN
	SELECT * INTO m FROM rfm_kmeans.models WHERE name = centroids.model;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model "%" does not exist', centroids.model USING ERRCODE = '42704';
	END IF;
	RETURN QUERY
	SELECT c - 1, m.sizes[c],
	       ARRAY(SELECT m.centroids[c][j] FROM generate_series(1, array_length(m.features, 1)) j)
	FROM generate_series(1, m.k) c;
END
$$;

CREATE FUNCTION rfm_kmeans.kmeans(
	relation regclass, features text[], k integer,
	init text DEFAULT 'k-means++', init_centroids float8[] DEFAULT NULL,
	n_init integer DEFAULT NULL, max_iter integer DEFAULT 300,
	tol float8 DEFAULT 1e-4, seed bigint DEFAULT 0, scale text DEFAULT 'zscore',
	mode text DEFAULT NULL, verbose boolean DEFAULT false)
	RETURNS TABLE (cluster integer, size bigint, centroid float8[])
	AS 'MODULE_PATHNAME', 'rfm_kmeans_oneshot' LANGUAGE C VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION rfm_kmeans.evaluate(model text, relation regclass)
	RETURNS TABLE (inertia float8, mean_squared_distance float8, silhouette float8,
	               davies_bouldin float8, calinski_harabasz float8, n_rows bigint,
	               silhouette_rows bigint)
	AS 'MODULE_PATHNAME', 'rfm_evaluate' LANGUAGE C STABLE PARALLEL UNSAFE;

CREATE FUNCTION rfm_kmeans.elbow(
	relation regclass, features text[], k_min integer, k_max integer,
	init text DEFAULT 'k-means++', n_init integer DEFAULT NULL, max_iter integer DEFAULT 300,
	tol float8 DEFAULT 1e-4, seed bigint DEFAULT 0, scale text DEFAULT 'zscore')
	RETURNS TABLE (k integer, inertia float8, silhouette float8, davies_bouldin float8,
	               recommended boolean)
	AS 'MODULE_PATHNAME', 'rfm_elbow' LANGUAGE C STABLE PARALLEL UNSAFE;

-- The owner of a model, or ERROR: 42704 if it does not exist, 42501 if the
-- caller is neither its owner nor a superuser.
CREATE FUNCTION rfm_kmeans._check_model_owner(model text) RETURNS void
	LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	o name;
BEGIN
	SELECT owner INTO o FROM rfm_kmeans.models WHERE name = _check_model_owner.model;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model "%" does not exist', _check_model_owner.model USING ERRCODE = '42704';
	END IF;
	IF o <> current_user AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
		RAISE EXCEPTION 'model "%" belongs to role %', _check_model_owner.model, o USING ERRCODE = '42501';
	END IF;
END
$$;

CREATE FUNCTION rfm_kmeans.drop_model(model text) RETURNS void
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	PERFORM rfm_kmeans._check_model_owner(drop_model.model);
	DELETE FROM rfm_kmeans.model_versions WHERE name = drop_model.model;
	DELETE FROM rfm_kmeans.models WHERE name = drop_model.model;
END
$$;

CREATE FUNCTION rfm_kmeans.model_history(model text)
	RETURNS TABLE (version integer, is_current boolean, created_at timestamptz, owner name,
	               k integer, inertia float8, iterations integer, converged boolean,
	               n_rows bigint, source_relation text, params jsonb)
	LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM rfm_kmeans.models m WHERE m.name = model_history.model) THEN
		RAISE EXCEPTION 'model "%" does not exist', model_history.model USING ERRCODE = '42704';
	END IF;
	RETURN QUERY
	SELECT h.version, h.is_current, h.created_at, h.owner, h.k, h.inertia, h.iterations,
	       h.converged, h.n_rows, h.source_relation, h.params
	FROM (SELECT m.*, true AS is_current FROM rfm_kmeans.models m WHERE m.name = model_history.model
	      UNION ALL
	      SELECT v.*, false FROM rfm_kmeans.model_versions v WHERE v.name = model_history.model) h
	ORDER BY h.version DESC;
END
$$;

-- How far the rows of a relation have drifted from a model's training
-- data: the population stability index over the clusters (the shares of
-- the relation's rows assigned to each cluster against the training
-- shares), the shares themselves, and the mean distance of a row to its
-- centroid then and now. A share of 0 counts as 0.0001 in the index.
CREATE FUNCTION rfm_kmeans.drift(model text, relation regclass)
	RETURNS TABLE (psi float8, shares_before float8[], shares_after float8[],
	               mean_distance_before float8, mean_distance_after float8, n_rows bigint)
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m rfm_kmeans.models;
	cols text;
	usable text;
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
	SELECT string_agg(format('%I::pg_catalog.float8', f), ', ' ORDER BY o),
	       string_agg(format('%I IS NOT NULL', f), ' AND ' ORDER BY o)
	  INTO cols, usable
	  FROM unnest(m.features) WITH ORDINALITY u(f, o);
	-- every usable row of the relation with its cluster and distance
	EXECUTE format($q$
		WITH x AS (SELECT rfm_kmeans.assign(%L, VARIADIC ARRAY[%s]) AS a FROM %s WHERE %s)
		SELECT (SELECT array_agg(coalesce(c.n, 0) ORDER BY g)
		        FROM generate_series(0, %s - 1) g
		        LEFT JOIN (SELECT (a).cluster AS cl, count(*) AS n FROM x GROUP BY 1) c ON c.cl = g),
		       (SELECT count(*) FROM x),
		       (SELECT avg((a).distance) FROM x)$q$,
		m.name, cols, drift.relation, usable, m.k)
	  INTO counts, total, mean_distance_after;
	IF total = 0 THEN
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

-- Make the latest earlier version current again; the current one is
-- discarded. Owner (or superuser) only; transactional like train().
CREATE FUNCTION rfm_kmeans.rollback_model(model text) RETURNS integer
	LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	prev rfm_kmeans.model_versions;
BEGIN
	PERFORM rfm_kmeans._check_model_owner(rollback_model.model);
	SELECT * INTO prev FROM rfm_kmeans.model_versions v
	WHERE v.name = rollback_model.model ORDER BY v.version DESC LIMIT 1 FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model "%" has no earlier version to roll back to', rollback_model.model
			USING ERRCODE = '22023';
	END IF;
	DELETE FROM rfm_kmeans.models WHERE name = rollback_model.model;
	INSERT INTO rfm_kmeans.models SELECT prev.*;
	DELETE FROM rfm_kmeans.model_versions WHERE name = prev.name AND version = prev.version;
	RETURN prev.version;
END
$$;

------------------------------------------------------------------------------
-- Comments
------------------------------------------------------------------------------

COMMENT ON TYPE rfm_kmeans.rfm_state IS 'state of the rfm() aggregate: counters, compensated sum and distinct order keys';
COMMENT ON TYPE rfm_kmeans.rfm_features IS 'per-customer recency, frequency and monetary features returned by rfm()';
COMMENT ON FUNCTION rfm_kmeans.rfm_state_in(cstring) IS 'text input of rfm_state';
COMMENT ON FUNCTION rfm_kmeans.rfm_state_out(rfm_kmeans.rfm_state) IS 'text output of rfm_state';
COMMENT ON FUNCTION rfm_kmeans.rfm_state_recv(internal) IS 'binary input of rfm_state';
COMMENT ON FUNCTION rfm_kmeans.rfm_state_send(rfm_kmeans.rfm_state) IS 'binary output of rfm_state';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8) IS 'rfm() transition without order key';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, timestamptz) IS 'rfm() transition without order key, with as_of';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, smallint) IS 'rfm() transition, smallint order key';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, smallint, timestamptz) IS 'rfm() transition, smallint order key, with as_of';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, integer) IS 'rfm() transition, integer order key';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, integer, timestamptz) IS 'rfm() transition, integer order key, with as_of';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, bigint) IS 'rfm() transition, bigint order key';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, bigint, timestamptz) IS 'rfm() transition, bigint order key, with as_of';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, text) IS 'rfm() transition, text order key';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, text, timestamptz) IS 'rfm() transition, text order key, with as_of';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, uuid) IS 'rfm() transition, uuid order key';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, uuid, timestamptz) IS 'rfm() transition, uuid order key, with as_of';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, numeric) IS 'rfm() transition, numeric order key';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, numeric, timestamptz) IS 'rfm() transition, numeric order key, with as_of';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, anyelement) IS 'rfm() transition, order key of any hashable type';
COMMENT ON FUNCTION rfm_kmeans.rfm_trans(rfm_kmeans.rfm_state, timestamptz, float8, anyelement, timestamptz) IS 'rfm() transition, order key of any hashable type, with as_of';
COMMENT ON FUNCTION rfm_kmeans.rfm_combine(rfm_kmeans.rfm_state, rfm_kmeans.rfm_state) IS 'rfm() combine function for parallel and distributed aggregation';
COMMENT ON FUNCTION rfm_kmeans.rfm_final_now(rfm_kmeans.rfm_state) IS 'rfm() final function, recency measured from now()';
COMMENT ON FUNCTION rfm_kmeans.rfm_final_as_of(rfm_kmeans.rfm_state) IS 'rfm() final function, recency measured from as_of';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8) IS 'RFM features of a group of transactions; frequency counts rows, recency from now()';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, timestamptz) IS 'RFM features of a group of transactions; frequency counts rows, recency from as_of';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, smallint) IS 'RFM features; frequency counts distinct order keys, recency from now()';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, smallint, timestamptz) IS 'RFM features; frequency counts distinct order keys, recency from as_of';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, integer) IS 'RFM features; frequency counts distinct order keys, recency from now()';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, integer, timestamptz) IS 'RFM features; frequency counts distinct order keys, recency from as_of';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, bigint) IS 'RFM features; frequency counts distinct order keys, recency from now()';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, bigint, timestamptz) IS 'RFM features; frequency counts distinct order keys, recency from as_of';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, text) IS 'RFM features; frequency counts distinct order keys, recency from now()';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, text, timestamptz) IS 'RFM features; frequency counts distinct order keys, recency from as_of';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, uuid) IS 'RFM features; frequency counts distinct order keys, recency from now()';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, uuid, timestamptz) IS 'RFM features; frequency counts distinct order keys, recency from as_of';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, numeric) IS 'RFM features; frequency counts distinct order keys, recency from now()';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, numeric, timestamptz) IS 'RFM features; frequency counts distinct order keys, recency from as_of';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, anyelement) IS 'RFM features; frequency counts distinct order keys of any hashable type, recency from now()';
COMMENT ON AGGREGATE rfm_kmeans.rfm(timestamptz, float8, anyelement, timestamptz) IS 'RFM features; frequency counts distinct order keys of any hashable type, recency from as_of';
COMMENT ON FUNCTION rfm_kmeans.rfm_score(float8, float8[], boolean) IS '1..n+1 score of a value against ascending quantile breaks; equal values get equal scores';
COMMENT ON TABLE rfm_kmeans.segment_rules IS 'editable RFM segment rules: the rule with the lowest priority whose score ranges contain (r, f, m) wins';
COMMENT ON FUNCTION rfm_kmeans.segment_rules_replace() IS 'trigger: inserting a rule with an existing priority replaces it (keeps pg_restore working)';
COMMENT ON FUNCTION rfm_kmeans.reset_segment_rules() IS 'replace every segment rule by the shipped standard rules';
COMMENT ON FUNCTION rfm_kmeans.segment(integer, integer, integer) IS 'named RFM segment of r, f, m scores (1..5) from rfm_kmeans.segment_rules, ''Others'' if no rule matches';
COMMENT ON TABLE rfm_kmeans.models IS 'k-means models: features, scaler, centroids (original units), sizes, metrics and training parameters';
COMMENT ON FUNCTION rfm_kmeans.train(text, regclass, text[], integer, text, float8[], integer, integer, float8, bigint, text, text, boolean) IS 'train k-means on feature columns of a relation and store (or replace) the model';
COMMENT ON TYPE rfm_kmeans.assignment IS 'closest cluster (0-based) and Euclidean distance to it in the model''s scaled space';
COMMENT ON FUNCTION rfm_kmeans.predict(text, float8[]) IS 'closest cluster (0-based) of features given in original units';
COMMENT ON FUNCTION rfm_kmeans.assign(text, float8[]) IS 'closest cluster and the distance to it, in the model''s scaled space';
COMMENT ON FUNCTION rfm_kmeans.distances(text, float8[]) IS 'distance to every centroid, in cluster order, in the model''s scaled space';
COMMENT ON FUNCTION rfm_kmeans.centroids(text) IS 'clusters of a model: size and centroid in original units';
COMMENT ON FUNCTION rfm_kmeans.drop_model(text) IS 'delete a model and its earlier versions (its owner or a superuser only)';
COMMENT ON TABLE rfm_kmeans.model_versions IS 'earlier versions of the models, kept when a model is replaced';
COMMENT ON FUNCTION rfm_kmeans._check_model_owner(text) IS 'internal: ERROR unless the model exists and belongs to the caller (or the caller is a superuser)';
COMMENT ON FUNCTION rfm_kmeans.model_history(text) IS 'every version of a model, newest first';
COMMENT ON FUNCTION rfm_kmeans.rollback_model(text) IS 'make the latest earlier version of a model current again; returns its version';
COMMENT ON TYPE rfm_kmeans.kmeans_state IS 'state of the kmeans_step() aggregate: centroids, per-cluster counts and compensated sums, inertia';
COMMENT ON TYPE rfm_kmeans.kmeans_step_result IS 'result of kmeans_step(): new centroids (cluster means), sizes, inertia, rows';
COMMENT ON FUNCTION rfm_kmeans.kmeans_state_in(cstring) IS 'text input of kmeans_state';
COMMENT ON FUNCTION rfm_kmeans.kmeans_state_out(rfm_kmeans.kmeans_state) IS 'text output of kmeans_state';
COMMENT ON FUNCTION rfm_kmeans.kmeans_state_recv(internal) IS 'binary input of kmeans_state';
COMMENT ON FUNCTION rfm_kmeans.kmeans_state_send(rfm_kmeans.kmeans_state) IS 'binary output of kmeans_state';
COMMENT ON FUNCTION rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_state, float8[], float8[]) IS 'kmeans_step() transition: assign a row to its nearest centroid';
COMMENT ON FUNCTION rfm_kmeans.kmeans_step_combine(rfm_kmeans.kmeans_state, rfm_kmeans.kmeans_state) IS 'kmeans_step() combine function';
COMMENT ON FUNCTION rfm_kmeans.kmeans_step_final(rfm_kmeans.kmeans_state) IS 'kmeans_step() final function: cluster means, sizes, inertia';
COMMENT ON AGGREGATE rfm_kmeans.kmeans_step(float8[], float8[]) IS 'one Lloyd step of k-means over the rows: new centroids, sizes and inertia';
COMMENT ON FUNCTION rfm_kmeans._point_key(float8[], bigint, bigint) IS 'internal: deterministic uniform draw keyed by a point''s values';
COMMENT ON FUNCTION rfm_kmeans._min_dist2(float8[], float8[]) IS 'internal: squared distance to the nearest of some centers';
COMMENT ON FUNCTION rfm_kmeans.kmeans(regclass, text[], integer, text, float8[], integer, integer, float8, bigint, text, text, boolean) IS 'one-shot k-means: clusters of a relation without storing a model';
COMMENT ON FUNCTION rfm_kmeans.evaluate(text, regclass) IS 'quality of a model on a relation: inertia, silhouette, Davies-Bouldin, Calinski-Harabasz';
COMMENT ON FUNCTION rfm_kmeans.elbow(regclass, text[], integer, integer, text, integer, integer, float8, bigint, text) IS 'k-means for each k in k_min..k_max with its metrics and the recommended k (the elbow)';
COMMENT ON FUNCTION rfm_kmeans.predict(text, float8, float8) IS 'closest cluster (0-based) of 2 features in original units';
COMMENT ON FUNCTION rfm_kmeans.predict(text, float8, float8, float8) IS 'closest cluster (0-based) of 3 features in original units';
COMMENT ON FUNCTION rfm_kmeans.predict(text, float8, float8, float8, float8) IS 'closest cluster (0-based) of 4 features in original units';
COMMENT ON FUNCTION rfm_kmeans.assign(text, float8, float8) IS 'closest cluster and distance to it, 2 features';
COMMENT ON FUNCTION rfm_kmeans.assign(text, float8, float8, float8) IS 'closest cluster and distance to it, 3 features';
COMMENT ON FUNCTION rfm_kmeans.assign(text, float8, float8, float8, float8) IS 'closest cluster and distance to it, 4 features';
COMMENT ON FUNCTION rfm_kmeans.distances(text, float8, float8) IS 'distance to every centroid, 2 features';
COMMENT ON FUNCTION rfm_kmeans.distances(text, float8, float8, float8) IS 'distance to every centroid, 3 features';
COMMENT ON FUNCTION rfm_kmeans.distances(text, float8, float8, float8, float8) IS 'distance to every centroid, 4 features';
COMMENT ON FUNCTION rfm_kmeans.drift(text, regclass) IS 'population stability index of a relation''s cluster shares against the training shares, with both shares and mean distances';
