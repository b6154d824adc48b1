/*
 * clv_state_text.h
 *	  Reading the text forms of the CLV states (clv_summary_state,
 *	  clv_fit_state): space-separated integers and finite doubles, each
 *	  range-checked, any error 22P02 naming the type and the field.
 */
#ifndef RFM_CLV_STATE_TEXT_H
#define RFM_CLV_STATE_TEXT_H

#include "postgres.h"

typedef struct ClvTextReader
{
	char	   *p;				/* the next character to read */
	const char *type_name;		/* for messages */
} ClvTextReader;

pg_attribute_noreturn() void clv_text_error(const ClvTextReader *r, const char *what);

/* The next integer in [min, max], or 22P02 naming what. */
int64		clv_text_int(ClvTextReader *r, const char *what, int64 min, int64 max);

/* The next finite double, or 22P02 naming what. */
double		clv_text_double(ClvTextReader *r, const char *what);

/* 22P02 unless only spaces are left. */
void		clv_text_end(ClvTextReader *r);

#endif							/* RFM_CLV_STATE_TEXT_H */
