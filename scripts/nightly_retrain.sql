-- Scheduled retraining: a procedure that refreshes the per-customer RFM
-- features from the invoice lines and retrains the k = 5 model, to be run
-- nightly by pg_cron (see README, "Schedule retraining with pg_cron").
-- Run this file in the database that holds online_retail; scripts/test.sh
-- runs it and schedules the procedure in its pg_cron test.
\set ON_ERROR_STOP 1

CREATE TABLE IF NOT EXISTS customer_features (
	customer_id bigint PRIMARY KEY,
	recency float8,			-- days since the last purchase
	log_frequency float8,	-- ln(1 + invoices)
	log_monetary float8,	-- ln(1 + revenue)
	frequency float8,		-- invoices, original units (for reports)
	monetary float8			-- revenue, original units
);

-- Refresh customer_features, then retrain the model 'customers' when
-- min_psi is NULL (always) or when the customers drifted from the current
-- model by more than min_psi (population stability index of drift();
-- 0.1 is a common "investigate" threshold, 0.25 "retrain"). Replacing the
-- model keeps the previous version: rfm_kmeans.rollback_model('customers')
-- brings it back. keep_ids (the default, written out here) numbers the new
-- clusters like the previous version's, so dashboards and campaigns that
-- refer to cluster numbers keep their meaning; rfm_kmeans.cluster_moves(
-- 'customers') shows how far each one moved. Everything happens in the
-- caller's transaction.
CREATE OR REPLACE PROCEDURE refresh_customer_segments(min_psi float8 DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
	as_of timestamptz;
	psi float8;
BEGIN
	SELECT date_trunc('day', max(invoice_date)) + interval '1 day' INTO as_of FROM online_retail;
	DELETE FROM customer_features;
	INSERT INTO customer_features
	SELECT customer_id, (f).recency_days, ln(1 + (f).frequency), ln(1 + greatest((f).monetary, 0)),
	       (f).frequency, (f).monetary
	FROM (SELECT customer_id,
	             rfm_kmeans.rfm(invoice_date, (quantity * unit_price)::float8, invoice_no, as_of) AS f
	      FROM online_retail
	      WHERE customer_id IS NOT NULL AND invoice_no NOT LIKE 'C%'
	      GROUP BY customer_id) s;
	IF min_psi IS NOT NULL AND EXISTS (SELECT FROM rfm_kmeans.models WHERE name = 'customers') THEN
		SELECT d.psi INTO psi FROM rfm_kmeans.drift('customers', 'customer_features') d;
		IF psi <= min_psi THEN
			RAISE NOTICE 'customers drifted by psi %, not more than %: model kept', psi, min_psi;
			RETURN;
		END IF;
	END IF;
	PERFORM rfm_kmeans.train('customers', 'customer_features',
	                         ARRAY['recency', 'log_frequency', 'log_monetary'], 5, n_init => 10,
	                         keep_ids => true);
END
$$;
