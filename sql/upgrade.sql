-- Upgrading from the oldest version through every step equals a fresh
-- install: the same objects with the same definitions, columns, defaults,
-- constraints, indexes, triggers, policies, privileges, comments,
-- configuration tables and shipped segment rules; and a model trained on
-- the oldest version assigns every row the same way after the update.
-- Runs last (the file names run in order): it drops the extension and leaves
-- a fresh install behind.
SET client_min_messages = warning;
DROP EXTENSION IF EXISTS rfm_kmeans CASCADE;
RESET client_min_messages;
SET extra_float_digits = 0;

-- everything an install defines, one line per fact, in a stable order (its
-- body names the schema the extension creates later)
SET check_function_bodies = off;
CREATE FUNCTION pg_temp.install_snapshot() RETURNS SETOF text LANGUAGE sql AS $$
	WITH ext AS (SELECT oid, extconfig, extcondition FROM pg_extension WHERE extname = 'rfm_kmeans'),
	rels AS (SELECT oid FROM pg_class WHERE relnamespace = 'rfm_kmeans'::regnamespace)
	SELECT 'member ' || pg_describe_object(d.classid, d.objid, 0)
	       || coalesce(E'\n' || pg_get_functiondef(p.oid), '')
	       || coalesce(' acl ' || p.proacl::text, '')
	FROM pg_depend d JOIN ext ON d.refobjid = ext.oid
	LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid AND p.prokind <> 'a'
	WHERE d.deptype = 'e'
	UNION ALL
	SELECT 'aggregate ' || a.aggfnoid::regprocedure || ' ' || concat_ws(' ', a.aggtransfn, a.aggcombinefn,
	       a.aggfinalfn, a.aggserialfn, a.aggdeserialfn, a.aggtranstype::regtype, a.aggfinalmodify)
	FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
	WHERE p.pronamespace = 'rfm_kmeans'::regnamespace
	UNION ALL
	SELECT 'relation ' || c.oid::regclass || ' ' || c.relkind::text || ' rls ' || c.relrowsecurity
	       || ' force ' || c.relforcerowsecurity || coalesce(' options ' || c.reloptions::text, '')
	       || coalesce(' acl ' || c.relacl::text, '')
	FROM pg_class c JOIN rels USING (oid)
	UNION ALL
	SELECT 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
	       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
	       || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
	       || coalesce(' acl ' || a.attacl::text, '')
	FROM pg_attribute a JOIN rels ON rels.oid = a.attrelid
	LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	WHERE a.attnum > 0 AND NOT a.attisdropped
	UNION ALL
	SELECT 'constraint ' || c.conrelid::regclass || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
	FROM pg_constraint c JOIN rels ON rels.oid = c.conrelid
	UNION ALL
	SELECT 'index ' || pg_get_indexdef(i.indexrelid)
	FROM pg_index i JOIN rels ON rels.oid = i.indrelid
	UNION ALL
	SELECT 'trigger ' || pg_get_triggerdef(t.oid)
	FROM pg_trigger t JOIN rels ON rels.oid = t.tgrelid WHERE NOT t.tgisinternal
	UNION ALL
	SELECT 'policy ' || p.polrelid::regclass || ' ' || p.polname || ' ' || p.polcmd::text
	       || coalesce(' using ' || pg_get_expr(p.polqual, p.polrelid), '')
	       || coalesce(' check ' || pg_get_expr(p.polwithcheck, p.polrelid), '')
	FROM pg_policy p JOIN rels ON rels.oid = p.polrelid
	UNION ALL
	SELECT 'comment ' || pg_describe_object(d.classoid, d.objoid, d.objsubid) || ': ' || d.description
	FROM pg_description d
	WHERE (d.classoid = 'pg_namespace'::regclass AND d.objoid = 'rfm_kmeans'::regnamespace)
	   OR (d.classoid = 'pg_class'::regclass AND d.objoid IN (SELECT oid FROM rels))
	   OR (d.classoid = 'pg_proc'::regclass AND d.objoid IN
	       (SELECT oid FROM pg_proc WHERE pronamespace = 'rfm_kmeans'::regnamespace))
	   OR (d.classoid = 'pg_type'::regclass AND d.objoid IN
	       (SELECT oid FROM pg_type WHERE typnamespace = 'rfm_kmeans'::regnamespace))
	   OR (d.classoid = 'pg_constraint'::regclass AND d.objoid IN
	       (SELECT oid FROM pg_constraint WHERE connamespace = 'rfm_kmeans'::regnamespace))
	   OR (d.classoid = 'pg_trigger'::regclass AND d.objoid IN
	       (SELECT t.oid FROM pg_trigger t JOIN rels ON rels.oid = t.tgrelid))
	   OR (d.classoid = 'pg_policy'::regclass AND d.objoid IN
	       (SELECT p.oid FROM pg_policy p JOIN rels ON rels.oid = p.polrelid))
	UNION ALL
	SELECT 'configuration table ' || c::regclass || ' ' || coalesce(ext.extcondition[i], '')
	FROM ext, unnest(ext.extconfig) WITH ORDINALITY AS u(c, i)
	UNION ALL
	SELECT 'segment rule ' || r::text FROM rfm_kmeans.segment_rules r
	ORDER BY 1
