-- rfm_kmeans 0.1.0 -> 0.2.0: cluster labels.
-- A fresh CREATE EXTENSION installs 0.1.0 and runs this script, so this is
-- the only place the 0.2.0 changes are written. Released scripts are frozen.

\echo Use "ALTER EXTENSION rfm_kmeans UPDATE TO '0.2.0'" to load this file. \quit

-- Per cluster and feature, the number of training rows whose value is
-- strictly below the centroid's (k x d). With n_rows it places each
-- centroid against any quantile of the training data exactly. Models
-- trained before 0.2.0 have NULL here until they are retrained.
ALTER TABLE rfm_kmeans.models ADD COLUMN centroid_below bigint[];
ALTER TABLE rfm_kmeans.model_versions ADD COLUMN centroid_below bigint[];

-- Each cluster named like a customer: its centroid's recency, frequency and
-- monetary value (the model's features 1, 2 and 3) scored 1..5 against the
-- training data's quintiles, the percentile_disc(0.2 .. 0.8) of each
-- feature, as rfm_score() scores (recency reversed), then named by
-- segment(). Labels are unique: clusters that share a segment name get
-- their scores as a suffix, and clusters with equal scores too get #1, #2
-- in cluster order.
CREATE FUNCTION rfm_kmeans.cluster_labels(model text)
	RETURNS TABLE (cluster integer, label text, r_score integer, f_score integer, m_score integer)
	LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m rfm_kmeans.models;
BEGIN
	IF cluster_labels.model IS NULL THEN
		RAISE EXCEPTION 'cluster_labels() argument must not be null' USING ERRCODE = '22004';
	END IF;
	SELECT * INTO m FROM rfm_kmeans.models WHERE name = cluster_labels.model;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model "%" does not exist', cluster_labels.model USING ERRCODE = '42704';
	END IF;
	IF array_length(m.features, 1) <> 3 THEN
		RAISE EXCEPTION 'model "%" has % features; cluster_labels() needs exactly 3: recency, frequency, monetary',
			m.name, array_length(m.features, 1)
			USING ERRCODE = '22023',
			      HINT = 'Train the model on ARRAY[recency, frequency, monetary], in that order.';
	END IF;
	IF m.centroid_below IS NULL THEN
		RAISE EXCEPTION 'model "%" was trained before rfm_kmeans 0.2.0 and has no centroid ranks', m.name
			USING ERRCODE = '55000',
			      HINT = 'Train it again with rfm_kmeans.train().';
	END IF;
	RETURN QUERY
	WITH below AS (
		-- quintiles strictly below each centroid value:
		-- percentile_disc(q) < v  <=>  #{x < v} >= ceil(q * n)
		SELECT c - 1 AS cl, j,
		       (SELECT count(*) FROM unnest(ARRAY[0.2, 0.4, 0.6, 0.8]::float8[]) q
		         WHERE m.centroid_below[c][j] >= ceil(q * m.n_rows))::integer AS nb
		FROM generate_series(1, m.k) c, generate_series(1, 3) j),
	scores AS (
		SELECT cl,
		       5 - max(nb) FILTER (WHERE j = 1) AS r,
		       1 + max(nb) FILTER (WHERE j = 2) AS f,
		       1 + max(nb) FILTER (WHERE j = 3) AS mo
		FROM below GROUP BY cl),
	named AS (
		SELECT s.*, rfm_kmeans.segment(s.r, s.f, s.mo) AS seg,
		       count(*) OVER (PARTITION BY rfm_kmeans.segment(s.r, s.f, s.mo)) AS same_name,
		       count(*) OVER (PARTITION BY s.r, s.f, s.mo) AS same_scores,
		       row_number() OVER (PARTITION BY s.r, s.f, s.mo ORDER BY s.cl) AS nth
		FROM scores s)
	SELECT n.cl,
	       n.seg
	       || CASE WHEN n.same_name > 1 THEN format(' (R%s F%s M%s)', n.r, n.f, n.mo) ELSE '' END
	       || CASE WHEN n.same_scores > 1 THEN format(' #%s', n.nth) ELSE '' END,
	       n.r, n.f, n.mo
	FROM named n ORDER BY n.cl;
END
$$;
COMMENT ON FUNCTION rfm_kmeans.cluster_labels(text) IS
	'clusters of an RFM model named by segment(): centroid scored against the training quintiles';
COMMENT ON COLUMN rfm_kmeans.models.centroid_below IS
	'k x d: training rows strictly below each centroid value (cluster_labels)';
