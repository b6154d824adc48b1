-- Models belong to their owner; training runs with the caller's rights
-- (table privileges and row-level security apply).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(18);

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

SET ROLE rfm_alice;
SELECT lives_ok($$SELECT rfm_kmeans.train('alice_model', 'priv_pts', ARRAY['a'], 3)$$, 'alice trains a model');
SELECT lives_ok($$SELECT rfm_kmeans.train('alice_model', 'priv_pts', ARRAY['a'], 2)$$, 'and replaces it (version 2)');
RESET ROLE;
SELECT is((SELECT owner::text FROM rfm_kmeans.models WHERE name = 'alice_model'), 'rfm_alice', 'alice owns it');

SET ROLE rfm_bob;
SELECT throws_ok($$SELECT rfm_kmeans.train('alice_model', 'priv_pts', ARRAY['a'], 3)$$, '42501', NULL,
                 'bob cannot replace alice''s model');
SELECT throws_ok($$SELECT rfm_kmeans.drop_model('alice_model')$$, '42501', NULL,
                 'bob cannot drop alice''s model');
SELECT throws_ok($$SELECT rfm_kmeans.rollback_model('alice_model')$$, '42501', NULL,
                 'bob cannot roll back alice''s model');
DELETE FROM rfm_kmeans.model_versions WHERE name = 'alice_model';
UPDATE rfm_kmeans.models SET k = 99 WHERE name = 'alice_model';
DELETE FROM rfm_kmeans.models WHERE name = 'alice_model';
SELECT is((SELECT k FROM rfm_kmeans.models WHERE name = 'alice_model'), 2,
          'a direct UPDATE or DELETE by bob changes nothing (row-level security)');
SELECT isnt(rfm_kmeans.predict('alice_model', 10), NULL::int, 'bob may use alice''s model');
SELECT throws_ok($$SELECT rfm_kmeans.train('bob_model', 'secret_pts', ARRAY['a'], 2)$$, '42501', NULL,
                 'bob cannot train on a table he cannot read');
RESET ROLE;
SELECT is((SELECT k FROM rfm_kmeans.models WHERE name = 'alice_model'), 2, 'the model is unchanged');
SELECT is((SELECT count(*) FROM rfm_kmeans.model_versions WHERE name = 'alice_model'), 1::bigint,
          'and so is its history (bob''s DELETE saw no row)');

SET ROLE rfm_bob;
SELECT is((SELECT n_rows FROM rfm_kmeans.train('bob_f', 'priv_f', ARRAY['a'], 2)), 200::bigint,
          'SELECT on the feature columns is enough to train (float8, read directly)');
SELECT throws_ok($$SELECT rfm_kmeans.train('bob_f', 'secret_f', ARRAY['a'], 2)$$, '42501', NULL,
                 'and without it, 42501 as for any table');
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

SELECT * FROM finish();
ROLLBACK;
