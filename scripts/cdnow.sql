-- The CDNOW transactions of the BG/NBD paper (Fader, Hardie & Lee 2005):
-- the table the CLV tests and the demo load ../shared/data/cdnow_*.txt.gz
-- into (scripts/lib/common.sh, load_cdnow). Not part of the extension.
CREATE TABLE IF NOT EXISTS cdnow_transactions (
	customer_id integer NOT NULL,
	purchased date NOT NULL,
	cds integer NOT NULL,
	dollars numeric(10, 2) NOT NULL
);
