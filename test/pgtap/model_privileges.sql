-- Who may read, replace, roll back and drop a model and its history (the
-- rules of the README's privilege section, for the owner, another role and
-- a superuser), and training with the caller's rights: table privileges,
-- schema USAGE and row-level security apply as to a plain SELECT.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(48);

CREATE ROLE rfm_alice;
CREATE ROLE rfm_bob;
CREATE TABLE priv_pts AS SELECT i, (i % 2) * 10.0 + (i % 7) * 0.1 AS a, owner
FROM generate_series(1, 200) i, LATERAL (SELECT CASE WHEN i <= 50 THEN 'rfm_bob' ELSE 'rfm_alice' END AS owner) o;
GRANT SELECT ON priv_pts TO rfm_alice, rfm_bob;
CREATE TABLE secret_pts AS SELECT * FROM priv_pts;
-- float8 features, which the loader reads from the table itself when it may
CREATE TABLE priv_f AS SELECT i, a::float8 AS a, owner FROM priv_pts;
GRANT SELECT (i, a) ON priv_f TO rfm_bob;	-- column privileges only
CREATE TABLE secret_f AS SELECT * FROM priv_f;

-- reading: everyone ------------------------------------------------------
SET ROLE rfm_alice;
SELECT lives_ok($$SELECT rfm_kmeans.train('alice_model', 'priv_pts', ARRAY['a'], 3)$$, 'alice trains a model');
SELECT lives_ok($$SELECT rfm_kmeans.train('alice_model', 'priv_pts', ARRAY['a'], 2)$$, 'and replaces it (version 2)');
RESET ROLE;
SELECT is((SELECT owner::text FROM rfm_kmeans.models WHERE name = 'alice_model'), 'rfm_alice', 'alice owns it');

SET ROLE rfm_bob;
SELECT is((SELECT k FROM rfm_kmeans.models WHERE name = 'alice_model'), 2, 'bob reads alice''s model');
SELECT is((SELECT count(*) FROM rfm_kmeans.model_history('alice_model')), 2::bigint, 'and its history');
SELECT isnt(rfm_kmeans.predict('alice_model', 10), NULL::int, 'and predicts with it');

-- replacing, rolling back, dropping: the owner or a superuser ------------
SELECT throws_ok($$SELECT rfm_kmeans.train('alice_model', 'priv_pts', ARRAY['a'], 3)$$, '42501',
                 'permission denied for model "alice_model"', 'bob cannot replace alice''s model');
SELECT throws_ok($$SELECT rfm_kmeans.rollback_model('alice_model')$$, '42501', NULL,
                 'bob cannot roll back alice''s model');
SELECT throws_ok($$SELECT rfm_kmeans.drop_model('alice_model')$$, '42501', NULL,
                 'bob cannot drop alice''s model');

-- writing the tables directly: nobody but the extension's functions ------
SELECT throws_ok($$INSERT INTO rfm_kmeans.model_versions SELECT * FROM rfm_kmeans.models WHERE name = 'alice_model'$$,
                 '42501', NULL, 'bob cannot plant a row in alice''s history (the issue''s forgery)');
SELECT throws_ok($$INSERT INTO rfm_kmeans.model_versions (name, owner, features, k, scaler, scale_offset, scale_factor,
                   centroids, sizes, inertia, iterations, converged, n_rows, n_skipped, source_relation, params,
                   mean_distance, version)
                   VALUES ('alice_model', 'rfm_bob', '{a}', 1, 'none', '{0}', '{1}', '{{1e6}}', '{1}', 0, 1, true,
                           1, 0, 'x', '{}', 0, 3)$$,
                 '42501', NULL, 'not even under his own name as owner');
SELECT throws_ok($$DELETE FROM rfm_kmeans.model_versions WHERE name = 'alice_model'$$, '42501', NULL,
                 'bob cannot delete alice''s history');
SELECT throws_ok($$UPDATE rfm_kmeans.models SET k = 99 WHERE name = 'alice_model'$$, '42501', NULL,
                 'bob cannot update alice''s model');
