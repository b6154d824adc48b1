-- rfm_kmeans 0.4.0 -> 0.5.0: predict_row() and assign_row() of a table's
-- row without forming the whole-row value.
\echo Use "ALTER EXTENSION rfm_kmeans UPDATE TO '0.5.0'" to load this file. \quit

------------------------------------------------------------------------------
-- The planner rewrites predict_row(model, t) / assign_row(model, t) of a
-- table's (or a pulled-up view's) row t into these, every column of the row
-- given one by one after its name: matched to the model's features at run
-- time as the whole row would be, at predict()'s speed.
------------------------------------------------------------------------------
CREATE FUNCTION rfm_kmeans._predict_row_columns(model text, columns text[], VARIADIC "any") RETURNS integer
	AS 'MODULE_PATHNAME', 'rfm_predict_row_columns' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION rfm_kmeans._assign_row_columns(model text, columns text[], VARIADIC "any") RETURNS rfm_kmeans.assignment
	AS 'MODULE_PATHNAME', 'rfm_assign_row_columns' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION rfm_kmeans._predict_row_columns(text, text[], "any") IS
	'predict_row() of a row given column by column after the columns'' names (what the planner makes of predict_row(model, t))';
COMMENT ON FUNCTION rfm_kmeans._assign_row_columns(text, text[], "any") IS
	'assign_row() of a row given column by column after the columns'' names (what the planner makes of assign_row(model, t))';

CREATE FUNCTION rfm_kmeans._predict_row_support(internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'rfm_predict_row_support' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION rfm_kmeans._predict_row_support(internal) IS
	'planner support of predict_row() and assign_row(): passes a table''s row column by column';
ALTER FUNCTION rfm_kmeans.predict_row(text, record) SUPPORT rfm_kmeans._predict_row_support;
ALTER FUNCTION rfm_kmeans.assign_row(text, record) SUPPORT rfm_kmeans._predict_row_support;
