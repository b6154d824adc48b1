/*
 * guc.h
 *	  Settings of rfm_kmeans.
 */
#ifndef RFM_GUC_H
#define RFM_GUC_H

/* rfm_kmeans.train_memory_limit, in kB: memory-mode training's feature array */
extern int	rfm_train_memory_limit_kb;

/* rfm_kmeans.max_threads: threads of memory-mode training's passes (0: automatic) */
extern int	rfm_max_threads;

void		rfm_define_gucs(void);

#endif							/* RFM_GUC_H */