SELECT throws_ok($$INSERT INTO rfm_kmeans.models SELECT * FROM rfm_kmeans.models WHERE false$$, '42501', NULL,
                 'nor insert models directly');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.model_versions FOR UPDATE$$, '42501', NULL,
                 'nor lock the history for update');
RESET ROLE;

SET ROLE rfm_alice;
SELECT throws_ok($$DELETE FROM rfm_kmeans.model_versions WHERE name = 'alice_model'$$, '42501', NULL,
                 'alice herself writes her history only through the functions');
SELECT throws_ok($$UPDATE rfm_kmeans.models SET inertia = 'Infinity' WHERE name = 'alice_model'$$, '42501', NULL,
                 'and cannot store a garbage model by hand');
-- the owner, who is no superuser, rolls back (it failed for every such owner)
SELECT is(rfm_kmeans.rollback_model('alice_model'), 1, 'alice rolls her model back to version 1');
SELECT is((SELECT k FROM rfm_kmeans.models WHERE name = 'alice_model'), 3, 'version 1 is current again');
SELECT lives_ok($$SELECT rfm_kmeans.train('alice_model', 'priv_pts', ARRAY['a'], 2)$$,
                'alice trains version 2 again: no planted version number blocks her');
SELECT is((SELECT string_agg(format('%s %s %s', version, is_current, owner), ', ' ORDER BY version DESC)
           FROM rfm_kmeans.model_history('alice_model')),
          '2 t rfm_alice, 1 f rfm_alice', 'her history holds her versions only');
RESET ROLE;

-- a superuser may replace it, and the owner stays the owner ---------------
SELECT lives_ok($$SELECT rfm_kmeans.train('alice_model', 'priv_pts', ARRAY['a'], 4)$$,
                'a superuser (a cron job, say) retrains alice''s model');
SELECT is((SELECT owner::text FROM rfm_kmeans.models WHERE name = 'alice_model'), 'rfm_alice',
          'and alice still owns it');
SELECT is((SELECT version FROM rfm_kmeans.models WHERE name = 'alice_model'), 3, 'as version 3');
SET ROLE rfm_alice;
SELECT lives_ok($$SELECT rfm_kmeans.train('alice_model', 'priv_pts', ARRAY['a'], 3)$$, 'alice retrains it after that');
SELECT is(rfm_kmeans.rollback_model('alice_model'), 3, 'and rolls back to the superuser''s version');
SELECT is((SELECT owner::text FROM rfm_kmeans.models WHERE name = 'alice_model'), 'rfm_alice',
          'which comes back under her ownership');
RESET ROLE;
SELECT is(rfm_kmeans.rollback_model('alice_model'), 2, 'a superuser may roll back any model');

-- training with the caller's rights ----------------------------------------
SET ROLE rfm_bob;
SELECT throws_ok($$SELECT rfm_kmeans.train('bob_model', 'secret_pts', ARRAY['a'], 2)$$, '42501', NULL,
                 'bob cannot train on a table he cannot read');
SELECT is((SELECT n_rows FROM rfm_kmeans.train('bob_f', 'priv_f', ARRAY['a'], 2)), 200::bigint,
          'SELECT on the feature columns is enough to train (float8, read directly)');
SELECT throws_ok($$SELECT rfm_kmeans.train('bob_f', 'secret_f', ARRAY['a'], 2)$$, '42501', NULL,
                 'and without it, 42501 as for any table');
RESET ROLE;

-- schema USAGE: a table in a schema bob may not use is refused by OID too
CREATE SCHEMA hidden;
CREATE TABLE hidden.t AS SELECT i::float8 AS a, (i % 3)::float8 AS b, (i % 5)::numeric AS c
FROM generate_series(1, 60) i;
GRANT SELECT ON hidden.t TO rfm_bob;
SELECT rfm_kmeans.train('hidden_model', 'hidden.t'::regclass, ARRAY['a', 'b', 'c'], 2) IS NOT NULL AS trained \gset
SELECT 'hidden.t'::regclass::oid AS hidden_oid \gset
SET ROLE rfm_bob;
SELECT throws_ok($$SELECT count(*) FROM hidden.t$$, '42501', 'permission denied for schema hidden',
                 'a plain SELECT of hidden.t is refused');
