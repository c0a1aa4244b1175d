package dev.lambdacntr.agent.session;

import java.util.function.IntConsumer;

/**
 * What a resident agent gives a session in place of its own standard streams: the descriptors the
 * session helper gets as 0, 1 and 2 (pipes, or a terminal the resident agent relays), and whom to
 * tell the helper's PID once it runs (to pass window sizes on). A launched agent has none: its
 * helper inherits the agent's own streams.
 *
 * @param stdin the helper's standard input (the session's framed input)
 * @param stdout the helper's standard output
 * @param stderr the helper's standard error (its failure messages)
 * @param started called with the helper's PID right after it was started, before it is waited for
 */
public record SessionStdio(int stdin, int stdout, int stderr, IntConsumer started) {}
