-- rfm_kmeans 0.3.0 -> 0.4.0: one-pass training (train(..., mode =>
-- 'onepass')) through the kmeans_summary() aggregate.
-- A fresh CREATE EXTENSION installs 0.1.0 and runs every upgrade script,
-- so this is the only place the 0.4.0 changes are written.

\echo Use "ALTER EXTENSION rfm_kmeans UPDATE TO '0.4.0'" to load this file. \quit

------------------------------------------------------------------------------
-- The one-pass summary: its state type (text: base64 of the binary form)
-- and the aggregate, combinable so parallel query and Citus split the scan.
------------------------------------------------------------------------------
CREATE TYPE rfm_kmeans.kmeans_summary_state;
CREATE FUNCTION rfm_kmeans.kmeans_summary_state_in(cstring) RETURNS rfm_kmeans.kmeans_summary_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_summary_state_out(rfm_kmeans.kmeans_summary_state) RETURNS cstring
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_summary_state_recv(internal) RETURNS rfm_kmeans.kmeans_summary_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_summary_state_send(rfm_kmeans.kmeans_summary_state) RETURNS bytea
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE rfm_kmeans.kmeans_summary_state (
	INPUT = rfm_kmeans.kmeans_summary_state_in,
	OUTPUT = rfm_kmeans.kmeans_summary_state_out,
	RECEIVE = rfm_kmeans.kmeans_summary_state_recv,
	SEND = rfm_kmeans.kmeans_summary_state_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = double,
	STORAGE = extended
);

