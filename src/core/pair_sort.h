/*
 * pair_sort.h
 *	  Sorting (key, payload) pairs of 64-bit integers in place, ascending by
 *	  key then payload: the one-pass summary's canonical order (key, entry)
 *	  and the weighted distances' order (a non-negative double's bits sort
 *	  as the double). An introsort with the comparison inlined: several
 *	  times faster than qsort() through a callback, no memory taken, and
 *	  O(n log n) at worst. The order is total, so the result is the same
 *	  whatever the input order. Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_PAIR_SORT_H
#define RFM_PAIR_SORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct KmPair
{
	uint64_t	key;
	uint64_t	payload;
} KmPair;

void		km_sort_pairs(KmPair *a, size_t n);

#endif							/* RFM_PAIR_SORT_H */
