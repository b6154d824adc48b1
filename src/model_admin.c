/*
 * model_admin.c
 *	  rollback_model(name) and drop_model(name): the SQL face of
 *	  model_store.c's changes (which check the caller's right and take the
 *	  model's lock themselves).
 */
#include "compat.h"

#include "fmgr.h"
#include "model_store.h"
#include "utils/builtins.h"

static char *
model_argument(FunctionCallInfo fcinfo, const char *function)
{
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s() argument model must not be null", function)));
	return text_to_cstring(PG_GETARG_TEXT_PP(0));
}

/*
 * rollback_model(model): the latest earlier version becomes current and the
 * current one is discarded; returns the version now current. Not strict: a
 * NULL model is ERRCODE_NULL_VALUE_NOT_ALLOWED. Owner or superuser only
 * (ERRCODE_INSUFFICIENT_PRIVILEGE); an unknown model is
 * ERRCODE_UNDEFINED_OBJECT, one without an earlier version
 * ERRCODE_INVALID_PARAMETER_VALUE; a concurrent change
 * ERRCODE_T_R_SERIALIZATION_FAILURE.
 */
PG_FUNCTION_INFO_V1(rfm_rollback_model);
Datum
rfm_rollback_model(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(model_rollback(model_argument(fcinfo, "rollback_model")));
}

/*
 * drop_model(model): deletes the model and its history; returns void. Not
 * strict: a NULL model is ERRCODE_NULL_VALUE_NOT_ALLOWED. Owner or superuser
 * only (ERRCODE_INSUFFICIENT_PRIVILEGE); an unknown model is
 * ERRCODE_UNDEFINED_OBJECT; a concurrent change
 * ERRCODE_T_R_SERIALIZATION_FAILURE.
 */
PG_FUNCTION_INFO_V1(rfm_drop_model);
Datum
rfm_drop_model(PG_FUNCTION_ARGS)
{
	model_drop(model_argument(fcinfo, "drop_model"));
	PG_RETURN_VOID();
}
