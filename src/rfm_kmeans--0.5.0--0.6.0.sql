-- rfm_kmeans 0.5.0 -> 0.6.0: faster one-pass training. No SQL object
-- changes: the library keeps kmeans_summary_state's sample lazily (a new
-- layout in memory; a state stored by 0.4.0 or 0.5.0 is rebuilt when
-- read, and the text and binary forms are unchanged) and runs the
-- one-pass fit's n_init runs on rfm_kmeans.max_threads threads.
\echo Use "ALTER EXTENSION rfm_kmeans UPDATE TO '0.6.0'" to load this file. \quit