$$;
RESET check_function_bodies;

CREATE TABLE upgrade_pts AS
SELECT i, (i % 7)::float8 AS r, (i % 11)::float8 AS f, (i % 13) * 10.0 AS m
FROM generate_series(1, 3000) i;
CREATE TABLE upgrade_seen (stage text, item text);

-- the oldest version, with a model trained on it
CREATE EXTENSION rfm_kmeans VERSION '0.1.0';
SELECT extversion FROM pg_extension WHERE extname = 'rfm_kmeans';
SELECT model, k, n_rows FROM rfm_kmeans.train('old', 'upgrade_pts', ARRAY['r', 'f', 'm'], 5);
INSERT INTO upgrade_seen
SELECT 'assigned at 0.1.0', i || ' ' || rfm_kmeans.assign('old', r, f, m)::text FROM upgrade_pts;

-- every step in turn
ALTER EXTENSION rfm_kmeans UPDATE TO '0.2.0';
SELECT extversion FROM pg_extension WHERE extname = 'rfm_kmeans';
ALTER EXTENSION rfm_kmeans UPDATE TO '0.3.0';
SELECT extversion FROM pg_extension WHERE extname = 'rfm_kmeans';
ALTER EXTENSION rfm_kmeans UPDATE TO '0.4.0';
SELECT extversion FROM pg_extension WHERE extname = 'rfm_kmeans';
ALTER EXTENSION rfm_kmeans UPDATE TO '0.5.0';
SELECT extversion FROM pg_extension WHERE extname = 'rfm_kmeans';
ALTER EXTENSION rfm_kmeans UPDATE TO '0.6.0';
SELECT extversion FROM pg_extension WHERE extname = 'rfm_kmeans';
-- the last step reached the control file's default version
SELECT default_version = installed_version AS at_default_version
FROM pg_available_extensions WHERE name = 'rfm_kmeans';

-- the model trained at 0.1.0 assigns every row as before
SELECT count(*) AS rows, count(*) FILTER (WHERE a.item = b.item) AS assigned_the_same
FROM upgrade_seen a
JOIN (SELECT i || ' ' || rfm_kmeans.assign('old', r, f, m)::text AS item FROM upgrade_pts) b
  ON split_part(a.item, ' ', 1) = split_part(b.item, ' ', 1)
WHERE a.stage = 'assigned at 0.1.0';
-- it has no centroid ranks (0.2.0 added them), so cluster_labels asks for a retraining
SELECT * FROM rfm_kmeans.cluster_labels('old');
-- retrained, it is version 2 with labels
SELECT model FROM rfm_kmeans.train('old', 'upgrade_pts', ARRAY['r', 'f', 'm'], 5);
SELECT version FROM rfm_kmeans.models WHERE name = 'old';
INSERT INTO upgrade_seen
SELECT 'labels after the update', l::text FROM rfm_kmeans.cluster_labels('old') l;
INSERT INTO upgrade_seen SELECT 'updated', s FROM pg_temp.install_snapshot() s;

-- a fresh install of the default version
DROP EXTENSION rfm_kmeans;
CREATE EXTENSION rfm_kmeans;
SELECT extversion FROM pg_extension WHERE extname = 'rfm_kmeans';
INSERT INTO upgrade_seen SELECT 'fresh', s FROM pg_temp.install_snapshot() s;
SELECT model FROM rfm_kmeans.train('old', 'upgrade_pts', ARRAY['r', 'f', 'm'], 5);
INSERT INTO upgrade_seen
SELECT 'labels fresh', l::text FROM rfm_kmeans.cluster_labels('old') l;

-- what differs between the updated and the fresh install: nothing
(SELECT 'only updated' AS side, item FROM upgrade_seen WHERE stage = 'updated'
 EXCEPT ALL SELECT 'only updated', item FROM upgrade_seen WHERE stage = 'fresh')
UNION ALL
(SELECT 'only fresh', item FROM upgrade_seen WHERE stage = 'fresh'
 EXCEPT ALL SELECT 'only fresh', item FROM upgrade_seen WHERE stage = 'updated')
ORDER BY 1, 2;
-- and what was compared (a comparison of nothing would show nothing too)
SELECT split_part(item, ' ', 1) AS kind, count(*)
FROM upgrade_seen WHERE stage = 'fresh' GROUP BY 1 ORDER BY 1;
-- the labels of the model retrained after the update equal a fresh install's
SELECT (SELECT array_agg(item ORDER BY item) FROM upgrade_seen WHERE stage = 'labels after the update')
     = (SELECT array_agg(item ORDER BY item) FROM upgrade_seen WHERE stage = 'labels fresh')
       AS same_labels,
       (SELECT count(*) FROM upgrade_seen WHERE stage = 'labels fresh') AS clusters;

DROP TABLE upgrade_pts, upgrade_seen;
