/**
 * The live dashboard: a web page served by the application that follows the learner's evaluation
 * reports, erasure receipts and model versions as they are committed to Kafka, and plots per-task
 * accuracy over examples learned with task-transition and erasure markers.
 *
 * <p>{@link io.lethe.streams.dashboard.DashboardEvents} turns topic records into JSON events and keeps
 * the figures derived from them (the stability gap per transition, from the learning module's own
 * metric); {@link io.lethe.streams.dashboard.DashboardFeed} reads the topics (read_committed, from the
 * beginning, so a page opened late still sees the whole run); {@link
 * io.lethe.streams.dashboard.DashboardServer} serves the page, its bundled charting library and the
 * events as server-sent events. The page is static: no CDN, nothing fetched at run time.
 */
package io.lethe.streams.dashboard;