SELECT throws_ok(format($$SELECT rfm_kmeans.train('b', %s::regclass, ARRAY['a', 'b'], 2)$$, :hidden_oid), '42501',
                 'permission denied for schema hidden', 'and so is train() by OID (float8: the direct scan)');
SELECT throws_ok(format($$SELECT rfm_kmeans.train('b', %s::regclass, ARRAY['c'], 2)$$, :hidden_oid), '42501',
                 'permission denied for schema hidden', 'train() of a numeric column (the query)');
SELECT throws_ok(format($$SELECT rfm_kmeans.train('b', %s::regclass, ARRAY['a'], 2, mode => 'aggregate')$$, :hidden_oid),
                 '42501', 'permission denied for schema hidden', 'train() in aggregate mode');
SELECT throws_ok(format($$SELECT * FROM rfm_kmeans.kmeans(%s::regclass, ARRAY['a', 'b'], 2)$$, :hidden_oid), '42501',
                 'permission denied for schema hidden', 'kmeans()');
SELECT throws_ok(format($$SELECT * FROM rfm_kmeans.elbow(%s::regclass, ARRAY['a', 'b'], 1, 3)$$, :hidden_oid), '42501',
                 'permission denied for schema hidden', 'elbow()');
SELECT throws_ok(format($$SELECT * FROM rfm_kmeans.evaluate('hidden_model', %s::regclass)$$, :hidden_oid), '42501',
                 'permission denied for schema hidden', 'evaluate()');
SELECT throws_ok(format($$SELECT * FROM rfm_kmeans.drift('hidden_model', %s::regclass)$$, :hidden_oid), '42501',
                 'permission denied for schema hidden', 'drift()');
SELECT throws_ok(format($$SELECT * FROM rfm_kmeans.cluster_summary('hidden_model', %s::regclass)$$, :hidden_oid), '42501',
                 'permission denied for schema hidden', 'cluster_summary()');
SELECT throws_ok(format($$SELECT rfm_kmeans.report_html('hidden_model', %s::regclass)$$, :hidden_oid), '42501',
                 'permission denied for schema hidden', 'report_html()');
RESET ROLE;
GRANT USAGE ON SCHEMA hidden TO rfm_bob;
SET ROLE rfm_bob;
SELECT is((SELECT n_rows FROM rfm_kmeans.train('b', :hidden_oid::regclass, ARRAY['a', 'b'], 2)), 60::bigint,
          'with USAGE granted, bob trains on it');
RESET ROLE;

-- row-level security: bob trains on his 50 visible rows only
ALTER TABLE priv_pts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON priv_pts FOR SELECT USING (owner = current_user);
ALTER TABLE priv_f ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON priv_f FOR SELECT USING (owner = current_user);
SET ROLE rfm_bob;
SELECT is((SELECT n_rows FROM rfm_kmeans.train('bob_model', 'priv_pts', ARRAY['a'], 2)), 50::bigint,
          'with row-level security, bob trains on the 50 rows he can see');
SELECT is((SELECT n_rows FROM rfm_kmeans.train('bob_f', 'priv_f', ARRAY['a'], 2)), 50::bigint,
          'the same with float8 features');
RESET ROLE;
SELECT is((SELECT n_rows FROM rfm_kmeans.train('owner_f', 'priv_f', ARRAY['a'], 2)), 200::bigint,
          'a superuser (the table''s owner) is not subject to its policies: all 200 rows');
SET ROLE rfm_bob;
SELECT lives_ok($$SELECT rfm_kmeans.drop_model('bob_model')$$, 'bob drops his own model');
RESET ROLE;
SELECT lives_ok($$SELECT rfm_kmeans.drop_model('alice_model')$$, 'a superuser may drop any model');
SELECT is((SELECT count(*) FROM rfm_kmeans.model_versions WHERE name = 'alice_model'), 0::bigint,
          'and its history goes with it');

SELECT * FROM finish();
ROLLBACK;
