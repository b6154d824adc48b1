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

-- The model an RFM function was called on, after the checks every one of
-- them makes: not NULL (22004), known (42704), features 1, 2, 3 taken as
-- recency, frequency, monetary (22023), trained from 0.2.0 on (55000).
CREATE FUNCTION rfm_kmeans._rfm_model(model text, caller text) RETURNS rfm_kmeans.models
	LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m rfm_kmeans.models;
BEGIN
	IF _rfm_model.model IS NULL THEN
		RAISE EXCEPTION '%() argument model must not be null', caller USING ERRCODE = '22004';
	END IF;
	SELECT * INTO m FROM rfm_kmeans.models WHERE name = _rfm_model.model;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'model "%" does not exist', _rfm_model.model USING ERRCODE = '42704';
	END IF;
	IF array_length(m.features, 1) <> 3 THEN
		RAISE EXCEPTION 'model "%" has % features; %() needs exactly 3: recency, frequency, monetary',
			m.name, array_length(m.features, 1), caller
			USING ERRCODE = '22023',
			      HINT = 'Train the model on ARRAY[recency, frequency, monetary], in that order.';
	END IF;
	IF m.centroid_below IS NULL THEN
		RAISE EXCEPTION 'model "%" was trained before rfm_kmeans 0.2.0 and has no centroid ranks', m.name
			USING ERRCODE = '55000',
			      HINT = 'Train it again with rfm_kmeans.train().';
	END IF;
	RETURN m;
END
$$;

-- The columns as a comma-separated list of quoted identifiers cast to
-- float8, and as a condition that none is NULL: the pieces of the dynamic
-- queries over a user's relation.
CREATE FUNCTION rfm_kmeans._float8_columns(columns text[]) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN (SELECT pg_catalog.string_agg(pg_catalog.format('%I::pg_catalog.float8', c), ', ' ORDER BY o)
	        FROM pg_catalog.unnest(columns) WITH ORDINALITY u(c, o));
CREATE FUNCTION rfm_kmeans._none_null(columns text[]) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN (SELECT pg_catalog.string_agg(pg_catalog.format('%I IS NOT NULL', c), ' AND ' ORDER BY o)
	        FROM pg_catalog.unnest(columns) WITH ORDINALITY u(c, o));

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
	m rfm_kmeans.models := rfm_kmeans._rfm_model(cluster_labels.model, 'cluster_labels');
BEGIN
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

-- The segment table of a model over a relation of customers: every cluster
-- with its label, customers, share, mean recency, frequency and monetary
-- value and total revenue (sum of monetary). recency, frequency and
-- monetary name the relation's columns in original units (default: the
-- model's features 1, 2, 3), so a model trained on transformed features
-- (say ln(1 + monetary)) still reports money in money.
CREATE FUNCTION rfm_kmeans.cluster_summary(model text, relation regclass,
	recency text DEFAULT NULL, frequency text DEFAULT NULL, monetary text DEFAULT NULL)
	RETURNS TABLE (cluster integer, label text, customers bigint, share float8,
	               mean_recency float8, mean_frequency float8, mean_monetary float8, revenue float8)
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	m rfm_kmeans.models;
BEGIN
	IF cluster_summary.relation IS NULL THEN
		RAISE EXCEPTION 'cluster_summary() argument relation must not be null' USING ERRCODE = '22004';
	END IF;
	m := rfm_kmeans._rfm_model(cluster_summary.model, 'cluster_summary');
	recency := coalesce(recency, m.features[1]);
	frequency := coalesce(frequency, m.features[2]);
	monetary := coalesce(monetary, m.features[3]);
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

