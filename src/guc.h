/*
 * guc.h
 *	  Settings of rfm_kmeans.
 */
#ifndef RFM_GUC_H
#define RFM_GUC_H

/* rfm_kmeans.train_memory_limit, in kB: memory-mode training's feature array */
extern int	rfm_train_memory_limit_kb;

void		rfm_define_gucs(void);

#endif							/* RFM_GUC_H */
