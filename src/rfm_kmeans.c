/*
 * rfm_kmeans.c
 *	  Module entry point of the rfm_kmeans extension.
 */
#include "compat.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
