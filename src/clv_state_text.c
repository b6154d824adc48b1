/*
 * clv_state_text.c
 *	  See clv_state_text.h.
 */
#include "clv_state_text.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

void
clv_text_error(const ClvTextReader *r, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: %s", r->type_name, what)));
	pg_unreachable();
}

/* a field ends at a space or at the end of the text */
static void
end_of_field(ClvTextReader *r, char *start, char *end, const char *what)
{
	if (end == start || (*end != ' ' && *end != '\0'))
		clv_text_error(r, what);
	r->p = end;
}

int64
clv_text_int(ClvTextReader *r, const char *what, int64 min, int64 max)
{
	char	   *end;
	long long	v;

	errno = 0;
	v = strtoll(r->p, &end, 10);
	if (errno != 0 || v < min || v > max)
		clv_text_error(r, what);
	end_of_field(r, r->p, end, what);
	return (int64) v;
}

double
clv_text_double(ClvTextReader *r, const char *what)
{
	char	   *end;
	double		v = strtod(r->p, &end);

	if (!isfinite(v))
		clv_text_error(r, what);
	end_of_field(r, r->p, end, what);
	return v;
}

void
clv_text_end(ClvTextReader *r)
{
	while (*r->p == ' ')
		r->p++;
	if (*r->p != '\0')
		clv_text_error(r, "trailing data");
}
