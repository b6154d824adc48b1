-- Models belong to their owner; training runs with the caller's rights
-- (table privileges and row-level security apply).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(14);

CREATE ROLE rfm_alice;
CREATE ROLE rfm_bob;
CREATE TABLE priv_pts AS SELECT i, (i % 2) * 10.0 + (i % 7) * 0.1 AS a, owner
FROM generate_series(1, 200) i, LATERAL (SELECT CASE WHEN i <= 50 THEN 'rfm_bob' ELSE 'rfm_alice' END AS owner) o;
GRANT SELECT ON priv_pts TO rfm_alice, rfm_bob;
CREATE TABLE secret_pts AS SELECT * FROM priv_pts;

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

-- row-level security: bob trains on his 50 visible rows only
ALTER TABLE priv_pts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON priv_pts FOR SELECT USING (owner = current_user);
SET ROLE rfm_bob;
SELECT is((SELECT n_rows FROM rfm_kmeans.train('bob_model', 'priv_pts', ARRAY['a'], 2)), 50::bigint,
          'with row-level security, bob trains on the 50 rows he can see');
SELECT lives_ok($$SELECT rfm_kmeans.drop_model('bob_model')$$, 'bob drops his own model');
RESET ROLE;
SELECT lives_ok($$SELECT rfm_kmeans.drop_model('alice_model')$$, 'a superuser may drop any model');

SELECT * FROM finish();
ROLLBACK;
