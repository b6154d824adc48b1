-- kmeans_state text and binary I/O, and kmeans_step() used directly.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS rfm_kmeans;
RESET client_min_messages;
SET extra_float_digits = 0;

\i sql/helpers/error_of.psql

-- one step by hand: rows (0,0), (1,0), (10,10), (11,10), a NULL row;
-- centroids (0,0) and (10,10): means (0.5,0) and (10.5,10), inertia 2
CREATE TABLE st (x float8, y float8);
INSERT INTO st VALUES (0, 0), (1, 0), (10, 10), (11, 10), (NULL, 3);
SELECT (s).* FROM (SELECT rfm_kmeans.kmeans_step(ARRAY[x, y], ARRAY[[0, 0], [10, 10]]::float8[]) AS s FROM st) q;

-- the state itself, its text and binary round trips
CREATE TABLE states AS
SELECT rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_step_trans(NULL, ARRAY[1, 2], ARRAY[[0, 0], [5, 5]]::float8[]),
                                    ARRAY[6, 4.5], ARRAY[[0, 0], [5, 5]]::float8[]) AS s;
SELECT s FROM states;
SELECT s::text::rfm_kmeans.kmeans_state::text = s::text AS text_round_trip FROM states;
\copy (SELECT s FROM states) TO 'results/kmeans_states.bin' WITH (FORMAT binary)
CREATE TABLE states_back (s rfm_kmeans.kmeans_state);
\copy states_back FROM 'results/kmeans_states.bin' WITH (FORMAT binary)
SELECT a.s::text = b.s::text AS binary_round_trip FROM states a, states_back b;
-- combine equals one pass
SELECT (rfm_kmeans.kmeans_step_final(rfm_kmeans.kmeans_step_combine(
          rfm_kmeans.kmeans_step_trans(NULL, ARRAY[1, 2], ARRAY[[0, 0], [5, 5]]::float8[]),
          rfm_kmeans.kmeans_step_trans(NULL, ARRAY[6, 4.5], ARRAY[[0, 0], [5, 5]]::float8[])))).*;

-- malformed input
SELECT pg_temp.err($$SELECT ''::rfm_kmeans.kmeans_state$$) AS empty_input;
SELECT pg_temp.err($$SELECT '3 1 1 0 0 0 0 0 0 0'::rfm_kmeans.kmeans_state$$) AS bad_version;
SELECT pg_temp.err($$SELECT '2 1 1 0 0 0 0 0 0 0'::rfm_kmeans.kmeans_state$$) AS version_2_without_scaler;
SELECT pg_temp.err($$SELECT '2 1 1 0 0 0 0 0 0 0 5 1'::rfm_kmeans.kmeans_state$$) AS version_2_without_distance_sum;
SELECT pg_temp.err($$SELECT '2 1 1 0 0 0 0 0 0 0 5 0 0 0'::rfm_kmeans.kmeans_state$$) AS version_2_zero_factor;
SELECT pg_temp.err($$SELECT '2 1 1 0 0 0 0 0 0 0 5 1 -1 0'::rfm_kmeans.kmeans_state$$) AS version_2_negative_distance_sum;
SELECT pg_temp.err($$SELECT '1 0 1 0 0 0'::rfm_kmeans.kmeans_state$$) AS k_zero;
SELECT pg_temp.err($$SELECT '1 1 1 1 0 0 5 2 3 0'::rfm_kmeans.kmeans_state$$) AS counts_exceed_rows;
SELECT pg_temp.err($$SELECT '1 1 1 1 0 0 5 1 3 0 9'::rfm_kmeans.kmeans_state$$) AS trailing_data;
SELECT pg_temp.err($$SELECT '1 1 1 1 0 0 5 1 NaN 0'::rfm_kmeans.kmeans_state$$) AS nan_sum;
SELECT pg_temp.err($$SELECT '1 1 1 1 0 0 5 1 3'::rfm_kmeans.kmeans_state$$) AS truncated;
SELECT pg_temp.err($$SELECT '1 1 1 -1 0 0 5 0 3 0'::rfm_kmeans.kmeans_state$$) AS negative_rows;

-- bad arguments
SELECT pg_temp.err($$SELECT rfm_kmeans.kmeans_step(ARRAY[1, 2], ARRAY[0, 0]::float8[])$$) AS one_dimensional_centroids;
SELECT pg_temp.err($$SELECT rfm_kmeans.kmeans_step(ARRAY[1, 2, 3], ARRAY[[0, 0]]::float8[])$$) AS wrong_feature_count;
SELECT pg_temp.err($$SELECT rfm_kmeans.kmeans_step(ARRAY[1, 'NaN']::float8[], ARRAY[[0, 0]]::float8[])$$) AS nan_feature;
SELECT pg_temp.err($$SELECT rfm_kmeans.kmeans_step(ARRAY[1, 2], NULL::float8[])$$) AS null_centroids;
SELECT pg_temp.err($$SELECT rfm_kmeans.kmeans_step(ARRAY[1, 2], ARRAY[[0, NULL]]::float8[])$$) AS null_in_centroids;
SELECT pg_temp.err($$SELECT rfm_kmeans.kmeans_step_combine(
	rfm_kmeans.kmeans_step_trans(NULL, ARRAY[1, 2], ARRAY[[0, 0]]::float8[]),
	rfm_kmeans.kmeans_step_trans(NULL, ARRAY[1, 2], ARRAY[[1, 0]]::float8[]))$$) AS combine_other_centroids;