CREATE FUNCTION rfm_kmeans.kmeans_summary_trans(rfm_kmeans.kmeans_summary_state, integer, float8)
	RETURNS rfm_kmeans.kmeans_summary_state
	AS 'MODULE_PATHNAME', 'kmeans_summary_args_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_summary_trans(rfm_kmeans.kmeans_summary_state, integer, float8, float8)
	RETURNS rfm_kmeans.kmeans_summary_state
	AS 'MODULE_PATHNAME', 'kmeans_summary_args_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_summary_trans(rfm_kmeans.kmeans_summary_state, integer, float8, float8, float8)
	RETURNS rfm_kmeans.kmeans_summary_state
	AS 'MODULE_PATHNAME', 'kmeans_summary_args_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_summary_trans(rfm_kmeans.kmeans_summary_state, integer, float8, float8, float8, float8)
	RETURNS rfm_kmeans.kmeans_summary_state
	AS 'MODULE_PATHNAME', 'kmeans_summary_args_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_summary_trans(rfm_kmeans.kmeans_summary_state, float8[], integer)
	RETURNS rfm_kmeans.kmeans_summary_state
	AS 'MODULE_PATHNAME', 'kmeans_summary_array_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.kmeans_summary_combine(rfm_kmeans.kmeans_summary_state, rfm_kmeans.kmeans_summary_state)
	RETURNS rfm_kmeans.kmeans_summary_state
	AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE rfm_kmeans.kmeans_summary(sample_size integer, f1 float8) (
	SFUNC = rfm_kmeans.kmeans_summary_trans, STYPE = rfm_kmeans.kmeans_summary_state,
	COMBINEFUNC = rfm_kmeans.kmeans_summary_combine, PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.kmeans_summary(sample_size integer, f1 float8, f2 float8) (
	SFUNC = rfm_kmeans.kmeans_summary_trans, STYPE = rfm_kmeans.kmeans_summary_state,
	COMBINEFUNC = rfm_kmeans.kmeans_summary_combine, PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.kmeans_summary(sample_size integer, f1 float8, f2 float8, f3 float8) (
	SFUNC = rfm_kmeans.kmeans_summary_trans, STYPE = rfm_kmeans.kmeans_summary_state,
	COMBINEFUNC = rfm_kmeans.kmeans_summary_combine, PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.kmeans_summary(sample_size integer, f1 float8, f2 float8, f3 float8, f4 float8) (
	SFUNC = rfm_kmeans.kmeans_summary_trans, STYPE = rfm_kmeans.kmeans_summary_state,
	COMBINEFUNC = rfm_kmeans.kmeans_summary_combine, PARALLEL = SAFE);
CREATE AGGREGATE rfm_kmeans.kmeans_summary(features float8[], sample_size integer) (
	SFUNC = rfm_kmeans.kmeans_summary_trans, STYPE = rfm_kmeans.kmeans_summary_state,
	COMBINEFUNC = rfm_kmeans.kmeans_summary_combine, PARALLEL = SAFE);

COMMENT ON TYPE rfm_kmeans.kmeans_summary_state IS
	'state of kmeans_summary(): a sample of the distinct rows with their multiplicities and the exact moments of each feature (text: base64 of the binary form)';
COMMENT ON FUNCTION rfm_kmeans.kmeans_summary_state_in(cstring) IS 'kmeans_summary_state input: base64 text, every field checked';
COMMENT ON FUNCTION rfm_kmeans.kmeans_summary_state_out(rfm_kmeans.kmeans_summary_state) IS 'kmeans_summary_state output: base64 of the binary form';
COMMENT ON FUNCTION rfm_kmeans.kmeans_summary_state_recv(internal) IS 'kmeans_summary_state binary input, every field checked';
COMMENT ON FUNCTION rfm_kmeans.kmeans_summary_state_send(rfm_kmeans.kmeans_summary_state) IS 'kmeans_summary_state binary output (network byte order)';
COMMENT ON FUNCTION rfm_kmeans.kmeans_summary_trans(rfm_kmeans.kmeans_summary_state, integer, float8) IS 'kmeans_summary() transition: add a row of 1 feature';
COMMENT ON FUNCTION rfm_kmeans.kmeans_summary_trans(rfm_kmeans.kmeans_summary_state, integer, float8, float8) IS 'kmeans_summary() transition: add a row of 2 features';
COMMENT ON FUNCTION rfm_kmeans.kmeans_summary_trans(rfm_kmeans.kmeans_summary_state, integer, float8, float8, float8) IS 'kmeans_summary() transition: add a row of 3 features';
COMMENT ON FUNCTION rfm_kmeans.kmeans_summary_trans(rfm_kmeans.kmeans_summary_state, integer, float8, float8, float8, float8) IS 'kmeans_summary() transition: add a row of 4 features';
COMMENT ON FUNCTION rfm_kmeans.kmeans_summary_trans(rfm_kmeans.kmeans_summary_state, float8[], integer) IS 'kmeans_summary() transition: add a row given as an array';
COMMENT ON FUNCTION rfm_kmeans.kmeans_summary_combine(rfm_kmeans.kmeans_summary_state, rfm_kmeans.kmeans_summary_state) IS 'kmeans_summary() combine: the summary of both sets of rows, whatever the split';
COMMENT ON AGGREGATE rfm_kmeans.kmeans_summary(integer, float8) IS 'one-pass summary of rows of 1 feature (train''s onepass mode)';
COMMENT ON AGGREGATE rfm_kmeans.kmeans_summary(integer, float8, float8) IS 'one-pass summary of rows of 2 features (train''s onepass mode)';
COMMENT ON AGGREGATE rfm_kmeans.kmeans_summary(integer, float8, float8, float8) IS 'one-pass summary of rows of 3 features (train''s onepass mode)';
COMMENT ON AGGREGATE rfm_kmeans.kmeans_summary(integer, float8, float8, float8, float8) IS 'one-pass summary of rows of 4 features (train''s onepass mode)';
COMMENT ON AGGREGATE rfm_kmeans.kmeans_summary(float8[], integer) IS 'one-pass summary of rows of any number of features (train''s onepass mode)';

------------------------------------------------------------------------------
-- train() and kmeans() take refine and sample_size (one-pass mode). A new
-- argument means a new signature: the old one is dropped and the function
-- created again, with its comment.
------------------------------------------------------------------------------
DROP FUNCTION rfm_kmeans.train(text, regclass, text[], integer, text, float8[], integer, integer, float8, bigint, text, text, boolean);
CREATE FUNCTION rfm_kmeans.train(
	model text, relation regclass, features text[], k integer,
	init text DEFAULT 'k-means++', init_centroids float8[] DEFAULT NULL,
	n_init integer DEFAULT NULL, max_iter integer DEFAULT 300,
	tol float8 DEFAULT 1e-4, seed bigint DEFAULT 0, scale text DEFAULT 'zscore',
	mode text DEFAULT NULL, verbose boolean DEFAULT false,
	refine integer DEFAULT 0, sample_size integer DEFAULT NULL, keep_ids boolean DEFAULT true,
	distance text DEFAULT 'euclidean')
	RETURNS TABLE (model text, k integer, n_rows bigint, n_skipped bigint,
	               iterations integer, converged boolean, inertia float8, seconds float8)
	AS 'MODULE_PATHNAME', 'rfm_train' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION rfm_kmeans.train(text, regclass, text[], integer, text, float8[], integer, integer, float8, bigint, text, text, boolean, integer, integer, boolean, text) IS
	'train k-means on feature columns of a relation (numbers, and categories one-hot encoded) and store (or replace) the model (mode memory, aggregate or onepass; Euclidean or cosine distance; cluster numbers kept across versions)';

DROP FUNCTION rfm_kmeans.kmeans(regclass, text[], integer, text, float8[], integer, integer, float8, bigint, text, text, boolean);
CREATE FUNCTION rfm_kmeans.kmeans(
	relation regclass, features text[], k integer,
	init text DEFAULT 'k-means++', init_centroids float8[] DEFAULT NULL,
	n_init integer DEFAULT NULL, max_iter integer DEFAULT 300,
	tol float8 DEFAULT 1e-4, seed bigint DEFAULT 0, scale text DEFAULT 'zscore',
	mode text DEFAULT NULL, verbose boolean DEFAULT false,
	refine integer DEFAULT 0, sample_size integer DEFAULT NULL, distance text DEFAULT 'euclidean')
	RETURNS TABLE (cluster integer, size bigint, centroid float8[])
	AS 'MODULE_PATHNAME', 'rfm_kmeans_oneshot' LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION rfm_kmeans.kmeans(regclass, text[], integer, text, float8[], integer, integer, float8, bigint, text, text, boolean, integer, integer, text) IS
	'one-shot k-means: clusters of a relation without storing a model';

------------------------------------------------------------------------------
-- Stable cluster numbers: how far each cluster's centroid moved from the
-- previous version (train() numbers clusters like the version it replaces).
------------------------------------------------------------------------------
CREATE FUNCTION rfm_kmeans.cluster_moves(model text)
	RETURNS TABLE (cluster integer, moved float8, size bigint, previous_size bigint,
	               version integer, previous_version integer)
	LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF NOT EXISTS (SELECT FROM rfm_kmeans.models m WHERE m.name = cluster_moves.model) THEN
		RAISE EXCEPTION 'model "%" does not exist', cluster_moves.model USING ERRCODE = '42704';
	END IF;
	RETURN QUERY
	SELECT c - 1,
	       CASE WHEN p.features = cur.features AND c <= p.k THEN
	            (SELECT sqrt(sum(((cur.centroids[c][j] - p.centroids[c][j]) / cur.scale_factor[j]) ^ 2))
	             FROM generate_series(1, array_length(cur.features, 1)) j) END,
	       cur.sizes[c],
	       CASE WHEN c <= p.k THEN p.sizes[c] END,
	       cur.version, p.version
	FROM rfm_kmeans.models cur
	CROSS JOIN generate_series(1, cur.k) c
	LEFT JOIN LATERAL (SELECT v.* FROM rfm_kmeans.model_versions v WHERE v.name = cur.name
	                   ORDER BY v.version DESC LIMIT 1) p ON true
	WHERE cur.name = cluster_moves.model
	ORDER BY c;
END
$$;
COMMENT ON FUNCTION rfm_kmeans.cluster_moves(text) IS
	'per cluster of a model: how far its centroid moved from the previous version (scaled space), and both sizes';

------------------------------------------------------------------------------
-- Anomalies: training keeps the distribution of the rows' distances to
-- their centroid (the distance at every thousandth of the rows), so a new
-- row's share of training rows at least as far out is known to 1e-3.
------------------------------------------------------------------------------
ALTER TABLE rfm_kmeans.models ADD COLUMN distance_quantiles float8[];
ALTER TABLE rfm_kmeans.model_versions ADD COLUMN distance_quantiles float8[];
COMMENT ON COLUMN rfm_kmeans.models.distance_quantiles IS
	'the training rows'' distances to their centroid at ranks 0, 1/1000, ..., 1 of the rows (1001 values; NULL before 0.4.0)';
COMMENT ON COLUMN rfm_kmeans.model_versions.distance_quantiles IS
	'the training rows'' distances to their centroid at ranks 0, 1/1000, ..., 1 of the rows (1001 values; NULL before 0.4.0)';

CREATE FUNCTION rfm_kmeans.anomaly_score(model text, VARIADIC features float8[])
	RETURNS float8
	LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	q float8[];
	d float8;
BEGIN
	SELECT m.distance_quantiles INTO q FROM rfm_kmeans.models m WHERE m.name = anomaly_score.model;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model "%" does not exist', anomaly_score.model USING ERRCODE = '42704';
	END IF;
	IF q IS NULL THEN
		RAISE EXCEPTION 'model "%" has no distance distribution', anomaly_score.model
			USING ERRCODE = '55000', HINT = 'Train it again: models trained before 0.4.0 did not keep one.';
	END IF;
	d := (rfm_kmeans.assign(anomaly_score.model, VARIADIC features)).distance;
	IF d IS NULL THEN
		RETURN NULL;
	END IF;
	-- the share of training rows at least d from their centroid, to 1e-3:
	-- q[j + 1] is the distance of rank ceil(j n / 1000)
	-- (written as (1000 - count) / 1000 so that scores are exact thousandths)
	RETURN (1000 - (SELECT count(*) FROM unnest(q[2:1001]) x WHERE x < d))::float8 / 1000;
END
$$;
COMMENT ON FUNCTION rfm_kmeans.anomaly_score(text, float8[]) IS
	'share of the training rows at least as far from their centroid as these features are from their nearest one (0..1, to 1e-3; small: anomalous)';

CREATE FUNCTION rfm_kmeans.detect_anomalies(model text, relation regclass, contamination float8 DEFAULT 0.1)
	RETURNS TABLE (row_data jsonb, cluster integer, distance float8, score float8)
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	f text[];
	cols text;
BEGIN
	IF contamination IS NULL OR NOT (contamination > 0 AND contamination <= 0.5) THEN
		RAISE EXCEPTION 'contamination must be in (0, 0.5], got %', coalesce(contamination::text, 'NULL')
			USING ERRCODE = '22023';
	END IF;
	SELECT m.features INTO f FROM rfm_kmeans.models m WHERE m.name = detect_anomalies.model;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model "%" does not exist', detect_anomalies.model USING ERRCODE = '42704';
	END IF;
	IF relation IS NULL THEN
		RAISE EXCEPTION 'relation must not be null' USING ERRCODE = '22004';
	END IF;
	PERFORM rfm_kmeans._check_columns(relation, f);
	SELECT string_agg(format('t.%I::pg_catalog.float8', c), ', ' ORDER BY o) INTO cols
	FROM unnest(f) WITH ORDINALITY u(c, o);
	RETURN QUERY EXECUTE format(
		'SELECT pg_catalog.to_jsonb(t), (q.a).cluster, (q.a).distance, q.s '
		'FROM %s t, LATERAL (SELECT rfm_kmeans.assign($1, VARIADIC ARRAY[%s]) AS a, '
		'                           rfm_kmeans.anomaly_score($1, VARIADIC ARRAY[%s]) AS s) q '
		'WHERE q.s < $2 ORDER BY q.s, (q.a).distance DESC',
		relation, cols, cols) USING detect_anomalies.model, contamination;
END
$$;
COMMENT ON FUNCTION rfm_kmeans.detect_anomalies(text, regclass, float8) IS
	'rows of a relation whose anomaly score is below contamination, with cluster, distance and score (BigQuery ML''s DETECT_ANOMALIES for k-means)';

------------------------------------------------------------------------------
-- Categorical features: text, varchar, char, boolean and enum columns among
-- train()'s features are one-hot encoded inside the model; each encoded
-- feature's category is stored beside its name ("column=category"), and
-- predict_row()/assign_row() encode a whole row the same way.
------------------------------------------------------------------------------
ALTER TABLE rfm_kmeans.models ADD COLUMN categories text[];
ALTER TABLE rfm_kmeans.model_versions ADD COLUMN categories text[];
COMMENT ON COLUMN rfm_kmeans.models.categories IS
	'per feature: the category a one-hot feature (named column=category) stands for, NULL for a number; NULL when no feature is categorical';
COMMENT ON COLUMN rfm_kmeans.model_versions.categories IS
	'per feature: the category a one-hot feature (named column=category) stands for, NULL for a number; NULL when no feature is categorical';

CREATE FUNCTION rfm_kmeans.predict_row(model text, "row" record) RETURNS integer
	AS 'MODULE_PATHNAME', 'rfm_predict_row' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans.assign_row(model text, "row" record) RETURNS rfm_kmeans.assignment
	AS 'MODULE_PATHNAME', 'rfm_assign_row' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_kmeans.predict_row(text, record) IS
	'closest cluster (0-based) of a whole row: its columns matched to the model''s features by name, categories one-hot encoded';
COMMENT ON FUNCTION rfm_kmeans.assign_row(text, record) IS
	'closest cluster and the distance to it of a whole row (columns matched by name, categories one-hot encoded)';

------------------------------------------------------------------------------
-- distance => 'cosine' (spherical k-means): aggregate mode's queries scale
-- each row to unit length with this function.
------------------------------------------------------------------------------
CREATE FUNCTION rfm_kmeans._unit_vector(float8[]) RETURNS float8[]
	AS 'MODULE_PATHNAME', 'rfm_unit_vector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rfm_kmeans._unit_vector(float8[]) IS
	'internal: the vector scaled to unit length (aggregate-mode training with distance => ''cosine''); an all-zero vector is an error';
