/**
 * The Split-MNIST demo: a real stream through a real broker, learning five class-incremental tasks
 * with the analytic learner and, beside it in its own application, an MLP with experience replay
 * ({@link io.lethe.tools.demo.ReplayCompanion}); erasing subjects and a whole class; checking the
 * analytic result against ridge trained jointly on the retained data; and printing both learners'
 * stability gaps from their own continual evaluations ({@link io.lethe.tools.demo.LearnerEvaluations}),
 * which the live dashboard shows as they happen.
 */
package io.lethe.tools.demo;
