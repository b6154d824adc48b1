/*
 * compat.h
 *	  Every PG_VERSION_NUM shim of rfm_kmeans lives here. Supported: 15.
 */
#ifndef RFM_KMEANS_COMPAT_H
#define RFM_KMEANS_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 150000
#error "rfm_kmeans requires PostgreSQL 15 or later"
#endif

#endif							/* RFM_KMEANS_COMPAT_H */