-- text with the five HTML special characters escaped
CREATE FUNCTION rfm_kmeans._html(s text) RETURNS text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
	       pg_catalog.replace(s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;');

-- A number for people: thousands separators, d decimals.
CREATE FUNCTION rfm_kmeans._num(v float8, d integer DEFAULT 0) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN CASE WHEN v IS NULL THEN '-' WHEN v = 'NaN'::pg_catalog.float8 THEN 'NaN'
	       ELSE pg_catalog.btrim(pg_catalog.to_char(pg_catalog.round(v::pg_catalog.numeric, d),
	                CASE WHEN d > 0 THEN 'FM999G999G999G999G990D' || pg_catalog.repeat('0', d)
	                     ELSE 'FM999G999G999G999G990' END)) END;

-- One bar of a report's bar chart: the label, a bar of 400 px for max and
-- value shown after it, on the row of the given cluster.
CREATE FUNCTION rfm_kmeans._svg_bar(cluster integer, label text, value float8, max float8,
	colour text, shown text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE
	RETURN pg_catalog.format('<text x="250" y="%s" text-anchor="end">%s</text>'
	                         '<rect class="bar" x="260" y="%s" width="%s" height="20" fill="%s"/>'
	                         '<text x="%s" y="%s">%s</text>',
	                         20 + 30 * cluster, rfm_kmeans._html(label), 5 + 30 * cluster,
	                         pg_catalog.round((400 * greatest(value, 0) / greatest(max, 1e-300))::pg_catalog.numeric, 1),
	                         colour,
	                         pg_catalog.round((266 + 400 * greatest(value, 0) / greatest(max, 1e-300))::pg_catalog.numeric, 1),
	                         20 + 30 * cluster, shown);

-- The report of a model over its customers, as one self-contained HTML
-- document (inline CSS and SVG, no script, no network): the segment table,
-- recency against monetary value per customer coloured by cluster with
-- each cluster's centre marked, customers and revenue per cluster, and the
-- model's metrics. Arguments as cluster_summary(); at most max_points
-- customers are drawn, chosen by a hash of their values (deterministic).
CREATE FUNCTION rfm_kmeans.report_html(model text, relation regclass,
	recency text DEFAULT NULL, frequency text DEFAULT NULL, monetary text DEFAULT NULL,
	title text DEFAULT NULL, max_points integer DEFAULT 3000)
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
BEGIN
	IF report_html.model IS NULL OR report_html.relation IS NULL THEN
		RAISE EXCEPTION 'report_html() model and relation must not be null' USING ERRCODE = '22004';
	END IF;
	IF max_points IS NULL OR max_points < 0 THEN
		RAISE EXCEPTION 'max_points must be >= 0' USING ERRCODE = '22023';
	END IF;
	m := rfm_kmeans._rfm_model(report_html.model, 'report_html');
	recency := coalesce(recency, m.features[1]);
	frequency := coalesce(frequency, m.features[2]);
	monetary := coalesce(monetary, m.features[3]);

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

	doc := format($html$<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%1$s</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
table { border-collapse: collapse; } td, th { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; }
td.n, th.n { text-align: right; } .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px; border-radius: 2px; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 16px; }
svg text { font: 12px system-ui, sans-serif; fill: #222; } .point { fill-opacity: 0.55; }
.meta { color: #666; }
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
</tbody></table>
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
		rfm_kmeans._num(e.calinski_harabasz, 1));
	RETURN doc;
END
$$;

COMMENT ON FUNCTION rfm_kmeans.cluster_summary(text, regclass, text, text, text) IS
	'segment table of an RFM model over a relation: label, customers, share, means, revenue per cluster';
COMMENT ON FUNCTION rfm_kmeans._html(text) IS 'internal: text with HTML special characters escaped';
COMMENT ON FUNCTION rfm_kmeans._rfm_model(text, text) IS 'internal: an RFM model after the checks of cluster_labels, cluster_summary, report_html';
COMMENT ON FUNCTION rfm_kmeans._float8_columns(text[]) IS 'internal: quoted columns cast to float8, comma-separated';
COMMENT ON FUNCTION rfm_kmeans._none_null(text[]) IS 'internal: a condition that no column is NULL';
COMMENT ON FUNCTION rfm_kmeans._svg_bar(integer, text, float8, float8, text, text) IS 'internal: one bar of a report bar chart';
COMMENT ON FUNCTION rfm_kmeans._num(float8, integer) IS 'internal: a number with thousands separators';
COMMENT ON FUNCTION rfm_kmeans.report_html(text, regclass, text, text, text, text, integer) IS
	'self-contained HTML report of an RFM model over a relation: segments, scatter, bars, metrics';
