package dev.lambdacntr.cli.agent;

import java.time.Duration;

/**
 * What agent a session needs.
 *
 * @param namespace the agent namespace
 * @param node the node the target runs on
 * @param image the debug image (the tools the shell sees as {@code /})
 * @param idleTimeout how long the agent stays without a session before it exits
 */
public record AgentSpec(String namespace, String node, String image, Duration idleTimeout) {}