-- rows in original units, scaled by the state (version 2): the same step
-- as on rows scaled in SQL, with the features as arguments or as an array;
-- a NULL feature skips the row
\set c 'ARRAY[[0, 0], [1, 1]]::float8[]'
\set sc 'ARRAY[[5, -1], [10, 11]]::float8[]'
SELECT (s).* FROM (SELECT rfm_kmeans.kmeans_step(ARRAY[(x - 5) / 10, (y + 1) / 11], :c) AS s FROM st) q;
SELECT (s).* FROM (SELECT rfm_kmeans.kmeans_step(:c, :sc, x, y) AS s FROM st) q;
SELECT (s).* FROM (SELECT rfm_kmeans.kmeans_step(ARRAY[x, y], :c, :sc) AS s FROM st) q;
SELECT a.centroids = b.centroids AND a.sizes = b.sizes AND a.inertia = b.inertia AND a.n_rows = b.n_rows
       AS args_equal_sql_scaling
FROM (SELECT (rfm_kmeans.kmeans_step(:c, :sc, x, y)).* FROM st) a,
     (SELECT (rfm_kmeans.kmeans_step(ARRAY[(x - 5) / 10, (y + 1) / 11], :c)).* FROM st) b;
-- the mean distance of a row to its nearest centroid, against plain SQL
SELECT abs((SELECT (rfm_kmeans.kmeans_step(:c, :sc, x, y)).mean_distance FROM st) -
           avg(sqrt(least(((x - 5) / 10) ^ 2 + ((y + 1) / 11) ^ 2,
                          ((x - 5) / 10 - 1) ^ 2 + ((y + 1) / 11 - 1) ^ 2)))) < 1e-15 AS mean_distance_as_sql
FROM st WHERE x IS NOT NULL AND y IS NOT NULL;
SELECT (rfm_kmeans.kmeans_step(ARRAY[[0], [1]]::float8[], ARRAY[[5], [10]]::float8[], x)).sizes AS one_feature,
       (rfm_kmeans.kmeans_step(ARRAY[[0, 0, 0, 0]]::float8[], ARRAY[[0, 0, 0, 0], [1, 1, 1, 1]]::float8[], x, y, x, y)).n_rows AS four_features
FROM st;
-- its state prints as version 2 and round-trips
CREATE TABLE states2 AS
SELECT rfm_kmeans.kmeans_step_trans(rfm_kmeans.kmeans_step_trans(NULL, :c, :sc, 11::float8, 10::float8), :c, :sc, 0::float8, 0::float8) AS s;
SELECT s FROM states2;
SELECT s::text::rfm_kmeans.kmeans_state::text = s::text AS text_round_trip_v2 FROM states2;
\copy (SELECT s FROM states2) TO 'results/kmeans_states2.bin' WITH (FORMAT binary)
TRUNCATE states_back;
\copy states_back FROM 'results/kmeans_states2.bin' WITH (FORMAT binary)
SELECT a.s::text = b.s::text AS binary_round_trip_v2 FROM states2 a, states_back b;
SELECT pg_temp.err($$SELECT rfm_kmeans.kmeans_step(ARRAY[[0, 0]]::float8[], ARRAY[1, 1]::float8[], 1::float8, 2::float8)$$) AS scaler_not_2_x_d;
SELECT pg_temp.err($$SELECT rfm_kmeans.kmeans_step(ARRAY[[0, 0]]::float8[], ARRAY[[0, 0], [1, 0]]::float8[], 1::float8, 2::float8)$$) AS scaler_zero_factor;
SELECT pg_temp.err($$SELECT rfm_kmeans.kmeans_step(ARRAY[[0, 0]]::float8[], ARRAY[[0, 0], [1, 1]]::float8[], 1::float8)$$) AS args_fewer_than_features;
SELECT pg_temp.err($$SELECT rfm_kmeans.kmeans_step_combine(
	rfm_kmeans.kmeans_step_trans(NULL, ARRAY[[0, 0]]::float8[], ARRAY[[0, 0], [1, 1]]::float8[], 1::float8, 2::float8),
	rfm_kmeans.kmeans_step_trans(NULL, ARRAY[1, 2], ARRAY[[0, 0]]::float8[]))$$) AS combine_scaled_with_unscaled;

DROP TABLE st, states, states2, states_back;
