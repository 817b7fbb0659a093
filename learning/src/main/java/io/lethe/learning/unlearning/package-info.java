/**
 * Approximate unlearning for the gradient learner (SFR-on, SSD, gradient ascent, fine-tuning), the
 * retrain oracle they are measured against, and the unlearning metrics (UA, RA, TA, MIA). Exact
 * retraining is what users cannot afford per request; these methods are fast, and the metrics say
 * how close they come.
 */
package io.lethe.learning.unlearning;
