/**
 * The exact analytic learner (ACIL learning, ACU unlearning): a ridge head over a frozen feature
 * map, kept as sufficient statistics plus their regularised inverse, so that learning and
 * unlearning are both rank-n updates and the result always equals a ridge solve on the retained
 * data, whatever the order of events.
 */
package io.lethe.learning.analytic;
