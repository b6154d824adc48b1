/*
 * clv_common.c
 *	  Argument checks and parameter composites of the CLV functions: see
 *	  clv_common.h.
 */
#include "compat.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "clv_common.h"
#include "core/clv_days.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

void
clv_check_customer(const char *fname, double x, double t_x, double t_cal)
{
	const char *bad = bgnbd_check_customer(x, t_x, t_cal);

	if (bad == NULL)
		return;
	if (strcmp(bad, "x") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s() argument x must be a whole number >= 0, got %g", fname, x)));
	if (strcmp(bad, "t_x") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s() argument t_x must be finite and >= 0, and 0 when x = 0, got %g (x = %g)",
						fname, t_x, x)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s() argument t_cal must be finite and >= t_x, got %g (t_x = %g)",
					fname, t_cal, t_x)));
}

/*
 * The cached form of a parameter composite: the bytes after its varlena
 * header (the same whether the datum came with a short header from a
 * table or a 4-byte one), then its values.
 */
typedef struct ParamsCache
{
	Size		len[2];
	char	   *bytes[2];
	double		values[2][4];
	void	   *function_cache;	/* clv_function_cache() */
} ParamsCache;

static ParamsCache *
params_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(ParamsCache));
	return (ParamsCache *) fcinfo->flinfo->fn_extra;
}

/*
 * The first n fields (float8, each finite and > 0) of the composite
 * argument argno, named by names, through the cache slot.
 */
static void
get_params(FunctionCallInfo fcinfo, int argno, int slot, const char *type_name,
		   const char *const *names, int n, double *out)
{
	struct varlena *raw;
	HeapTupleHeader rec;
	ParamsCache *cache = params_cache(fcinfo);
	Size		len;
	int			i;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s argument must not be null", type_name)));
	/*
	 * Compare before detoasting: a composite read from a table has a short
	 * header, and detoasting would copy it on every call.
	 */
	raw = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));
	if (!VARATT_IS_EXTERNAL(raw) && !VARATT_IS_COMPRESSED(raw) &&
		cache->bytes[slot] && cache->len[slot] == VARSIZE_ANY_EXHDR(raw) &&
		memcmp(cache->bytes[slot], VARDATA_ANY(raw), cache->len[slot]) == 0)
	{
		memcpy(out, cache->values[slot], sizeof(double) * n);
		return;
	}
	rec = PG_GETARG_HEAPTUPLEHEADER(argno);
	len = HeapTupleHeaderGetDatumLength(rec);
	{
		TupleDesc	tupdesc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(rec),
													 HeapTupleHeaderGetTypMod(rec));
		HeapTupleData tuple;

		tuple.t_len = len;
		ItemPointerSetInvalid(&(tuple.t_self));
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = rec;
		if (tupdesc->natts < n)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("%s argument has %d fields, expected at least %d",
							type_name, tupdesc->natts, n)));
		for (i = 0; i < n; i++)
		{
			bool		isnull;
			Datum		d = heap_getattr(&tuple, i + 1, tupdesc, &isnull);

			if (TupleDescAttr(tupdesc, i)->atttypid != FLOAT8OID)
				ereport(ERROR,
						(errcode(ERRCODE_DATATYPE_MISMATCH),
						 errmsg("%s field %s must be double precision", type_name, names[i])));
			if (isnull)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("%s field %s must not be null", type_name, names[i])));
			out[i] = DatumGetFloat8(d);
			if (!(out[i] > 0) || !isfinite(out[i]))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("%s field %s must be finite and > 0, got %g", type_name, names[i], out[i])));
		}
		ReleaseTupleDesc(tupdesc);
	}
	if (cache->bytes[slot])
		pfree(cache->bytes[slot]);
	cache->bytes[slot] = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len - VARHDRSZ);
	memcpy(cache->bytes[slot], VARDATA(rec), len - VARHDRSZ);
	cache->len[slot] = len - VARHDRSZ;
	memcpy(cache->values[slot], out, sizeof(double) * n);
}

void	  **
clv_function_cache(FunctionCallInfo fcinfo)
{
	return &params_cache(fcinfo)->function_cache;
}

void
clv_get_bgnbd(FunctionCallInfo fcinfo, int argno, int slot, BgnbdParams *out)
{
	static const char *const names[] = {"r", "alpha", "a", "b"};
	double		v[4];

	get_params(fcinfo, argno, slot, "bgnbd_params", names, 4, v);
	out->r = v[0];
	out->alpha = v[1];
	out->a = v[2];
	out->b = v[3];
}

void
clv_get_gamma_gamma(FunctionCallInfo fcinfo, int argno, int slot, GammaGammaParams *out)
{
	static const char *const names[] = {"p", "q", "v"};
	double		v[3];

	get_params(fcinfo, argno, slot, "gamma_gamma_params", names, 3, v);
	out->p = v[0];
	out->q = v[1];
	out->v = v[2];
}

int64
clv_interval_usecs(const char *fname, const char *argname, const Interval *unit)
{
	double		usecs = (double) unit->time +
		((double) unit->day + (double) unit->month * DAYS_PER_MONTH) * (double) USECS_PER_DAY;

	if (!(usecs >= 1) || usecs > (double) PG_INT64_MAX / 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s() argument %s must be a positive interval, got %s", fname, argname,
						DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(unit))))));
	return (int64) usecs;
}
