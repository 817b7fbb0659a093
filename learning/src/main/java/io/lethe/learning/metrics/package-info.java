/**
 * Continual-evaluation metrics (De Lange, van de Ven, Tuytelaars, ICLR 2023) as small objects with
 * update/result/reset, as in Avalanche: they receive evaluations (per-task accuracy at a training
 * step) and know nothing of where those come from or where results go.
 */
package io.lethe.learning.metrics;
