-- Installation: objects, markings, version, and a clean DROP EXTENSION.
CREATE EXTENSION rfm_kmeans;

SELECT extversion, extrelocatable, extnamespace::regnamespace
FROM pg_extension WHERE extname = 'rfm_kmeans';

-- the installed version is the control file's default_version
SELECT default_version = installed_version AS version_matches_control
FROM pg_available_extensions WHERE name = 'rfm_kmeans';

-- every function: volatility, strictness, parallel safety, security
SELECT p.oid::regprocedure::text AS function, p.provolatile AS vol,
       p.proisstrict AS strict, p.proparallel AS par, p.prosecdef AS secdef
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'rfm_kmeans')
  AND d.deptype = 'e'
ORDER BY 1;

-- every SQL or PL/pgSQL function pins its search_path, unless its body is
-- SQL-standard (BEGIN ATOMIC / RETURN), whose names are bound at creation
SELECT p.oid::regprocedure::text AS function_with_unpinned_search_path
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_language l ON l.oid = p.prolang
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'rfm_kmeans')
  AND d.deptype = 'e' AND l.lanname IN ('sql', 'plpgsql') AND p.prosqlbody IS NULL
  AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, pg_temp']
ORDER BY 1;

-- every aggregate has a combine function and a concrete (non-internal) state
SELECT count(*) AS aggregates,
       count(*) FILTER (WHERE aggcombinefn <> 0) AS with_combine,
       count(*) FILTER (WHERE aggtranstype = 'internal'::regtype) AS internal_state
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE p.pronamespace = 'rfm_kmeans'::regnamespace;

-- every object the install scripts create has a comment: the extension's
-- functions, types and tables, the schema, and on the schema's relations
-- every column, constraint, index, trigger and policy (array types aside);
-- lists the ones without
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'rfm_kmeans'),
rels AS (SELECT oid FROM pg_class WHERE relnamespace = 'rfm_kmeans'::regnamespace),
objects(kind, name, description) AS (
	SELECT 'member', pg_describe_object(d.classid, d.objid, 0),
	       obj_description(d.objid, d.classid::regclass::text)
	FROM pg_depend d, ext
	WHERE d.refobjid = ext.oid AND d.deptype = 'e'
	  AND NOT EXISTS (SELECT FROM pg_type t WHERE d.classid = 'pg_type'::regclass
	                  AND t.oid = d.objid AND t.typelem <> 0 AND t.typname LIKE '\_%')
	UNION ALL
	SELECT 'schema', 'rfm_kmeans', obj_description('rfm_kmeans'::regnamespace, 'pg_namespace')
	UNION ALL
	SELECT 'relation', c.oid::regclass::text, obj_description(c.oid, 'pg_class')
	FROM pg_class c JOIN rels USING (oid) WHERE c.relkind <> 'c'
	UNION ALL
	SELECT 'column', a.attrelid::regclass || '.' || a.attname, col_description(a.attrelid, a.attnum)
	FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN rels USING (oid)
	WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind <> 'i'
	UNION ALL
	SELECT 'constraint', c.conname || ' on ' || c.conrelid::regclass, obj_description(c.oid, 'pg_constraint')
	FROM pg_constraint c JOIN rels ON rels.oid = c.conrelid
	UNION ALL
	SELECT 'trigger', t.tgname || ' on ' || t.tgrelid::regclass, obj_description(t.oid, 'pg_trigger')
	FROM pg_trigger t JOIN rels ON rels.oid = t.tgrelid WHERE NOT t.tgisinternal
	UNION ALL
	SELECT 'policy', p.polname || ' on ' || p.polrelid::regclass, obj_description(p.oid, 'pg_policy')
	FROM pg_policy p JOIN rels ON rels.oid = p.polrelid
)
SELECT kind, name AS object_without_comment FROM objects
WHERE description IS NULL OR description = '' ORDER BY 1, 2;

-- how many of each were checked (a check that found nothing to check fails here)
WITH rels AS (SELECT oid FROM pg_class WHERE relnamespace = 'rfm_kmeans'::regnamespace)
SELECT (SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN rels USING (oid)
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind <> 'i') AS columns,
       (SELECT count(*) FROM pg_constraint c JOIN rels ON rels.oid = c.conrelid) AS constraints,
       (SELECT count(*) FROM pg_trigger t JOIN rels ON rels.oid = t.tgrelid WHERE NOT t.tgisinternal) AS triggers,
       (SELECT count(*) FROM pg_class c JOIN rels USING (oid) WHERE c.relkind = 'i') AS indexes;

-- the segment rules are an extension configuration table (dumped by pg_dump)
SELECT extconfig::regclass[] FROM pg_extension WHERE extname = 'rfm_kmeans';

-- DROP EXTENSION leaves no object in the schema; CREATE again works
DROP EXTENSION rfm_kmeans;
SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'rfm_kmeans'::regnamespace)
     + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'rfm_kmeans'::regnamespace)
     + (SELECT count(*) FROM pg_type WHERE typnamespace = 'rfm_kmeans'::regnamespace)
       AS objects_left;
CREATE EXTENSION rfm_kmeans;
SELECT count(*) AS standard_rules FROM rfm_kmeans.segment_rules;
