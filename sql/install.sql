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

-- every object of the extension has a comment
SELECT count(*) AS objects_without_comment
FROM pg_depend d
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'rfm_kmeans')
  AND d.deptype = 'e'
  AND d.classid IN ('pg_proc'::regclass, 'pg_type'::regclass, 'pg_class'::regclass)
  AND obj_description(d.objid, d.classid::regclass::text) IS NULL
  AND NOT (d.classid = 'pg_type'::regclass AND
           EXISTS (SELECT FROM pg_type t WHERE t.oid = d.objid AND t.typelem <> 0 AND t.typname LIKE '\_%'));

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
