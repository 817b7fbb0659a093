/** Benchmarks, run as commands (never as tests): they print a table and write their figures under var/. */
package io.lethe.tools.bench;
