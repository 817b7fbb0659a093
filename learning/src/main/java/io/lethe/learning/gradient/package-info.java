/**
 * Gradient learners on DeepLearning4J: networks that keep training on the stream. Their unlearning
 * is approximate (see each class); the exact path is the analytic learner.
 */
package io.lethe.learning.gradient;
